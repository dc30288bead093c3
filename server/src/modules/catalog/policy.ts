import type { Actor } from '../../platform/auth/actor.ts'
import type { Rule } from '../../platform/auth/rules.ts'

export interface ResourceSubject {
  providerOrgId: string
}
interface OrgSubject {
  orgId: string
}

const ownOrg = (actor: Actor, subject: ResourceSubject) => subject.providerOrgId === actor.orgId
const authorityOrOwnOrg = (actor: Actor, subject: OrgSubject) => actor.roles.includes('AUTH_ADMIN') || subject.orgId === actor.orgId

export const catalogRules = {
  'catalog.class.list': { roles: 'any-user', describe: '任何已登录用户查看分类树' },
  'catalog.class.create': { roles: ['AUTH_ADMIN'], describe: '主管部门维护分类树' },
  'catalog.resource.search': { roles: 'any-user', describe: '检索：他人只见已发布版本，本部门与主管部门可见草稿' },
  'catalog.resource.read': { roles: 'any-user', describe: '查看详情（不可见的返回 404）' },
  'catalog.resource.create': { roles: ['CATALOGER'], when: ownOrg, describe: '编目员为本单位编制目录' },
  'catalog.resource.update': { roles: ['CATALOGER'], when: ownOrg, describe: '编目员修改本单位目录' },
  'catalog.resource.submit': { roles: ['CATALOGER'], when: ownOrg, describe: '编目员提交本单位目录审核' },
  'catalog.resource.review': { roles: ['AUTH_ADMIN'], describe: '主管部门审核发布或退回' },
  'catalog.resource.withdraw': {
    roles: ['CATALOGER', 'DEPT_ADMIN', 'AUTH_ADMIN'],
    when: (actor: Actor, subject: ResourceSubject) => actor.roles.includes('AUTH_ADMIN') || ownOrg(actor, subject),
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
  'catalog.review-task.complete': {
    roles: ['CATALOGER', 'DEPT_ADMIN'],
    when: (actor: Actor, subject: OrgSubject) => subject.orgId === actor.orgId,
    describe: '本单位确认更新任务已处理',
  },
} satisfies Record<string, Rule<ResourceSubject> | Rule<OrgSubject> | Rule<never>>
