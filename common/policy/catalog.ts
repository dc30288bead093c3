import { ALL, type PolicyActor as Actor, type Rule, anyOf, isAuthority } from './rules.ts'

export interface ResourceSubject {
  providerOrgId: string
}
interface OrgSubject {
  orgId: string
}

const ownOrg = (actor: Actor, subject: ResourceSubject) => subject.providerOrgId === actor.orgId
const authorityOrOwnOrg = (actor: Actor, subject: OrgSubject) => isAuthority(actor) || subject.orgId === actor.orgId

export const catalogRules = {
  'catalog.class.list': { roles: 'any-user', describe: '任何已登录用户查看分类树' },
  'catalog.class.create': { roles: ['AUTH_ADMIN'], describe: '主管部门维护分类树' },
  'catalog.class.update': { roles: ['AUTH_ADMIN'], describe: '主管部门设置或更换分类节点的牵头部门' },
  'catalog.resource.search': { roles: 'any-user', describe: '检索：他人只见已发布版本，本部门与主管部门可见草稿' },
  'catalog.synonym.list': { roles: 'any-user', describe: '任何已登录用户查看检索同义词（简称与全称）' },
  'catalog.synonym.update': { roles: ['AUTH_ADMIN'], describe: '主管部门维护检索同义词' },
  'catalog.synonym.remove': { roles: ['AUTH_ADMIN'], describe: '主管部门删除检索同义词' },
  // A version is seen when it is published, or when it is the actor's own department's working copy
  // (the authority reviews every department's). The catalog queries turn this scope into one CASE.
  'catalog.resource.read': {
    roles: 'any-user',
    scope: (actor: Actor) => (isAuthority(actor) ? ALL : anyOf({ field: 'isPublished', equals: true }, { field: 'providerOrgId', equals: actor.orgId })),
    describe: '查看详情：他人只见已发布版本，本部门与主管部门可见草稿（不可见的返回 404）',
  },
  'catalog.draft.read': {
    roles: 'any-user',
    when: (actor: Actor, subject: ResourceSubject) => isAuthority(actor) || ownOrg(actor, subject),
    describe: '目录的工作副本（草稿、未发布版本、一数一源提示）仅提供部门和主管部门可见',
  },
  'catalog.resource.create': { roles: ['CATALOGER'], when: ownOrg, describe: '编目员为本单位编制目录' },
  'catalog.resource.update': { roles: ['CATALOGER'], visibility: 'catalog.resource.read', when: ownOrg, describe: '编目员修改本单位目录' },
  'catalog.resource.submit': { roles: ['CATALOGER'], visibility: 'catalog.resource.read', when: ownOrg, describe: '编目员提交本单位目录审核' },
  'catalog.resource.review': { roles: ['AUTH_ADMIN'], visibility: 'catalog.resource.read', describe: '主管部门审核发布或退回' },
  'catalog.resource.withdraw': {
    roles: ['CATALOGER', 'DEPT_ADMIN', 'AUTH_ADMIN'],
    visibility: 'catalog.resource.read',
    when: (actor: Actor, subject: ResourceSubject) => isAuthority(actor) || ownOrg(actor, subject),
    describe: '本单位编目员、部门管理员或主管部门下架目录',
  },
  'catalog.resource.import': { roles: ['CATALOGER'], describe: '编目员按国家 2017 模板导入本单位目录' },
  'catalog.resource.export': { roles: 'any-user', describe: '导出自己可见的目录' },
  'catalog.change-event.create': {
    roles: ['CATALOGER', 'DEPT_ADMIN', 'AUTH_ADMIN'],
    when: authorityOrOwnOrg,
    describe: '登记法律法规修订/职能调整（本单位；主管部门可代登记）',
  },
  'catalog.review-task.list': { roles: ['CATALOGER', 'DEPT_ADMIN', 'AUTH_ADMIN'], describe: '查看目录更新任务（主管部门看全部）' },
  'catalog.review-task.read': {
    roles: ['CATALOGER', 'DEPT_ADMIN', 'AUTH_ADMIN'],
    scope: (actor: Actor) => (isAuthority(actor) ? ALL : anyOf({ field: 'orgId', equals: actor.orgId })),
    describe: '本单位与主管部门看到目录更新任务（其他单位看不到）',
  },
  'catalog.review-task.complete': {
    roles: ['CATALOGER', 'DEPT_ADMIN'],
    visibility: 'catalog.review-task.read',
    when: (actor: Actor, subject: OrgSubject) => subject.orgId === actor.orgId,
    describe: '本单位确认更新任务已处理',
  },
} as const satisfies Record<string, Rule<ResourceSubject> | Rule<OrgSubject> | Rule<never>>
