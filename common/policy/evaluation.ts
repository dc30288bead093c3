import { ALL, type PolicyActor, type Rule, anyOf, isAuthority } from './rules.ts'

export interface ScoreSubject {
  orgId: string
}
export interface NoticeSubject {
  orgId: string
}

/** SPEC §9: the authority sees every department's scores; a department sees its own (never another's). */
const ownOrAll = (actor: PolicyActor) => (isAuthority(actor) ? ALL : anyOf({ field: 'orgId', equals: actor.orgId }))

export const evaluationRules = {
  'evaluation.indicator.list': { roles: ['AUTH_ADMIN', 'DEPT_ADMIN'], describe: '考核指标、权重与达标线' },
  'evaluation.settings.update': { roles: ['AUTH_ADMIN'], describe: '主管部门设置本市或某区县的指标权重与达标线' },
  'evaluation.run.create': { roles: ['AUTH_ADMIN'], describe: '主管部门对某一期间运行考核（结果冻结为快照）' },
  'evaluation.run.list': { roles: ['AUTH_ADMIN', 'DEPT_ADMIN'], describe: '查看考核期次' },
  'evaluation.score.read': {
    roles: ['AUTH_ADMIN', 'DEPT_ADMIN'],
    scope: ownOrAll,
    describe: '主管部门查看全部部门得分、排名与明细；部门管理员只看本部门（其他部门返回 404）',
  },
  'evaluation.report.read': {
    roles: ['AUTH_ADMIN', 'DEPT_ADMIN'],
    visibility: 'evaluation.score.read',
    describe: '下载年度共享工作报告（部门只能下载本部门的；全市报告仅主管部门）',
  },
  'evaluation.notice.issue': { roles: ['AUTH_ADMIN'], describe: '对低于达标线的指标下发整改通知' },
  'evaluation.notice.list': { roles: ['AUTH_ADMIN', 'DEPT_ADMIN'], scope: ownOrAll, describe: '整改通知：主管部门看全部，部门看本部门' },
  'evaluation.notice.respond': {
    roles: ['DEPT_ADMIN'],
    visibility: 'evaluation.notice.list',
    when: (actor: PolicyActor, n: NoticeSubject) => n.orgId === actor.orgId,
    describe: '被通知部门的部门管理员反馈整改措施',
  },
  'evaluation.notice.close': { roles: ['AUTH_ADMIN'], visibility: 'evaluation.notice.list', describe: '主管部门办结或退回整改反馈' },
} as const satisfies Record<string, Rule<ScoreSubject> | Rule<NoticeSubject> | Rule<never>>
