import { type PolicyActor as Actor, type Rule, providerNotSelf, twoParties } from './rules.ts'

export interface ObjectionSubject {
  raiserOrgId: string
  providerOrgId: string
}

/** SPEC §2.3: the raising department, the provider and the authority see an objection; nobody else. */
const parties = twoParties('raiserOrgId')
/** SPEC §7.8: the provider verifies its own data, never an objection its own department raised. */
const provider = providerNotSelf('raiserOrgId')
const raiser = (actor: Actor, o: ObjectionSubject) => o.raiserOrgId === actor.orgId

export const objectionRules = {
  'objections.objection.create': { roles: ['REQUESTER'], describe: '获得数据的部门对记录提出数据异议（纠错）' },
  'objections.objection.list': {
    roles: ['REQUESTER', 'APPROVER', 'CATALOGER', 'DEPT_ADMIN', 'AUTH_ADMIN'],
    describe: '本单位提出或收到的异议；主管部门看全部',
  },
  'objections.objection.read': {
    roles: ['REQUESTER', 'APPROVER', 'CATALOGER', 'DEPT_ADMIN', 'AUTH_ADMIN'],
    scope: parties,
    describe: '提出方、提供方与主管部门查看异议及其证明材料（其他单位看不到，返回 404）',
  },
  'objections.objection.accept': {
    roles: ['AUTH_ADMIN'],
    visibility: 'objections.objection.read',
    describe: '主管部门受理异议（记录标注「有异议」）或驳回（须说明理由）',
  },
  'objections.objection.verify': {
    roles: ['APPROVER', 'CATALOGER', 'DEPT_ADMIN'],
    visibility: 'objections.objection.read',
    when: provider,
    describe: '提供部门核实：确认有误并在源头更正，或说明数据无误',
  },
  'objections.objection.dispute': {
    roles: ['REQUESTER'],
    visibility: 'objections.objection.read',
    when: raiser,
    describe: '提出方对提供部门的说明有异议时提请协调',
  },
} as const satisfies Record<string, Rule<ObjectionSubject> | Rule<never>>
