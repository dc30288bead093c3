import { appendAudit } from '../../platform/audit/chain.ts'
import { type LoginAttempt, reserveLoginAttempt } from '../../platform/auth/login-throttle.ts'
import { dummyPasswordHash, verifyPassword } from '../../platform/auth/passwords.ts'
import { createSession } from '../../platform/auth/sessions.ts'
import type { Config } from '../../platform/config/config.ts'
import type { Db } from '../../platform/db/database.ts'
import { AppError } from '../../platform/http/errors.ts'
import { accountLocked } from './credentials.ts'
import { findUserById, findUserForLogin, findUserTotp, recordFailedLogin, recordSuccessfulLogin } from './queries.ts'
import type { LoginBody, UserOut } from './schemas.ts'
import { totpRequiredFor, useTotpCode } from './totp.ts'

const invalidCredentials = () => new AppError(401, 'INVALID_CREDENTIALS', '用户名或密码错误')
const totpMissing = () => new AppError(401, 'TOTP_REQUIRED', '请输入身份验证器中的 6 位动态验证码')
const totpInvalid = () => new AppError(401, 'INVALID_TOTP', '动态验证码错误或已使用，请输入新的验证码')

export interface LoginEnv {
  db: Db
  config: Config
  now: Date
  ip: string | null
  requestId: string | null
}

/**
 * Password login (API.md "Identity"), then the TOTP code for an enrolled user. Same message whether or
 * not the user exists; the 5th failure in a row (wrong password, missing or wrong code) locks for 15
 * minutes; while locked, even the right credentials are refused. Failures are also counted per source
 * IP and per username in the database (429 RATE_LIMITED), so the limits hold across server processes.
 */
export async function login(env: LoginEnv, input: LoginBody) {
  const { username, password, totpCode } = input
  const source = (userId: string | null, orgId: string | null, roles: readonly string[] = []) => ({
    actorId: userId, orgId, roles, ip: env.ip, requestId: env.requestId, at: env.now,
  })
  let attempt: LoginAttempt
  try {
    attempt = await reserveLoginAttempt(env.db, env.ip, username, env.now, { perIp: env.config.loginFailuresPerIp, perUser: env.config.loginFailuresPerUser })
  } catch (error) {
    await appendAudit(env.db, source(null, null), { action: 'identity.session.login', result: 'denied', detail: { username, reason: 'rate_limited' } })
    throw error
  }
  const user = await findUserForLogin(env.db, username)
  if (!user) {
    await verifyPassword(await dummyPasswordHash(), password)
    await appendAudit(env.db, source(null, null), { action: 'identity.session.login', result: 'denied', detail: { username, reason: 'unknown_user' } })
    throw invalidCredentials()
  }
  const audit = (result: 'success' | 'denied', detail: Record<string, unknown>) =>
    appendAudit(env.db, source(user.id, user.orgId, user.roles), { action: 'identity.session.login', result, objectType: 'user', objectId: user.id, detail })
  const fail = async (reason: string, error: AppError) => {
    await recordFailedLogin(env.db, user.id, env.now)
    await audit('denied', { reason })
    return error
  }

  if (user.lockedUntil && new Date(user.lockedUntil) > env.now) {
    // Not a guess (no credential was checked): it does not count toward the rate limits.
    await attempt.release()
    await audit('denied', { reason: 'locked' })
    throw accountLocked(new Date(user.lockedUntil))
  }
  if (!(await verifyPassword(user.passwordHash, password))) throw await fail('bad_password', invalidCredentials())
  if (user.status !== 'active') {
    await attempt.release()
    await audit('denied', { reason: 'disabled' })
    throw new AppError(403, 'ACCOUNT_DISABLED', '账号已停用，请联系管理员')
  }
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
    await appendAudit(trx, source(user.id, user.orgId, user.roles), {
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
