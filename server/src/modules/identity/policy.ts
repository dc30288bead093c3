import type { Role } from '../../../../common/roles.ts'
import type { Rule } from '../../platform/auth/rules.ts'

/** Roles only the platform (SYS_ADMIN) may hand out: a department admin cannot create auditors or authority staff. */
export const PLATFORM_ROLES: readonly Role[] = ['SYS_ADMIN', 'SEC_ADMIN', 'AUDITOR', 'AUTH_ADMIN']

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
