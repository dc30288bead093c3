import { ROLE_LABELS, type Role } from '../roles.ts'
import { ALL, type PolicyActor as Actor, type Rule, anyOf, holds } from './rules.ts'

/** 三员 (SPEC §2.2, §8.2 S7): the system administrator, the security administrator and the auditor. */
export const THREE_ADMINS: readonly Role[] = ['SYS_ADMIN', 'SEC_ADMIN', 'AUDITOR']
/** Roles only the platform hands out: a department admin cannot create auditors or authority staff. */
export const PLATFORM_ROLES: readonly Role[] = ['SYS_ADMIN', 'SEC_ADMIN', 'AUDITOR', 'AUTH_ADMIN']

/** Roles that must use a second factor when the deployment requires it (SPEC §8.2 S4: approvers and admins). */
export const TOTP_ROLES: readonly Role[] = ['APPROVER', 'SYS_ADMIN', 'SEC_ADMIN', 'AUTH_ADMIN', 'DEPT_ADMIN']
export const holdsTotpRole = (roles: readonly string[]) => roles.some((role) => TOTP_ROLES.includes(role as Role))

/** What a session restricted to TOTP enrollment may still do. */
export const TOTP_ENROLLMENT_ACTIONS = [
  'identity.session.me',
  'identity.session.logout',
  'identity.password.change',
  'identity.totp.status',
  'identity.totp.enroll',
  'identity.totp.confirm',
] as const

export const isAdminOfThree = (roles: readonly Role[]) => roles.some((role) => THREE_ADMINS.includes(role))

/**
 * Why a set of roles may not be held by one account, or null. Each of the three administrators holds
 * that one role only: not two of the three, and no data or business role beside it.
 */
export function roleSetProblem(roles: readonly Role[]): string | null {
  const admins = roles.filter((role) => THREE_ADMINS.includes(role))
  if (admins.length > 1) return `${admins.map((r) => ROLE_LABELS[r]).join('、')}须由不同账号担任（三员分立）`
  if (admins.length === 1 && roles.length > 1) {
    const others = roles.filter((role) => role !== admins[0]).map((r) => ROLE_LABELS[r])
    return `${ROLE_LABELS[admins[0]]}不得兼任${others.join('、')}（三员分立，管理员不接触业务数据）`
  }
  return null
}

/** An account as the identity rules see it. `id` is the account's own id. */
export interface UserSubject {
  id?: string
  orgId: string
  roles: readonly Role[]
}
/** A role change: the account as it is, and the roles it would get. */
export interface RoleChangeSubject extends UserSubject {
  newRoles: readonly Role[]
}

const notSelf = (actor: Actor, target: UserSubject) => !target.id || target.id !== actor.userId
const ownDeptOrdinary = (actor: Actor, target: UserSubject) =>
  holds(actor, 'DEPT_ADMIN') && target.orgId === actor.orgId && !target.roles.some((r) => PLATFORM_ROLES.includes(r))

/**
 * Who keeps an account's password, authenticator and status: the security administrator keeps the
 * auditor's and the system administrator's, the system administrator the security administrator's,
 * so no one of the three can take over another's account alone. Other accounts: the system
 * administrator, or the department admin of their own department.
 */
function keepsAccount(actor: Actor, target: UserSubject): boolean {
  if (target.roles.includes('AUDITOR') || target.roles.includes('SYS_ADMIN')) return holds(actor, 'SEC_ADMIN')
  if (target.roles.includes('SEC_ADMIN')) return holds(actor, 'SYS_ADMIN')
  return holds(actor, 'SYS_ADMIN') || ownDeptOrdinary(actor, target)
}

/** SEC_ADMIN assigns any role (within 三员 rules); a department admin assigns business roles in its own department. */
function assignsRoles(actor: Actor, change: RoleChangeSubject): boolean {
  if (!notSelf(actor, change)) return false
  if (holds(actor, 'SEC_ADMIN')) return true
  return ownDeptOrdinary(actor, change) && !change.newRoles.some((r) => PLATFORM_ROLES.includes(r))
}

export const identityRules = {
  'identity.session.me': { roles: 'any-user', describe: '任何已登录用户查看自己的身份' },
  'identity.session.logout': { roles: 'any-user', describe: '任何已登录用户退出登录' },
  'identity.password.change': { roles: 'any-user', describe: '任何已登录用户凭当前密码修改自己的密码' },
  'identity.totp.status': { roles: 'any-user', describe: '查看自己的动态验证码状态' },
  'identity.totp.enroll': { roles: 'any-user', describe: '凭当前密码为自己绑定动态验证码（审批和管理角色可被要求必须绑定）' },
  'identity.totp.confirm': { roles: 'any-user', describe: '用验证码确认绑定' },
  'identity.totp.disable': { roles: 'any-user', describe: '用验证码停用自己的动态验证码（平台要求时不可停用）' },
  'identity.user.list': { roles: ['SYS_ADMIN', 'SEC_ADMIN', 'DEPT_ADMIN'], describe: '系统管理员、安全管理员看全部用户；部门管理员看本部门' },
  'identity.user.read': {
    roles: ['SYS_ADMIN', 'SEC_ADMIN', 'DEPT_ADMIN'],
    scope: (actor: Actor) => (holds(actor, 'SYS_ADMIN', 'SEC_ADMIN') ? ALL : anyOf({ field: 'orgId', equals: actor.orgId })),
    describe: '系统管理员、安全管理员看到全部账号；部门管理员只看到本部门账号',
  },
  'identity.user.create': {
    roles: ['SYS_ADMIN', 'DEPT_ADMIN'],
    when: (actor: Actor, target: UserSubject) => (holds(actor, 'SYS_ADMIN') ? target.roles.length === 0 : ownDeptOrdinary(actor, target)),
    describe: '系统管理员在任何单位开设账号（不带角色，角色由安全管理员分配）；部门管理员只在本部门建业务角色用户',
  },
  'identity.user.update': {
    roles: ['SYS_ADMIN', 'SEC_ADMIN', 'DEPT_ADMIN'],
    visibility: 'identity.user.read',
    when: keepsAccount,
    describe: '修改姓名、手机、启用停用：系统管理员管普通账号和安全管理员账号，安全管理员管审计员和系统管理员账号，部门管理员管本部门业务账号',
  },
  'identity.user.assign-roles': {
    roles: ['SEC_ADMIN', 'DEPT_ADMIN'],
    visibility: 'identity.user.read',
    when: assignsRoles,
    describe: '安全管理员分配角色（三员不得兼任，不得给自己分配）；部门管理员为本部门账号分配业务角色',
  },
  'identity.user.reset-credentials': {
    roles: ['SYS_ADMIN', 'SEC_ADMIN', 'DEPT_ADMIN'],
    visibility: 'identity.user.read',
    when: (actor: Actor, target: UserSubject) => notSelf(actor, target) && keepsAccount(actor, target),
    describe: '重置密码或动态验证码：审计员和系统管理员的由安全管理员重置，安全管理员的由系统管理员重置，其他账号由系统管理员或本部门管理员重置',
  },
} as const satisfies Record<string, Rule<UserSubject> | Rule<RoleChangeSubject> | Rule<never>>
