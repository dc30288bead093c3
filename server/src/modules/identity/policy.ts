import type { Role } from '../../../../common/roles.ts'
import type { Rule } from '../../platform/auth/rules.ts'

/** Roles only the platform (SYS_ADMIN) may hand out: a department admin cannot create auditors or authority staff. */
export const PLATFORM_ROLES: readonly Role[] = ['SYS_ADMIN', 'SEC_ADMIN', 'AUDITOR', 'AUTH_ADMIN']

/** Roles that must use a second factor when the deployment requires it (SPEC §8.2 S4: approvers and admins). */
export const TOTP_ROLES: readonly Role[] = ['APPROVER', 'SYS_ADMIN', 'SEC_ADMIN', 'AUTH_ADMIN', 'DEPT_ADMIN']
export const holdsTotpRole = (roles: readonly string[]) => roles.some((role) => TOTP_ROLES.includes(role as Role))

/** What a session restricted to TOTP enrollment may still do. */
export const TOTP_ENROLLMENT_ACTIONS: readonly string[] = [
  'identity.session.me',
  'identity.session.logout',
  'identity.password.change',
  'identity.totp.status',
  'identity.totp.enroll',
  'identity.totp.confirm',
]

interface UserSubject {
  orgId: string
  roles: readonly Role[]
}

const sysAdminOrOwnDeptAdmin: Rule<UserSubject>['when'] = (actor, target) =>
  actor.roles.includes('SYS_ADMIN') ||
  (actor.roles.includes('DEPT_ADMIN') && target.orgId === actor.orgId && !target.roles.some((r) => PLATFORM_ROLES.includes(r)))

export const identityRules = {
  'identity.session.me': { roles: 'any-user', describe: '任何已登录用户查看自己的身份' },
  'identity.session.logout': { roles: 'any-user', describe: '任何已登录用户退出登录' },
  'identity.password.change': { roles: 'any-user', describe: '任何已登录用户凭当前密码修改自己的密码' },
  'identity.totp.status': { roles: 'any-user', describe: '查看自己的动态验证码状态' },
  'identity.totp.enroll': { roles: 'any-user', describe: '凭当前密码为自己绑定动态验证码（审批和管理角色可被要求必须绑定）' },
  'identity.totp.confirm': { roles: 'any-user', describe: '用验证码确认绑定' },
  'identity.totp.disable': { roles: 'any-user', describe: '用验证码停用自己的动态验证码（平台要求时不可停用）' },
  'identity.user.list': { roles: ['SYS_ADMIN', 'DEPT_ADMIN'], describe: '系统管理员看全部用户；部门管理员看本部门' },
  'identity.user.create': {
    roles: ['SYS_ADMIN', 'DEPT_ADMIN'],
    when: sysAdminOrOwnDeptAdmin,
    describe: '系统管理员在任何单位建用户；部门管理员只在本部门建业务角色用户',
  },
  'identity.user.update': {
    roles: ['SYS_ADMIN', 'DEPT_ADMIN'],
    when: sysAdminOrOwnDeptAdmin,
    describe: '同创建：修改角色、状态、重置密码',
  },
} satisfies Record<string, Rule<UserSubject>>
