import { ALL, type PolicyActor as Actor, type Rule, anyOf, holds } from './rules.ts'

interface AppSubject {
  orgId: string
}

export const gatewayRules = {
  'gateway.app.create': { roles: ['REQUESTER', 'DEPT_ADMIN'], describe: '申请人或部门管理员为本单位创建调用应用（密钥只显示一次）' },
  'gateway.app.list': { roles: ['REQUESTER', 'DEPT_ADMIN'], describe: '查看本单位的应用（不含密钥）' },
  'gateway.app.read': {
    roles: ['REQUESTER', 'DEPT_ADMIN'],
    scope: (actor: Actor) => anyOf({ field: 'orgId', equals: actor.orgId }),
    describe: '只看得到本单位的应用',
  },
  'gateway.app.update': {
    roles: ['REQUESTER', 'DEPT_ADMIN'],
    visibility: 'gateway.app.read',
    when: (actor: Actor, app: AppSubject) => app.orgId === actor.orgId,
    describe: '停用本单位应用或重置密钥',
  },
  'gateway.call.list': {
    roles: ['REQUESTER', 'APPROVER', 'DEPT_ADMIN', 'AUTH_ADMIN', 'AUDITOR'],
    scope: (actor: Actor) =>
      holds(actor, 'AUTH_ADMIN', 'AUDITOR') ? ALL : anyOf({ field: 'consumerOrgId', equals: actor.orgId }, { field: 'providerOrgId', equals: actor.orgId }),
    describe: '调用记录：使用方看自己的调用，提供方看谁调用了它的数据；主管部门、审计员看全部',
  },
  // The grant's own API document: whoever sees the grant (its two parties and the authority) may read it.
  'gateway.grant.openapi.read': {
    roles: ['REQUESTER', 'APPROVER', 'DEPT_ADMIN', 'AUTH_ADMIN'],
    visibility: 'sharing.grant.read',
    describe: '授权双方与主管部门下载按授权生成的接口文档（OpenAPI：授权的信息项、查询键、脱敏与限额）',
  },
  'gateway.call.export': {
    roles: ['REQUESTER', 'APPROVER', 'DEPT_ADMIN', 'AUTH_ADMIN', 'AUDITOR'],
    describe: '导出调用台账（Excel）：范围同调用记录，导出本身记入审计日志',
  },
  // 三员: the system and security administrators and the auditor read no data, not even masked samples.
  'gateway.sample.read': {
    visibility: 'catalog.resource.read',
    roles: ['REQUESTER', 'APPROVER', 'CATALOGER', 'DEPT_ADMIN', 'AUTH_ADMIN'],
    describe: '查看无条件共享目录的脱敏样例数据（系统管理员、安全管理员、审计员不可见数据）',
  },
  // The reviewer checks that the mounted data matches the entry it reviews: a submitted version only, and
  // masked by the default rules (不予共享 items withheld), so the review never reads data in clear.
  'gateway.review-sample.read': {
    visibility: 'catalog.resource.read',
    roles: ['AUTH_ADMIN'],
    when: (_actor: Actor, entry: { latestStatus: string | null }) => entry.latestStatus === 'pending_review',
    describe: '主管部门审核时查看待审核目录所挂接数据的样例（前 5 行，按默认规则脱敏，不予共享的信息项不显示）',
  },
  // Apps the gateway caught probing (many empty or refused lookups): reviewed by the security administrator.
  'gateway.flag.list': { roles: ['SEC_ADMIN'], describe: '安全管理员查看被标记的异常调用应用（大量查询未命中）' },
  'gateway.flag.clear': { roles: ['SEC_ADMIN'], describe: '安全管理员核查后关闭异常调用标记（须说明处理情况）' },
  // App-authenticated (app token, not a user session): see platform/auth/plugin.ts `appAuth`.
  'gateway.records.read': { roles: [], describe: '应用凭访问令牌按授权读取数据（用户令牌无效）' },
} as const satisfies Record<string, Rule<AppSubject> | Rule<{ latestStatus: string | null }> | Rule<never>>
