import type { Rule } from '../../platform/auth/rules.ts'

export const auditRules = {
  'audit.event.list': { roles: ['AUDITOR', 'SEC_ADMIN'], describe: '审计员、安全管理员查询审计日志（只读）' },
  'audit.chain.verify': { roles: ['AUDITOR'], describe: '审计员校验审计日志哈希链' },
} satisfies Record<string, Rule<never>>
