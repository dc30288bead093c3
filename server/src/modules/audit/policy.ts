import type { Rule } from '../../platform/auth/rules.ts'

// 三员分立 (SPEC §8.2 S7): only the security auditor reads the audit log; nobody may change it, so no
// rule grants any write on audit events (there is no such route).
export const auditRules = {
  'audit.event.list': { roles: ['AUDITOR'], describe: '安全审计员查询审计日志（只读）' },
  'audit.event.export': { roles: ['AUDITOR'], describe: '安全审计员导出审计日志（CSV/XLSX，导出本身记入审计）' },
  'audit.chain.verify': { roles: ['AUDITOR'], describe: '安全审计员校验审计日志哈希链' },
} satisfies Record<string, Rule<never>>
