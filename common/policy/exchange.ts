import { ALL, type PolicyActor as Actor, type Rule, anyOf, isAuthority } from './rules.ts'

/** A front-end node, a job or a run as far as the policy cares: whose node it is. */
interface NodeSubject {
  orgId: string
}
/** A feed: the entry's provider; a delivery: the grant's consumer. Both run on a node of that organisation. */
interface FeedSubject {
  providerOrgId: string
}
interface DeliverySubject {
  consumerOrgId: string
}
/** A 文件 grant or one of its downloads: the two parties. */
interface FileSubject {
  consumerOrgId: string
  providerOrgId: string
}

const ownNode = (actor: Actor, node: NodeSubject) => node.orgId === actor.orgId

export const exchangeRules = {
  // The authority sees every department's nodes and jobs (supervision); a department sees its own.
  'exchange.node.read': {
    roles: ['NODE_OPERATOR', 'DEPT_ADMIN', 'AUTH_ADMIN'],
    scope: (actor: Actor) => (isAuthority(actor) ? ALL : anyOf({ field: 'orgId', equals: actor.orgId })),
    describe: '前置机运维、部门管理员查看本单位的前置机、交换任务和运行记录；主管部门查看全部',
  },
  'exchange.node.create': { roles: ['NODE_OPERATOR', 'DEPT_ADMIN'], describe: '前置机运维或部门管理员登记本单位前置机，取得一次性注册码（24 小时内有效）' },
  'exchange.node.update': {
    roles: ['NODE_OPERATOR', 'DEPT_ADMIN'],
    visibility: 'exchange.node.read',
    when: ownNode,
    describe: '重新签发本单位前置机的注册码（原凭据作废）',
  },
  'exchange.node.revoke': {
    roles: ['NODE_OPERATOR', 'DEPT_ADMIN'],
    visibility: 'exchange.node.read',
    when: ownNode,
    describe: '注销本单位前置机：凭据和注册码立即失效，运行记录保留（须先停止其上的交换任务）',
  },
  'exchange.feed.create': {
    roles: ['NODE_OPERATOR', 'DEPT_ADMIN', 'CATALOGER'],
    when: (actor: Actor, subject: FeedSubject) => subject.providerOrgId === actor.orgId,
    describe: '提供方通过本单位前置机为目录挂接库表（源表、主键、增量字段、信息项与列的对应、过滤条件），校验通过后生效',
  },
  'exchange.delivery.create': {
    roles: ['NODE_OPERATOR', 'DEPT_ADMIN'],
    when: (actor: Actor, subject: DeliverySubject) => subject.consumerOrgId === actor.orgId,
    describe: '使用方为本单位的有效库表授权建立交付任务，数据按授权脱敏、过滤后写入本单位前置机的目标表',
  },
  'exchange.job.update': {
    roles: ['NODE_OPERATOR', 'DEPT_ADMIN'],
    visibility: 'exchange.node.read',
    when: ownNode,
    describe: '本单位交换任务：调整并行通道、限速、错误上限和写入方式，立即运行、暂停、恢复、停止',
  },
  // File delivery (SPEC §6.7, §8.3 S11): the consumer downloads; both parties and the authority see the log.
  'exchange.file.download': {
    roles: ['REQUESTER', 'DEPT_ADMIN'],
    visibility: 'sharing.grant.read',
    when: (actor: Actor, grant: FileSubject) => grant.consumerOrgId === actor.orgId,
    describe: '使用方下载本单位有效文件授权的文件（每次下载记录用途并加下载标记）',
  },
  'exchange.download.list': {
    roles: ['REQUESTER', 'APPROVER', 'AUTH_ADMIN', 'DEPT_ADMIN'],
    visibility: 'sharing.grant.read',
    describe: '授权双方与主管部门查看文件授权的下载记录',
  },
  // A leaked copy names its download id: the provider whose data it is, and the authority, trace it.
  'exchange.download.trace': {
    roles: ['APPROVER', 'AUTH_ADMIN', 'DEPT_ADMIN'],
    scope: (actor: Actor) => (isAuthority(actor) ? ALL : anyOf({ field: 'providerOrgId', equals: actor.orgId })),
    describe: '提供方或主管部门按下载编号追查外泄文件的来源（使用单位、下载人、时间、用途）',
  },
  // Agent-authenticated (the node's own credential, not a user session): see exchange/agent-routes.ts.
  'exchange.agent.call': { roles: [], describe: '前置机代理凭本节点凭据注册、心跳、领取任务和报告结果（用户令牌无效）' },
} as const satisfies Record<string, Rule<NodeSubject> | Rule<FeedSubject> | Rule<DeliverySubject> | Rule<FileSubject> | Rule<never>>
