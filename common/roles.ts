/** Platform roles (API.md "Identity"; SPEC §2.2). */
export const ROLES = ['SYS_ADMIN', 'SEC_ADMIN', 'AUDITOR', 'AUTH_ADMIN', 'DEPT_ADMIN', 'CATALOGER', 'APPROVER', 'REQUESTER', 'NODE_OPERATOR'] as const
export type Role = (typeof ROLES)[number]

export const ROLE_LABELS: Record<Role, string> = {
  SYS_ADMIN: '系统管理员',
  SEC_ADMIN: '安全管理员',
  AUDITOR: '安全审计员',
  AUTH_ADMIN: '主管部门管理员',
  DEPT_ADMIN: '部门管理员',
  CATALOGER: '编目员',
  APPROVER: '共享审批员',
  REQUESTER: '申请人',
  NODE_OPERATOR: '前置机运维',
}
