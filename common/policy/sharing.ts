import { type PolicyActor as Actor, type Rule, isAuthority, providerNotSelf, twoParties } from './rules.ts'

export interface RequestSubject {
  requesterOrgId: string
  providerOrgId: string
}
export interface GrantSubject {
  consumerOrgId: string
  providerOrgId: string
}
export interface CaseSubject {
  applicantOrgId: string
  providerOrgId: string
}

/** SPEC §2.3 / §8.2 S7: the provider decides, never on its own department's request. */
const providerDecides = providerNotSelf('requesterOrgId')
/** The providing department's approver, or the authority, acts on a grant. */
const providerOrAuthority = (actor: Actor, g: GrantSubject) => isAuthority(actor) || g.providerOrgId === actor.orgId
/** The requesting department acts on its own request. */
const ownRequest = (actor: Actor, r: RequestSubject) => r.requesterOrgId === actor.orgId
const isParty = (actor: Actor, c: CaseSubject) => c.applicantOrgId === actor.orgId || c.providerOrgId === actor.orgId

export const sharingRules = {
  'sharing.request.create': { roles: ['REQUESTER'], describe: '申请人为本单位申请共享数据' },
  'sharing.request.list': { roles: ['REQUESTER', 'APPROVER', 'AUTH_ADMIN', 'DEPT_ADMIN'], describe: '我的申请/待我审批/全部（主管部门）' },
  'sharing.request.export': {
    roles: ['REQUESTER', 'APPROVER', 'AUTH_ADMIN', 'DEPT_ADMIN'],
    describe: '导出申请台账（Excel）：范围同申请列表，导出本身记入审计日志',
  },
  'sharing.request.read': {
    roles: ['REQUESTER', 'APPROVER', 'AUTH_ADMIN', 'DEPT_ADMIN'],
    scope: twoParties('requesterOrgId'),
    describe: '申请方、提供方与主管部门查看申请（其他单位看不到，返回 404）',
  },
  'sharing.request.decide': {
    roles: ['APPROVER'],
    visibility: 'sharing.request.read',
    when: providerDecides,
    describe: '提供方审批员审批（不得审批本单位的申请）',
  },
  'sharing.request.preview-terms': {
    roles: ['APPROVER', 'AUTH_ADMIN'],
    visibility: 'sharing.request.read',
    when: (actor: Actor, r: RequestSubject) => isAuthority(actor) || providerDecides(actor, r),
    describe: '审批前预览授权条件：实际脱敏规则与再识别风险提示（不作任何改动）',
  },
  'sharing.request.request-info': {
    roles: ['APPROVER'],
    visibility: 'sharing.request.read',
    when: providerDecides,
    describe: '提供方要求补正（暂停计时一次）',
  },
  'sharing.request.resubmit': {
    roles: ['REQUESTER'],
    visibility: 'sharing.request.read',
    when: ownRequest,
    describe: '申请人补正后重新提交',
  },
  'sharing.request.withdraw': {
    roles: ['REQUESTER'],
    visibility: 'sharing.request.read',
    when: ownRequest,
    describe: '申请人在决定前撤回',
  },
  'sharing.request.compliance-review': {
    roles: ['AUTH_ADMIN'],
    visibility: 'sharing.request.read',
    describe: '主管部门合规审查有条件共享申请（国办发〔2024〕模式，租户参数开启时）：通过后交提供部门，或退回修改',
  },
  'sharing.request.authority-decide': { roles: ['AUTH_ADMIN'], visibility: 'sharing.request.read', describe: '主管部门对逾期申请直接授权或延期一次' },
  'sharing.grant.list': { roles: ['REQUESTER', 'APPROVER', 'AUTH_ADMIN', 'DEPT_ADMIN'], describe: '本单位获得/提供的授权' },
  'sharing.grant.export': {
    roles: ['REQUESTER', 'APPROVER', 'AUTH_ADMIN', 'DEPT_ADMIN'],
    describe: '导出授权台账（Excel）：范围同授权列表，导出本身记入审计日志',
  },
  'sharing.grant.read': {
    roles: ['REQUESTER', 'APPROVER', 'AUTH_ADMIN', 'DEPT_ADMIN'],
    scope: twoParties('consumerOrgId'),
    describe: '授权双方与主管部门查看授权（其他单位看不到，返回 404）',
  },
  'sharing.grant.revoke': {
    roles: ['APPROVER', 'AUTH_ADMIN'],
    visibility: 'sharing.grant.read',
    when: providerOrAuthority,
    describe: '提供方审批员或主管部门撤销授权',
  },
  'sharing.grant.suspend': {
    roles: ['APPROVER', 'AUTH_ADMIN'],
    visibility: 'sharing.grant.read',
    when: providerOrAuthority,
    describe: '提供方审批员或主管部门暂停授权（安全事件、违规使用；须说明原因）',
  },
  'sharing.grant.resume': {
    roles: ['APPROVER', 'AUTH_ADMIN'],
    visibility: 'sharing.grant.read',
    when: providerOrAuthority,
    describe: '提供方审批员或主管部门恢复已暂停的授权',
  },
  'sharing.grant.reconfirm': {
    roles: ['APPROVER'],
    visibility: 'sharing.grant.read',
    when: (actor: Actor, g: GrantSubject) => g.providerOrgId === actor.orgId,
    describe: '目录共享类型收紧后，提供方审批员重新确认授权的信息项',
  },
  'sharing.usage.list': {
    roles: ['REQUESTER', 'APPROVER', 'AUTH_ADMIN', 'DEPT_ADMIN'],
    visibility: 'sharing.grant.read',
    describe: '使用方看自己的使用记录，提供方看谁用了它的数据',
  },
  'sharing.masking.preview': { roles: 'any-user', describe: '预览脱敏规则效果' },
  'sharing.case.create': { roles: ['REQUESTER'], describe: '被拒绝或不予共享时申请协调' },
  'sharing.case.list': { roles: ['REQUESTER', 'APPROVER', 'AUTH_ADMIN', 'DEPT_ADMIN'], describe: '本单位参与的协调案件；主管部门看全部' },
  'sharing.case.read': {
    roles: ['REQUESTER', 'APPROVER', 'AUTH_ADMIN', 'DEPT_ADMIN'],
    scope: twoParties('applicantOrgId'),
    describe: '协调双方与主管部门查看（其他单位看不到，返回 404）',
  },
  'sharing.case.note': {
    roles: ['REQUESTER', 'APPROVER', 'DEPT_ADMIN', 'AUTH_ADMIN'],
    visibility: 'sharing.case.read',
    describe: '双方与主管部门记录协商情况',
  },
  'sharing.case.escalate': {
    roles: ['REQUESTER', 'APPROVER', 'DEPT_ADMIN', 'AUTH_ADMIN'],
    visibility: 'sharing.case.read',
    when: (actor: Actor, c: CaseSubject) => isParty(actor, c) || isAuthority(actor),
    describe: '协商不成，由一方提请或主管部门接手协调（须先有协商记录）',
  },
  'sharing.case.escalate-up': { roles: ['AUTH_ADMIN'], visibility: 'sharing.case.read', describe: '涉及省级或中央事项的案件提交上级（市政府/省级）协调' },
  'sharing.case.close': { roles: ['AUTH_ADMIN'], visibility: 'sharing.case.read', describe: '决定执行完毕（或上级已作出决定）后由主管部门结案' },
  'sharing.case.decide': { roles: ['AUTH_ADMIN'], visibility: 'sharing.case.read', describe: '主管部门作出有约束力的协调决定' },
} as const satisfies Record<string, Rule<RequestSubject> | Rule<GrantSubject> | Rule<CaseSubject> | Rule<never>>
