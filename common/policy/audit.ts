import { ALL, type PolicyActor as Actor, type Rule, anyOf, holds } from './rules.ts'

/**
 * 三员分立 (SPEC §8.2 S7): the auditor reads every audit event, the administrators' included; the
 * security administrator reads ordinary users' events (not the three administrators', its own among
 * them). Nobody may change the log, so no rule grants a write on audit events (there is no such route).
 */
const auditScope = (actor: Actor) => (holds(actor, 'AUDITOR') ? ALL : anyOf({ field: 'byAdministrator', equals: false }))

export const auditRules = {
  'audit.event.list': {
    roles: ['AUDITOR', 'SEC_ADMIN'],
    scope: auditScope,
    describe: '安全审计员查询全部审计日志；安全管理员查询普通用户的审计日志（只读，查询本身记入审计）',
  },
  'audit.event.export': {
    roles: ['AUDITOR', 'SEC_ADMIN'],
    visibility: 'audit.event.list',
    describe: '导出可见范围内的审计日志（CSV/XLSX，导出本身记入审计）',
  },
  'audit.chain.verify': { roles: ['AUDITOR'], describe: '安全审计员校验审计日志哈希链（校验本身记入审计）' },
} as const satisfies Record<string, Rule<never>>
