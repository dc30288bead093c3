import type { Role } from '../../../../common/roles.ts'
import { appendAudit } from '../../platform/audit/chain.ts'
import { recordAudit } from '../../platform/audit/record.ts'
import { authorize } from '../../platform/auth/policy.ts'
import { dummyPasswordHash, hashPassword, passwordPolicyViolation, verifyPassword } from '../../platform/auth/passwords.ts'
import { createSession, revokeSession, revokeUserSessions } from '../../platform/auth/sessions.ts'
import type { Config } from '../../platform/config/config.ts'
import type { Ctx } from '../../platform/context.ts'
import type { Db } from '../../platform/db/database.ts'
import { AppError, conflict, fieldError, notFound } from '../../platform/http/errors.ts'
import { findOrg } from '../orgs/index.ts'
import {
  findUserById,
  findUserForLogin,
  listUsers,
  lockUserForUpdate,
  recordFailedLogin,
  recordSuccessfulLogin,
} from './queries.ts'
import type { CreateUserBody, UpdateUserBody, UserListQuery, UserOut } from './schemas.ts'

const invalidCredentials = () => new AppError(401, 'INVALID_CREDENTIALS', '用户名或密码错误')
const accountLocked = (until: Date) =>
  new AppError(429, 'ACCOUNT_LOCKED', `连续 5 次密码错误，账号已锁定，请于 ${until.toLocaleTimeString('zh-CN', { timeZone: 'Asia/Shanghai', hour12: false })} 后再试`)

export interface LoginEnv {
  db: Db
  config: Config
  now: Date
  ip: string | null
  requestId: string | null
}

/**
 * Password login (API.md "Identity"). Same message whether or not the user exists; the 5th
 * failure in a row locks for 15 minutes; while locked, even the right password is refused.
 */
export async function login(env: LoginEnv, username: string, password: string) {
  const source = (userId: string | null, orgId: string | null, roles: readonly string[] = []) => ({
    actorId: userId, orgId, roles, ip: env.ip, requestId: env.requestId, at: env.now,
  })
  const user = await findUserForLogin(env.db, username)
  if (!user) {
    await verifyPassword(await dummyPasswordHash(), password)
    await appendAudit(env.db, source(null, null), { action: 'identity.session.login', result: 'denied', detail: { username, reason: 'unknown_user' } })
    throw invalidCredentials()
  }
  const audit = (result: 'success' | 'denied', reason?: string) =>
    appendAudit(env.db, source(user.id, user.orgId, user.roles), {
      action: 'identity.session.login', result, objectType: 'user', objectId: user.id, detail: reason ? { reason } : {},
    })
  if (user.lockedUntil && new Date(user.lockedUntil) > env.now) {
    await audit('denied', 'locked')
    throw accountLocked(new Date(user.lockedUntil))
  }
  if (!(await verifyPassword(user.passwordHash, password))) {
    await recordFailedLogin(env.db, user.id, env.now)
    await audit('denied', 'bad_password')
    throw invalidCredentials()
  }
  if (user.status !== 'active') {
    await audit('denied', 'disabled')
    throw new AppError(403, 'ACCOUNT_DISABLED', '账号已停用，请联系管理员')
  }
  const token = await env.db.transaction().execute(async (trx) => {
    await recordSuccessfulLogin(trx, user.id, env.now)
    const created = await createSession(trx, user.id, env.now, env.ip)
    await appendAudit(trx, source(user.id, user.orgId, user.roles), { action: 'identity.session.login', objectType: 'user', objectId: user.id })
    return created
  })
  const profile = await findUserById(env.db, user.id)
  return {
    token,
    expiresAt: new Date(env.now.getTime() + env.config.sessionIdleMinutes * 60_000),
    user: profile as UserOut,
  }
}

export async function logout(ctx: Ctx) {
  await ctx.db.transaction().execute(async (trx) => {
    await revokeSession(trx, ctx.actor.sessionId, ctx.now())
    await recordAudit(trx, ctx, { action: 'identity.session.logout', objectType: 'user', objectId: ctx.actor.userId })
  })
}

export async function getMe(ctx: Ctx) {
  return (await findUserById(ctx.db, ctx.actor.userId)) as UserOut
}

export async function listUsersFor(ctx: Ctx, query: UserListQuery) {
  const restrictOrgId = ctx.actor.roles.includes('SYS_ADMIN') ? undefined : ctx.actor.orgId
  return { ...(await listUsers(ctx.db, { ...query, restrictOrgId })), page: query.page, pageSize: query.pageSize }
}

function checkPassword(password: string) {
  const problem = passwordPolicyViolation(password)
  if (problem) throw fieldError('password', problem)
}

export async function createUser(ctx: Ctx, input: CreateUserBody) {
  authorize(ctx.actor, 'identity.user.create', { orgId: input.orgId, roles: input.roles }, '无权在该单位创建此角色的用户')
  checkPassword(input.password)
  const passwordHash = await hashPassword(input.password)
  return ctx.db.transaction().execute(async (trx) => {
    if (!(await findOrg(trx, input.orgId))) throw fieldError('orgId', '单位不存在')
    const taken = await trx.selectFrom('users').select('id').where('username', '=', input.username).executeTakeFirst()
    if (taken) throw conflict(`用户名 ${input.username} 已被使用`)
    const { id } = await trx
      .insertInto('users')
      .values({
        username: input.username,
        name: input.name,
        orgId: input.orgId,
        roles: [...new Set(input.roles)],
        passwordHash,
        mobile: input.mobile ?? null,
      })
      .returning('id')
      .executeTakeFirstOrThrow()
    await recordAudit(trx, ctx, { action: 'identity.user.create', objectType: 'user', objectId: id, detail: { roles: input.roles } })
    return (await findUserById(trx, id)) as UserOut
  })
}

export async function updateUser(ctx: Ctx, id: string, input: UpdateUserBody) {
  if (input.password !== undefined) checkPassword(input.password)
  const passwordHash = input.password !== undefined ? await hashPassword(input.password) : undefined
  return ctx.db.transaction().execute(async (trx) => {
    const user = await lockUserForUpdate(trx, id)
    if (!user) throw notFound('用户')
    authorize(ctx.actor, 'identity.user.update', { orgId: user.orgId, roles: user.roles as Role[] })
    if (input.roles) authorize(ctx.actor, 'identity.user.update', { orgId: user.orgId, roles: input.roles }, '无权分配这些角色')
    if (id === ctx.actor.userId && (input.status === 'disabled' || (input.roles && !input.roles.includes('SYS_ADMIN') && user.roles.includes('SYS_ADMIN')))) {
      throw conflict('不能停用自己或撤销自己的系统管理员角色')
    }
    await trx
      .updateTable('users')
      .set({
        ...(input.name !== undefined && { name: input.name }),
        ...(input.roles !== undefined && { roles: [...new Set(input.roles)] }),
        ...(input.status !== undefined && { status: input.status }),
        ...(input.mobile !== undefined && { mobile: input.mobile }),
        ...(passwordHash !== undefined && { passwordHash, failedLogins: 0, lockedUntil: null }),
      })
      .where('id', '=', id)
      .execute()
    if (passwordHash !== undefined || input.status === 'disabled' || input.roles) await revokeUserSessions(trx, id, ctx.now())
    await recordAudit(trx, ctx, {
      action: 'identity.user.update',
      objectType: 'user',
      objectId: id,
      detail: { fields: Object.keys(input).filter((k) => k !== 'password').concat(input.password ? ['password(reset)'] : []) },
    })
    return (await findUserById(trx, id)) as UserOut
  })
}
