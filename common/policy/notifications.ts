import { type PolicyActor, type Rule, anyOf } from './rules.ts'

/**
 * 站内消息: a message addressed to a user is that user's; one addressed to an organisation is every
 * member's. `audience` is `user:<id>` or `org:<id>` (computed in SQL), so one scope term covers each.
 */
const ownMessages = (actor: PolicyActor) =>
  anyOf({ field: 'audience', equals: `user:${actor.userId ?? ''}` }, { field: 'audience', equals: `org:${actor.orgId}` })

export const notificationRules = {
  'notification.list': { roles: 'any-user', scope: ownMessages, describe: '查看发给本人或本单位的站内消息' },
  'notification.mark-read': { roles: 'any-user', visibility: 'notification.list', describe: '将本人可见的站内消息标为已读' },
} as const satisfies Record<string, Rule<never>>
