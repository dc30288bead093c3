/**
 * 考核指标 M1–M12 (SPEC §9). Weights follow the SPEC's default split (目录 20, 提供 30, 质量 20, 使用 15,
 * 安全 15) over the indicators of each group; thresholds default to 60. Both are tenant parameters.
 */
export const INDICATOR_IDS = ['M1', 'M2', 'M3', 'M4', 'M5', 'M6', 'M7', 'M8', 'M9', 'M10', 'M11', 'M12'] as const
export type IndicatorId = (typeof INDICATOR_IDS)[number]

export type IndicatorGroup = '目录' | '提供' | '质量' | '使用' | '安全'

export interface IndicatorDef {
  id: IndicatorId
  name: string
  group: IndicatorGroup
  formula: string
  /** The R-17 violation type it measures (the rectification notice cites it). */
  violation: string
  weight: number
  threshold: number
}

export const INDICATORS: readonly IndicatorDef[] = Object.freeze([
  {
    id: 'M1',
    name: '目录编制及时率',
    group: '目录',
    formula: '期内到期的目录更新任务中按期（15个工作日内）完成的 / 全部到期任务',
    violation: '未按要求编制或更新目录',
    weight: 7,
    threshold: 60,
  },
  {
    id: 'M2',
    name: '目录完整率',
    group: '目录',
    formula: '期末已发布的目录 / 本部门已编制的全部目录',
    violation: '未按要求编制或更新目录',
    weight: 7,
    threshold: 60,
  },
  {
    id: 'M3',
    name: '资源挂接率',
    group: '提供',
    formula: '期末已发布的共享平台方式目录中有有效挂接的 / 全部已发布的共享平台方式目录',
    violation: '未及时向共享平台提供共享信息',
    weight: 10,
    threshold: 60,
  },
  {
    id: 'M4',
    name: '数据更新及时率',
    group: '质量',
    formula: '挂接日中数据未超过更新周期时限的天数 / 全部挂接日',
    violation: '数据未及时更新',
    weight: 12,
    threshold: 60,
  },
  {
    id: 'M5',
    name: '申请按时答复率',
    group: '提供',
    formula: '期内到期的有条件共享申请中按期答复的 / 全部到期申请',
    violation: '未及时向共享平台提供共享信息',
    weight: 12,
    threshold: 60,
  },
  {
    id: 'M6',
    name: '异议处理及时率',
    group: '质量',
    formula: '期内异议按期处理的 / 全部异议（数据差错率：确认差错 / 交付记录）',
    violation: '数据与本部门所掌握的不一致或无法使用',
    weight: 8,
    threshold: 60,
  },
  {
    id: 'M7',
    name: '无条件共享占比',
    group: '目录',
    formula: '期末已发布目录中无条件共享的 / 全部已发布目录；有条件或不予共享而无依据的，本项为 0',
    violation: '未按要求编制或更新目录',
    weight: 6,
    threshold: 30,
  },
  {
    id: 'M8',
    name: '拒绝率及拒绝理由合规率',
    group: '提供',
    formula: '50 ×（1 − 拒绝数 / 答复数）+ 50 × 有理由的拒绝 / 拒绝数',
    violation: '未及时向共享平台提供共享信息',
    weight: 8,
    threshold: 60,
  },
  {
    id: 'M9',
    name: '共享调用量及被使用部门数',
    group: '使用',
    formula: '被使用部门数 / 本辖区部门中的最高值（另列调用次数与交付行数）',
    violation: '其他违规情形',
    weight: 10,
    threshold: 30,
  },
  { id: 'M10', name: '需求满足率', group: '使用', formula: '期内已满足的需求 / 分派给本部门的需求', violation: '其他违规情形', weight: 5, threshold: 60 },
  {
    id: 'M11',
    name: '违规使用',
    group: '安全',
    formula: '100 − 20 × 期内确认的违规使用事件（应用被标记的异常查询）',
    violation: '超出部门职责范围使用共享信息',
    weight: 8,
    threshold: 60,
  },
  {
    id: 'M12',
    name: '安全事件及逾期整改',
    group: '安全',
    formula: '100 − 25 × 期内到期而逾期未办结的整改通知',
    violation: '其他违规情形',
    weight: 7,
    threshold: 60,
  },
] satisfies IndicatorDef[])

export const indicatorOf = (id: string) => INDICATORS.find((i) => i.id === id)
export const isIndicatorId = (id: string): id is IndicatorId => (INDICATOR_IDS as readonly string[]).includes(id)

export const NOTICE_STATUS_LABELS = { issued: '待整改', responded: '已反馈', closed: '已办结' } as const
export type NoticeStatus = keyof typeof NOTICE_STATUS_LABELS
