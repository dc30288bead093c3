import { type Rule, providerNotSelf, twoParties } from './rules.ts'

export interface DemandSubject {
  requesterOrgId: string
  providerOrgId: string | null
}

/** The requesting department, the assigned provider and the authority see a demand. */
const parties = twoParties('requesterOrgId')
/** SPEC §7.9: the assigned provider answers, never for a demand of its own department. */
const assignedProvider = providerNotSelf('requesterOrgId')

export const demandRules = {
  'demands.demand.create': { roles: ['REQUESTER'], describe: '部门登记目录中没有的数据需求' },
  'demands.demand.list': {
    roles: ['REQUESTER', 'APPROVER', 'CATALOGER', 'DEPT_ADMIN', 'AUTH_ADMIN'],
    describe: '需求清单、责任清单：本单位提出或承担的需求；主管部门看全部',
  },
  'demands.demand.read': {
    roles: ['REQUESTER', 'APPROVER', 'CATALOGER', 'DEPT_ADMIN', 'AUTH_ADMIN'],
    scope: parties,
    describe: '需求方、被指派的提供部门与主管部门查看需求（其他单位看不到，返回 404）',
  },
  'demands.demand.triage': { roles: ['AUTH_ADMIN'], visibility: 'demands.demand.read', describe: '主管部门分办：指派提供部门、匹配已有目录或退回' },
  'demands.demand.respond': {
    roles: ['APPROVER', 'DEPT_ADMIN'],
    visibility: 'demands.demand.read',
    when: assignedProvider,
    describe: '被指派的提供部门接受（列入责任清单）或说明理由拒绝（转协调）',
  },
  'demands.demand.fulfil': {
    roles: ['CATALOGER', 'APPROVER', 'DEPT_ADMIN'],
    visibility: 'demands.demand.read',
    when: assignedProvider,
    describe: '提供部门编目挂接后登记满足需求（自动为需求方发起共享申请）',
  },
  'demands.negative.list': { roles: 'any-user', describe: '负面清单：经确认不予共享的数据及其依据，向所有部门公开' },
} as const satisfies Record<string, Rule<DemandSubject> | Rule<never>>
