import { Tag } from 'antd'
import type { CoordinationCase, Grant, NewShareRequest, ShareRequest } from '../../api/sharing.ts'

export const PURPOSES: NewShareRequest['purpose'][] = ['行政依据', '工作参考', '数据校核', '业务协同', '其他']
export const SCENARIOS: NonNullable<NewShareRequest['scenario']>[] = ['政务服务', '公共服务', '监管', '其他']

const REQUEST_COLORS: Record<ShareRequest['status'], string> = {
  compliance_review: 'cyan',
  returned: 'warning',
  pending: 'processing',
  need_more_info: 'warning',
  granted: 'success',
  rejected: 'error',
  withdrawn: 'default',
  escalated: 'magenta',
}

export function RequestStatusTag({ request }: { request: Pick<ShareRequest, 'status' | 'statusLabel'> }) {
  return <Tag color={REQUEST_COLORS[request.status]}>{request.statusLabel}</Tag>
}

/** Open requests run on a clock: the compliance review's or the provider's reply (paused while waiting for 补正). */
export const isOpen = (status: ShareRequest['status']) =>
  status === 'compliance_review' || status === 'pending' || status === 'need_more_info' || status === 'escalated'

/** What the request's deadline is, in words: the compliance review's, or the provider's reply with the clock it runs on. */
export function deadlineText(r: Pick<ShareRequest, 'status' | 'replyWorkdays' | 'replyClock'>) {
  if (r.status === 'compliance_review') return '主管部门合规审查期限'
  if (!r.replyWorkdays) return '答复期限'
  return `答复期限（${r.replyWorkdays} 个工作日${r.replyClock === 'mounted' ? '，数据已挂接' : ''}）`
}

/** The request timeline's events (share_request_events.action). */
export const HISTORY_ACTIONS: Record<string, string> = {
  submit: '提交申请',
  auto_grant: '无条件共享，自动授权',
  decide: '提供方审批',
  request_info: '要求补正',
  resubmit: '重新提交',
  compliance_pass: '主管部门合规审查通过',
  compliance_return: '主管部门退回修改',
  withdraw: '撤回申请',
  escalate: '逾期未答复，提交主管部门督办',
  warn: '到期提醒',
  extend: '主管部门延期',
  authority_grant: '主管部门直接授权',
  coordination_grant: '协调决定授权',
}

export const GRANT_STATUS_LABELS: Record<Grant['status'], string> = { active: '有效', suspended: '已暂停', expired: '已过期', revoked: '已撤销' }
const GRANT_COLORS: Record<Grant['status'], string> = { active: 'success', suspended: 'warning', expired: 'default', revoked: 'error' }
export const GrantStatusTag = ({ status }: { status: Grant['status'] }) => <Tag color={GRANT_COLORS[status]}>{GRANT_STATUS_LABELS[status]}</Tag>

export const SHARE_MODE_LABELS: Record<ShareRequest['mode'], string> = { api: '接口调用', table: '库表交换', file: '文件下载' }

export const CASE_STATUS_LABELS: Record<string, string> = {
  open: '已提出',
  negotiating: '部门协商中',
  authority_coordinating: '主管部门协调中',
  decided: '已决定',
  closed: '已结案',
}
export const CASE_DECISION_LABELS: Record<string, string> = {
  grant_with_conditions: '有条件提供',
  uphold_refusal: '维持不予共享',
  reclassify: '调整目录共享类型',
}
export const CASE_NOTE_KINDS: Record<string, string> = { statement: '协调事由', negotiation: '协商记录', decision: '协调决定' }
export const CASE_ORIGINS: Record<string, string> = { refused_request: '申请被拒绝', not_shareable: '不予共享资源' }
export const caseStatusTag = (c: Pick<CoordinationCase, 'status'>) => (
  <Tag color={c.status === 'decided' || c.status === 'closed' ? 'success' : c.status === 'authority_coordinating' ? 'magenta' : 'processing'}>
    {CASE_STATUS_LABELS[c.status] ?? c.status}
  </Tag>
)

/**
 * A grant's row filter in words, naming each item as the catalog does: `{"region_code":{"prefix":"3707"}}`
 * → `行政区划代码 以“3707”开头` (the filter is keyed by the item's column name).
 */
export function rowFilterText(filter: Record<string, unknown>, items: readonly { name: string; nameEn: string | null }[]): string[] {
  const nameOf = new Map(items.filter((i) => i.nameEn).map((i) => [i.nameEn!, i.name]))
  return Object.entries(filter).map(([column, raw]) => {
    const key = nameOf.get(column) ?? column
    const c = raw as { eq?: unknown; in?: unknown[]; prefix?: string; gte?: unknown; lte?: unknown }
    if (c.eq !== undefined) return `${key} 等于“${String(c.eq)}”`
    if (c.in) return `${key} 属于 ${c.in.map((v) => `“${String(v)}”`).join('、')}`
    if (c.prefix !== undefined) return `${key} 以“${c.prefix}”开头`
    const parts = [c.gte !== undefined ? `不小于 ${String(c.gte)}` : '', c.lte !== undefined ? `不大于 ${String(c.lte)}` : ''].filter(Boolean)
    return `${key} ${parts.join(' 且 ')}`
  })
}
