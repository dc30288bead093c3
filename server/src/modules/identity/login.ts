import { type AuditSource, appendAudit } from '../../platform/audit/chain.ts'
import type { DenialLog } from '../../platform/audit/denials.ts'
import { type Attempt, type AttemptLimit, AttemptThrottle } from '../../platform/auth/attempt-throttle.ts'
import { dummyPasswordHash, verifyPassword } from '../../platform/auth/passwords.ts'
import { createSession } from '../../platform/auth/sessions.ts'
import type { Config } from '../../platform/config/config.ts'
import type { Db } from '../../platform/db/database.ts'
import { AppError } from '../../platform/http/errors.ts'
import { findUserById, findUserForLogin, findUserTotp, recordFailedLogin, recordSuccessfulLogin } from './queries.ts'
import type { LoginBody, UserOut } from './schemas.ts'
import { totpRequiredFor, useTotpCode } from './totp.ts'

// One answer for a wrong password and for an account that is unknown, locked, disabled or of a disabled
// organisation: telling them apart would let a guesser list accounts and learn which ones are worth it.
const invalidCredentials = () =>
  new AppError(401, 'INVALID_CREDENTIALS', '用户名或密码错误，或账号暂不可用（连续 5 次错误将锁定 15 分钟，如需帮助请联系管理员）')
const totpMissing = () => new AppError(401, 'TOTP_REQUIRED', '请输入身份验证器中的 6 位动态验证码')
const totpInvalid = () => new AppError(401, 'INVALID_TOTP', '动态验证码错误或已使用，请输入新的验证码')

/** Failed logins are counted per source address (15-minute windows) and per username (1-hour windows). */
export const createLoginThrottle = (db: Db) => new AttemptThrottle(db, (minutes) => `登录尝试过于频繁，请 ${minutes} 分钟后再试`)

function loginLimits(config: Config, ip: string | null, username: string): AttemptLimit[] {
  return [
    ...(ip ? [{ key: `ip:${ip}`, limit: config.loginFailuresPerIp, windowMs: 15 * 60_000, onSuccess: 'give-back' as const }] : []),
    // Lower case: `Admin` and `admin` are one target for a guesser.
    { key: `user:${username.toLowerCase()}`, limit: config.loginFailuresPerUser, windowMs: 60 * 60_000, onSuccess: 'reset' },
  ]
}

export interface LoginEnv {
  db: Db
  config: Config
  now: Date
  ip: string | null
  requestId: string | null
  throttle: AttemptThrottle
  denials: DenialLog
}

type LoginUser = NonNullable<Awaited<ReturnType<typeof findUserForLogin>>>

/** Why an account may not log in whatever password is given, or null when it may. */
function refusalOf(user: LoginUser, now: Date): string | null {
  if (user.lockedUntil && new Date(user.lockedUntil) > now) return 'locked'
  if (user.status !== 'active') return 'disabled'
  if (user.orgStatus !== 'active') return 'org_disabled'
  return null
}

/**
 * Password login (API.md "Identity"), then the TOTP code for an enrolled user. Attempts are throttled per
 * source address and per username before any password is hashed (429 RATE_LIMITED, counted in the
 * database so the limits hold across server processes). Every refusal answers 401 INVALID_CREDENTIALS
 * after one password hash: unknown, locked, disabled and wrong are told apart only in the audit log.
 * The 5th failure in a row (wrong password, missing or wrong code) locks the account for 15 minutes.
 */
export async function login(env: LoginEnv, input: LoginBody) {
  const { username, password, totpCode } = input
  const source = (user: LoginUser | null): AuditSource => ({
    actorId: user?.id ?? null,
    orgId: user?.orgId ?? null,
    roles: user?.roles ?? [],
    ip: env.ip,
    requestId: env.requestId,
    at: env.now,
  })
  const deny = (user: LoginUser | null, reason: string) =>
    env.denials.record(
      source(user),
      { action: 'identity.session.login', result: 'denied', ...(user && { objectType: 'user', objectId: user.id }), detail: { username, reason } },
      { kind: reason, subject: username },
    )

  let attempt: Attempt
  try {
    attempt = await env.throttle.reserve(loginLimits(env.config, env.ip, username), env.now)
  } catch (error) {
    await deny(null, 'rate_limited')
    throw error
  }
  const user = (await findUserForLogin(env.db, username)) ?? null
  const refusal = user ? refusalOf(user, env.now) : 'unknown_user'
  // One hash whatever the account's state, so the time taken does not tell the refusals apart either.
  const passwordOk = await verifyPassword(refusal ? await dummyPasswordHash() : user!.passwordHash, password)
  if (!user || refusal) {
    await deny(user, refusal!)
    throw invalidCredentials()
  }
  const fail = async (reason: string, error: AppError) => {
    await recordFailedLogin(env.db, user.id, env.now)
    await deny(user, reason)
    return error
  }
  if (!passwordOk) throw await fail('bad_password', invalidCredentials())
  const totp = await findUserTotp(env.db, user.id)
  if (totp?.confirmedAt) {
    // Asked only after the password matched, so the question does not reveal who uses TOTP.
    if (!totpCode) throw await fail('totp_missing', totpMissing())
    if (!(await useTotpCode(env.db, env.config, user.id, totpCode, env.now))) throw await fail('totp_invalid', totpInvalid())
  }
  const enrollmentOnly = !totp?.confirmedAt && totpRequiredFor(env.config, user.roles)
  const token = await env.db.transaction().execute(async (trx) => {
    await recordSuccessfulLogin(trx, user.id, env.now)
    const created = await createSession(trx, user.id, env.now, env.ip, enrollmentOnly ? 'totp_enrollment' : 'full')
    await appendAudit(trx, source(user), {
      action: 'identity.session.login',
      objectType: 'user',
      objectId: user.id,
      detail: { secondFactor: totp?.confirmedAt ? 'totp' : 'none', ...(enrollmentOnly && { scope: 'totp_enrollment' }) },
    })
    return created
  })
  await attempt.succeeded()
  const profile = await findUserById(env.db, user.id)
  return {
    token,
    expiresAt: new Date(env.now.getTime() + env.config.sessionIdleMinutes * 60_000),
    user: profile as UserOut,
    totpEnrollmentRequired: enrollmentOnly,
  }
}
