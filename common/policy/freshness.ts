import { ALL, type PolicyActor, type Rule, anyOf, isAuthority } from './rules.ts'

/** SPEC §7.3: the provider sees its own mounts' freshness and quality; the authority sees all. */
export const freshnessRules = {
  'freshness.mount.list': {
    roles: ['CATALOGER', 'DEPT_ADMIN', 'AUTH_ADMIN'],
    scope: (actor: PolicyActor) => (isAuthority(actor) ? ALL : anyOf({ field: 'providerOrgId', equals: actor.orgId })),
    describe: '挂接数据的更新及时性（未按时更新标记）与每批数据的质量报告：提供方看本单位，主管部门看全部',
  },
} as const satisfies Record<string, Rule<never>>
