import { ALL, type PolicyActor as Actor, type Rule, anyOf, isAuthority } from './rules.ts'

export interface ElementCaseSubject {
  orgId: string
}

export const elementRules = {
  'elements.element.list': {
    // Every department reads it; the three administrators handle no data and are not shown it.
    roles: ['REQUESTER', 'APPROVER', 'CATALOGER', 'DEPT_ADMIN', 'NODE_OPERATOR', 'AUTH_ADMIN'],
    describe: '一数一源：数据元及其数源部门向所有部门公开',
  },
  'elements.element.manage': { roles: ['AUTH_ADMIN'], describe: '主管部门登记数据元、指定数源部门' },
  'elements.case.list': {
    roles: ['AUTH_ADMIN', 'CATALOGER', 'DEPT_ADMIN'],
    scope: (actor: Actor) => (isAuthority(actor) ? ALL : anyOf({ field: 'orgId', equals: actor.orgId })),
    describe: '重复采集工作台：主管部门看全部，部门看本单位的',
  },
  'elements.case.decide': { roles: ['AUTH_ADMIN'], visibility: 'elements.case.list', describe: '主管部门处理重复采集：改为共享获取或确认合理例外' },
} as const satisfies Record<string, Rule<ElementCaseSubject> | Rule<never>>
