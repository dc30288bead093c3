import type { Role } from '../../../../common/roles.ts'
import { recordAudit } from '../../platform/audit/record.ts'
import { authorize } from '../../platform/auth/policy.ts'
import { hashPassword, passwordPolicyViolation, verifyPassword } from '../../platform/auth/passwords.ts'
import { revokeSession, revokeUserSessions } from '../../platform/auth/sessions.ts'
import type { Ctx } from '../../platform/context.ts'
import { conflict, fieldError, notFound } from '../../platform/http/errors.ts'
import { findOrg } from '../orgs/index.ts'
import { assertNotLocked, findCredentials } from './credentials.ts'
import { findUserById, findUserTotp, listUsers, lockUserForUpdate, recordFailedLogin } from './queries.ts'
import type { ChangePasswordBody, CreateUserBody, UpdateUserBody, UserListQuery, UserOut } from './schemas.ts'
import { totpRequiredFor } from './totp.ts'

export { login, type LoginEnv } from './login.ts'

export async function logout(ctx: Ctx) {
  await ctx.db.transaction().execute(async (trx) => {
    await revokeSession(trx, ctx.actor.sessionId, ctx.now())
    await recordAudit(trx, ctx, { action: 'identity.session.logout', objectType: 'user', objectId: ctx.actor.userId })
  })
}

export async function getMe(ctx: Ctx): Promise<UserOut> {
  const [user, totp] = await Promise.all([findUserById(ctx.db, ctx.actor.userId), findUserTotp(ctx.db, ctx.actor.userId)])
  return { ...(user as UserOut), totpEnabled: !!totp?.confirmedAt, totpRequired: totpRequiredFor(ctx.config, ctx.actor.roles) }
}

export async function listUsersFor(ctx: Ctx, query: UserListQuery) {
  const restrictOrgId = ctx.actor.roles.includes('SYS_ADMIN') ? undefined : ctx.actor.orgId
  return { ...(await listUsers(ctx.db, { ...query, restrictOrgId })), page: query.page, pageSize: query.pageSize }
}

function checkPassword(password: string, username: string, field = 'password') {
  const problem = passwordPolicyViolation(password, username)
  if (problem) throw fieldError(field, problem)
}

export async function createUser(ctx: Ctx, input: CreateUserBody) {
  authorize(ctx.actor, 'identity.user.create', { orgId: input.orgId, roles: input.roles }, '无权在该单位创建此角色的用户')
  checkPassword(input.password, input.username)
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
  if (input.password !== undefined) {
    // The policy needs the username; the authorization check follows under the row lock below.
    const target = await findUserById(ctx.db, id)
    if (!target) throw notFound('用户')
    authorize(ctx.actor, 'identity.user.update', { orgId: target.orgId, roles: target.roles as Role[] })
    checkPassword(input.password, target.username)
  }
  const passwordHash = input.password !== undefined ? await hashPassword(input.password) : undefined
  return ctx.db.transaction().execute(async (trx) => {
    const user = await lockUserForUpdate(trx, id)
    if (!user) throw notFound('用户')
    authorize(ctx.actor, 'identity.user.update', { orgId: user.orgId, roles: user.roles as Role[] })
    if (input.roles) authorize(ctx.actor, 'identity.user.update', { orgId: user.orgId, roles: input.roles }, '无权分配这些角色')
    if (id === ctx.actor.userId && (input.status === 'disabled' || (input.roles && !input.roles.includes('SYS_ADMIN') && user.roles.includes('SYS_ADMIN')))) {
      throw conflict('不能停用自己或撤销自己的系统管理员角色')
    }
    const changes = {
      ...(input.name !== undefined && { name: input.name }),
      ...(input.roles !== undefined && { roles: [...new Set(input.roles)] }),
      ...(input.status !== undefined && { status: input.status }),
      ...(input.mobile !== undefined && { mobile: input.mobile }),
      ...(passwordHash !== undefined && { passwordHash, failedLogins: 0, lockedUntil: null }),
    }
    // A TOTP reset alone changes no column of users.
    if (Object.keys(changes).length > 0) await trx.updateTable('users').set(changes).where('id', '=', id).execute()
    // A lost phone: the user enrolls again at the next login (if TOTP is mandatory for them).
    if (input.resetTotp) await trx.deleteFrom('userTotp').where('userId', '=', id).execute()
    if (passwordHash !== undefined || input.status === 'disabled' || input.roles || input.resetTotp) await revokeUserSessions(trx, id, ctx.now())
    await recordAudit(trx, ctx, {
      action: 'identity.user.update',
      objectType: 'user',
      objectId: id,
      detail: { fields: Object.keys(input).filter((k) => k !== 'password').concat(input.password ? ['password(reset)'] : []) },
    })
    return (await findUserById(trx, id)) as UserOut
  })
}

/**
 * Changes the caller's own password. The current password is required (a wrong one counts toward
 * the lockout, so a borrowed session cannot guess it); the caller's other sessions end.
 */
export async function changeOwnPassword(ctx: Ctx, input: ChangePasswordBody) {
  const user = await findCredentials(ctx.db, ctx.actor.userId)
  assertNotLocked(user, ctx.now())
  if (!(await verifyPassword(user.passwordHash, input.currentPassword))) {
    await recordFailedLogin(ctx.db, user.id, ctx.now())
    throw fieldError('currentPassword', '当前密码不正确')
  }
  checkPassword(input.newPassword, user.username, 'newPassword')
  if (input.newPassword === input.currentPassword) throw fieldError('newPassword', '新密码不能与当前密码相同')
  const passwordHash = await hashPassword(input.newPassword)
  await ctx.db.transaction().execute(async (trx) => {
    await trx.updateTable('users').set({ passwordHash, failedLogins: 0, lockedUntil: null }).where('id', '=', user.id).execute()
    await revokeUserSessions(trx, user.id, ctx.now(), ctx.actor.sessionId)
    await recordAudit(trx, ctx, { action: 'identity.password.change', objectType: 'user', objectId: user.id })
  })
}
