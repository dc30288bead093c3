import { recordAudit } from '../../platform/audit/record.ts'
import { verifyPassword } from '../../platform/auth/passwords.ts'
import { widenSession } from '../../platform/auth/sessions.ts'
import { TOTP_DIGITS, TOTP_STEP_SECONDS, matchTotp, newTotpSecret, otpauthUri } from '../../platform/auth/totp.ts'
import type { Config } from '../../platform/config/config.ts'
import type { Ctx } from '../../platform/context.ts'
import { type Sm4Box, Sm4Error, sm4Box } from '../../platform/crypto/sm4.ts'
import type { Executor } from '../../platform/db/database.ts'
import { fieldError, invalidState } from '../../platform/http/errors.ts'
import { holdsTotpRole } from '../../../../common/policy/identity.ts'
import { consumeTotpStep, findUserTotp, lockUserTotp, recordFailedLogin } from './queries.ts'
import type { TotpCodeBody, TotpEnrollBody, TotpStatusOut } from './schemas.ts'
import { assertNotLocked, findCredentials } from './credentials.ts'

const ISSUER = 'GovShare'

/** The ciphertext is bound to its row: a secret copied onto another user does not decrypt. */
const secretContext = (userId: string) => `user_totp:${userId}`

/** The SM4 sealer for TOTP secrets; without a configured key no secret can be stored or read. */
export function totpBox(config: Config): Sm4Box {
  // 409, not 5xx: the deployment is in a state that refuses this, the server works as designed.
  if (!config.dataKey) throw invalidState('平台未配置数据加密密钥，暂不能使用动态验证码，请联系管理员')
  return sm4Box(config.dataKey)
}

/** The stored secret in clear; a key changed since enrollment is reported, not crashed on. */
function openSecret(config: Config, row: { userId: string; secretCiphertext: string }): string {
  try {
    return totpBox(config).open(row.secretCiphertext, secretContext(row.userId))
  } catch (error) {
    if (error instanceof Sm4Error) throw invalidState('动态验证码密钥无法解密（数据加密密钥可能已更换），请联系管理员重置动态验证码')
    throw error
  }
}

export const totpRequiredFor = (config: Config, roles: readonly string[]) => config.totpRequired && holdsTotpRole(roles)

/**
 * Checks a code against the user's confirmed secret and uses up its step. False for a wrong code,
 * a code of a step already used (replay), or a user without a confirmed secret.
 */
export async function useTotpCode(db: Executor, config: Config, userId: string, code: string, now: Date): Promise<boolean> {
  const row = await findUserTotp(db, userId)
  if (!row?.confirmedAt) return false
  const step = matchTotp(openSecret(config, row), code, now)
  return step !== null && (await consumeTotpStep(db, userId, step))
}

export async function getTotpStatus(ctx: Ctx): Promise<TotpStatusOut> {
  const row = await findUserTotp(ctx.db, ctx.actor.userId)
  return { enabled: !!row?.confirmedAt, pending: !!row && !row.confirmedAt, required: totpRequiredFor(ctx.config, ctx.actor.roles) }
}

/**
 * Starts enrollment: a new secret, shown once (the database keeps only its SM4 ciphertext). Needs the
 * current password, so a borrowed session cannot tie the account to someone else's phone.
 */
export async function enrollTotp(ctx: Ctx, input: TotpEnrollBody) {
  const box = totpBox(ctx.config)
  const user = await findCredentials(ctx.db, ctx.actor.userId)
  assertNotLocked(user, ctx.now())
  if (!(await verifyPassword(user.passwordHash, input.password))) {
    // Counted like a failed login: a session must not become a password-guessing oracle.
    await recordFailedLogin(ctx.db, user.id, ctx.now())
    throw fieldError('password', '当前密码不正确')
  }
  const secret = newTotpSecret()
  await ctx.db.transaction().execute(async (trx) => {
    const existing = await lockUserTotp(trx, user.id)
    if (existing?.confirmedAt) throw invalidState('已启用动态验证码；如需更换，请先停用')
    const secretCiphertext = box.seal(secret, secretContext(user.id))
    await trx
      .insertInto('userTotp')
      .values({ userId: user.id, secretCiphertext, confirmedAt: null, lastUsedStep: 0 })
      .onConflict((oc) => oc.column('userId').doUpdateSet({ secretCiphertext, confirmedAt: null, lastUsedStep: 0 }))
      .execute()
    await recordAudit(trx, ctx, { action: 'identity.totp.enroll', objectType: 'user', objectId: user.id })
  })
  return {
    secret,
    otpauthUri: otpauthUri(secret, user.username, ISSUER),
    algorithm: 'SHA1' as const,
    digits: TOTP_DIGITS as 6,
    period: TOTP_STEP_SECONDS as 30,
  }
}

/** Confirms enrollment with a first code; a session restricted to enrollment becomes a full one. */
export async function confirmTotp(ctx: Ctx, input: TotpCodeBody): Promise<TotpStatusOut> {
  totpBox(ctx.config)
  await ctx.db.transaction().execute(async (trx) => {
    const row = await lockUserTotp(trx, ctx.actor.userId)
    if (!row) throw invalidState('请先开始绑定动态验证码')
    if (row.confirmedAt) throw invalidState('动态验证码已启用')
    const step = matchTotp(openSecret(ctx.config, row), input.code, ctx.now())
    if (step === null) throw fieldError('code', '验证码不正确，请核对手机时间后重试')
    await trx.updateTable('userTotp').set({ confirmedAt: ctx.now(), lastUsedStep: step }).where('userId', '=', row.userId).execute()
    if (ctx.actor.totpEnrollmentOnly) await widenSession(trx, ctx.actor.sessionId)
    await recordAudit(trx, ctx, { action: 'identity.totp.confirm', objectType: 'user', objectId: row.userId })
  })
  return { enabled: true, pending: false, required: totpRequiredFor(ctx.config, ctx.actor.roles) }
}

/** Turns TOTP off with a current code; refused while the deployment requires it for the user's roles. */
export async function disableTotp(ctx: Ctx, input: TotpCodeBody): Promise<TotpStatusOut> {
  const userId = ctx.actor.userId
  const row = await findUserTotp(ctx.db, userId)
  if (!row?.confirmedAt) throw invalidState('未启用动态验证码')
  if (totpRequiredFor(ctx.config, ctx.actor.roles)) throw invalidState('本平台要求审批和管理角色使用动态验证码，不能停用')
  const user = await findCredentials(ctx.db, userId)
  assertNotLocked(user, ctx.now())
  if (!(await useTotpCode(ctx.db, ctx.config, userId, input.code, ctx.now()))) {
    await recordFailedLogin(ctx.db, userId, ctx.now())
    throw fieldError('code', '验证码错误或已使用')
  }
  await ctx.db.transaction().execute(async (trx) => {
    await trx.deleteFrom('userTotp').where('userId', '=', userId).execute()
    await recordAudit(trx, ctx, { action: 'identity.totp.disable', objectType: 'user', objectId: userId })
  })
  return { enabled: false, pending: false, required: false }
}
