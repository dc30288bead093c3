import type { Executor } from '../db/database.ts'

/**
 * Tenant parameters (SPEC §7.1: every clock is a parameter): the known keys, their defaults and the
 * values the system administrator may choose. The table `parameters` holds only the values changed
 * from these defaults.
 */
export const PARAMETERS = {
  'sharing.providerReplyWorkdays': {
    label: '有条件共享答复时限（工作日）',
    description: '提供部门答复有条件共享申请的期限，从申请提交起算；国发〔2016〕51号为 10 个工作日，部分地方办法为 5 个工作日',
    default: 10,
    allowed: [5, 10],
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
} as const satisfies Record<string, { label: string; description: string; default: number; allowed: readonly number[] }>

export type ParameterKey = keyof typeof PARAMETERS

export const isParameterKey = (key: string): key is ParameterKey => Object.hasOwn(PARAMETERS, key)

/** A parameter's value: the administrator's choice, or its default. */
export async function numberParameter(db: Executor, key: ParameterKey): Promise<number> {
  const row = await db.selectFrom('parameters').select('value').where('key', '=', key).executeTakeFirst()
  const value = Number(row?.value)
  return row && (PARAMETERS[key].allowed as readonly number[]).includes(value) ? value : PARAMETERS[key].default
}
