import type { Executor } from '../db/database.ts'

/**
 * Tenant parameters (SPEC §7.1: every clock is a parameter): the known keys, their defaults and the
 * values the system administrator may choose. The table `parameters` holds only the values changed
 * from these defaults.
 */
export const PARAMETERS = {
  'sharing.providerReplyWorkdays': {
    label: '有条件共享答复时限（工作日）',
    description:
      '提供部门答复有条件共享申请的期限，从申请提交（开启合规审查时从审查通过）起算；国发〔2016〕51号为 10 个工作日。5 个工作日的短时限只适用于已挂接的数据，见 sharing.mountedReplyWorkdays',
    default: 10,
    // Never shorter than 10: data not yet on the platform needs cataloguing and mounting first (SPEC §7.1, GP24).
    allowed: [10, 15, 20],
  },
  'sharing.complianceReview': {
    label: '主管部门合规审查（国办发〔2024〕模式）',
    description:
      '1 为开启：有条件共享申请先由主管部门在规定时限内审查用途与履职依据，通过后再交提供部门答复；已挂接数据的答复时限随之缩短。0 为关闭（默认，申请直接交提供部门）',
    default: 0,
    allowed: [0, 1],
  },
  'sharing.complianceReviewWorkdays': {
    label: '主管部门合规审查时限（工作日）',
    description: '开启合规审查时，主管部门审查有条件共享申请的期限，从申请提交起算（SPEC §7.1：2 个工作日）',
    default: 2,
    allowed: [1, 2, 3],
  },
  'sharing.mountedReplyWorkdays': {
    label: '已挂接数据答复时限（工作日）',
    description:
      '开启合规审查时，申请的数据在审查通过时已挂接（有在用的库表、文件或接口），提供部门自审查通过起答复的期限；未挂接的数据仍适用有条件共享答复时限',
    default: 5,
    allowed: [3, 5],
  },
  'sharing.warnBeforeWorkdays': {
    label: '到期提醒提前量（工作日）',
    description: '有条件共享申请到期前几个工作日提醒提供部门审批人',
    default: 2,
    allowed: [1, 2, 3],
  },
  'sharing.defaultValidityDays': {
    label: '共享申请默认有效期（天）',
    description: '申请未填写有效期时，授权自申请之日起有效的天数（SPEC §6.4：默认一年）',
    default: 365,
    allowed: [90, 180, 365],
  },
  'sharing.maxValidityDays': {
    label: '授权最长有效期（天）',
    description: '申请的有效期不得晚于申请之日起的天数；到期后须重新申请，使用方的用途与依据得以定期复核',
    default: 1095,
    allowed: [365, 730, 1095, 1825],
  },
  'gateway.accessTokenSeconds': {
    label: '应用访问令牌有效期（秒）',
    description: 'POST /api/v1/gateway/token 换取的访问令牌自签发起的有效秒数（expiresIn），到期后须重新换取',
    default: 7200,
    allowed: [900, 1800, 3600, 7200, 14400, 28800],
  },
  'gateway.defaultRateLimitPerMinute': {
    label: '授权默认调用频率（次/分钟）',
    description: '审批未另定调用频率时，新授权每分钟最多调用的次数；超过的调用得到 429 RATE_LIMITED',
    default: 600,
    allowed: [60, 120, 300, 600, 1200, 3000, 6000],
  },
  'gateway.defaultDailyQuota': {
    label: '授权默认每日调用限额（次）',
    description: '审批未另定每日限额时，新授权每天（北京时间）最多调用的次数；超过的调用得到 429 QUOTA_EXCEEDED',
    default: 100_000,
    allowed: [10_000, 50_000, 100_000, 500_000, 1_000_000],
  },
  'evaluation.rectificationWorkdays': {
    label: '整改通知办理时限（工作日）',
    description: '考核指标低于达标线时下发的整改通知（R-17），被通知部门反馈整改措施并由主管部门办结的期限',
    default: 20,
    allowed: [10, 15, 20, 30],
  },
  'objections.acceptWorkdays': {
    label: '数据异议受理时限（工作日）',
    description: '主管部门受理或驳回数据异议的期限（SPEC §7.1），逾期提醒主管部门督办',
    default: 2,
    allowed: [1, 2, 3, 5],
  },
  'objections.verifyWorkdays': {
    label: '数据异议核实时限（工作日）',
    description: '提供部门核实已受理异议并在源头更正或说明的期限（SPEC §7.1），逾期提交主管部门督办',
    default: 5,
    allowed: [3, 5, 10],
  },
  'demands.triageWorkdays': {
    label: '需求分办时限（工作日）',
    description: '主管部门对登记的数据需求指派提供部门、匹配已有目录或退回的期限',
    default: 2,
    allowed: [1, 2, 3, 5],
  },
  'demands.providerWorkdays': {
    label: '需求响应时限（工作日）',
    description: '被指派的提供部门编目并挂接数据、满足需求的期限，从指派之日起算',
    default: 10,
    allowed: [5, 10, 15, 20],
  },
  'mounts.restoreDays': {
    label: '上一批次保留期（天）',
    description: '库表数据整批替换后，被替换的上一批次保留的天数；期间提供部门可恢复上一批次，期满后删除',
    default: 7,
    allowed: [1, 3, 7, 14, 30],
  },
} as const satisfies Record<string, { label: string; description: string; default: number; allowed: readonly number[] }>

export type ParameterKey = keyof typeof PARAMETERS

export const isParameterKey = (key: string): key is ParameterKey => Object.hasOwn(PARAMETERS, key)

/**
 * A parameter's value for a tenant (SPEC §7.1: deadlines are per tenant): the county's own choice, else
 * the city-wide one (tenant ''), else the default. Without `tenant`, the city-wide value.
 */
export async function numberParameter(db: Executor, key: ParameterKey, tenant = ''): Promise<number> {
  const rows = await db
    .selectFrom('parameters')
    .select(['tenant', 'value'])
    .where('key', '=', key)
    .where('tenant', 'in', [...new Set(['', tenant])])
    .execute()
  const allowed = PARAMETERS[key].allowed as readonly number[]
  for (const candidate of [tenant, '']) {
    const value = Number(rows.find((r) => r.tenant === candidate)?.value)
    if (rows.some((r) => r.tenant === candidate) && allowed.includes(value)) return value
  }
  return PARAMETERS[key].default
}

/** How the API documentation names a parameter: its key, default and allowed values (kept in step with PARAMETERS). */
export const parameterNote = (key: ParameterKey) =>
  `由参数 ${key} 设定（默认 ${PARAMETERS[key].default}，可选 ${PARAMETERS[key].allowed.join('、')}；系统管理员在 PUT /api/v1/parameters/${key} 修改）`
