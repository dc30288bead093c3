import type { Role } from '../../../../common/roles.ts'
import { recordAudit } from '../../platform/audit/record.ts'
import { roleSetProblem } from '../../../../common/policy/identity.ts'
import { authorize, authorizeLoaded, can, scopeOf } from '../../platform/auth/policy.ts'
import { hashPassword, passwordPolicyViolation, verifyPassword } from '../../platform/auth/passwords.ts'
import { revokeSession, revokeUserSessions } from '../../platform/auth/sessions.ts'
import type { Ctx } from '../../platform/context.ts'
import { conflict, fieldError } from '../../platform/http/errors.ts'
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
  return { ...(await listUsers(ctx.db, scopeOf(ctx.actor, 'identity.user.read'), query)), page: query.page, pageSize: query.pageSize }
}

/** 三员分立: a role set one account may not hold is refused whoever asks (SPEC §8.2 S7). */
function checkRoleSet(roles: readonly Role[]) {
  const problem = roleSetProblem(roles)
  if (problem) throw fieldError('roles', problem)
}

function checkPassword(password: string, username: string, field = 'password') {
  const problem = passwordPolicyViolation(password, username)
  if (problem) throw fieldError(field, problem)
}

export async function createUser(ctx: Ctx, input: CreateUserBody) {
  const roles = [...new Set(input.roles)]
  // The likely refusal: the system administrator tried to hand out roles itself.
  const message =
    roles.length > 0 && can(ctx.actor, 'identity.user.create', { orgId: input.orgId, roles: [] })
      ? '系统管理员只开设账号，角色由安全管理员分配（三员分立）'
      : '无权在该单位创建此角色的用户'
  authorize(ctx.actor, 'identity.user.create', { orgId: input.orgId, roles }, message)
  checkRoleSet(roles)
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
        roles,
        passwordHash,
        mobile: input.mobile ?? null,
      })
      .returning('id')
      .executeTakeFirstOrThrow()
    await recordAudit(trx, ctx, { action: 'identity.user.create', objectType: 'user', objectId: id, detail: { roles } })
    return (await findUserById(trx, id)) as UserOut
  })
}

/**
 * Changes an account. Each part is its own policy action: profile and status (`identity.user.update`),
 * roles (`identity.user.assign-roles`), password and authenticator (`identity.user.reset-credentials`).
 */
export async function updateUser(ctx: Ctx, id: string, input: UpdateUserBody) {
  const resets = input.password !== undefined || input.resetTotp === true
  if (input.password !== undefined) {
    // The password rule needs the username; the authorization is checked again under the row lock below.
    const target = authorizeLoaded(ctx.actor, 'identity.user.reset-credentials', await findUserById(ctx.db, id), '用户', '无权重置该账号的密码')
    checkPassword(input.password, target.username)
  }
  const passwordHash = input.password !== undefined ? await hashPassword(input.password) : undefined
  return ctx.db.transaction().execute(async (trx) => {
    const user = await lockUserForUpdate(trx, id)
    const target = user && { id: user.id, orgId: user.orgId, roles: user.roles as Role[] }
    const profile = input.name !== undefined || input.mobile !== undefined || input.status !== undefined
    if (profile || !(input.roles || resets)) authorizeLoaded(ctx.actor, 'identity.user.update', target, '用户', '无权修改该账号（三员账号由其他管理员管理）')
    if (resets)
      authorizeLoaded(ctx.actor, 'identity.user.reset-credentials', target, '用户', '无权重置该账号的密码或动态验证码（审计员、系统管理员的由安全管理员重置）')
    const newRoles = input.roles ? ([...new Set(input.roles)] as Role[]) : undefined
    if (newRoles) {
      const change = { ...target!, newRoles }
      authorizeLoaded(
        ctx.actor,
        'identity.user.assign-roles',
        target && change,
        '用户',
        id === ctx.actor.userId ? '不能修改自己的角色' : '无权分配这些角色（角色由安全管理员分配）',
      )
      checkRoleSet(newRoles)
    }
    if (id === ctx.actor.userId && input.status === 'disabled') throw conflict('不能停用自己的账号')
    const changes = {
      ...(input.name !== undefined && { name: input.name }),
      ...(newRoles !== undefined && { roles: newRoles }),
      ...(input.status !== undefined && { status: input.status }),
      ...(input.mobile !== undefined && { mobile: input.mobile }),
      ...(passwordHash !== undefined && { passwordHash, failedLogins: 0, lockedUntil: null }),
    }
    // A TOTP reset alone changes no column of users.
    if (Object.keys(changes).length > 0) await trx.updateTable('users').set(changes).where('id', '=', id).execute()
    // A lost phone: the user enrolls again at the next login (if TOTP is mandatory for them).
    if (input.resetTotp) await trx.deleteFrom('userTotp').where('userId', '=', id).execute()
    if (passwordHash !== undefined || input.status === 'disabled' || newRoles || input.resetTotp) await revokeUserSessions(trx, id, ctx.now())
    await recordAudit(trx, ctx, {
      action: 'identity.user.update',
      objectType: 'user',
      objectId: id,
      detail: {
        fields: Object.keys(input)
          .filter((k) => k !== 'password')
          .concat(input.password ? ['password(reset)'] : []),
        // Role changes carry the roles before and after (SPEC §8.4 S12: admin actions).
        ...(newRoles && { rolesBefore: user!.roles, rolesAfter: newRoles }),
      },
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
