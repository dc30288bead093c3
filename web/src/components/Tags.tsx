import { Tag } from 'antd'
import { RESOURCE_STATUSES, SHARE_TYPES } from '../../../common/catalog.ts'

const SHARE_TYPE_COLORS: Record<number, string> = { 1: 'green', 2: 'gold', 3: 'red' }

export function ShareTypeTag({ value }: { value: number }) {
  return <Tag color={SHARE_TYPE_COLORS[value]}>{SHARE_TYPES[value as 1] ?? `类型 ${value}`}</Tag>
}

const STATUS_COLORS: Record<string, string> = {
  draft: 'default',
  pending_review: 'processing',
  returned: 'warning',
  published: 'success',
  withdrawn: 'default',
  superseded: 'default',
}

export function StatusTag({ status, label }: { status: string; label?: string }) {
  const text = label ?? RESOURCE_STATUSES[status as keyof typeof RESOURCE_STATUSES] ?? (status === 'superseded' ? '已被新版本替代' : status)
  return <Tag color={STATUS_COLORS[status] ?? 'default'}>{text}</Tag>
}

/** A submitted next version waiting beside the version shown (the authority and the provider see it). */
export function PendingVersionTag({ version }: { version?: number | null }) {
  return version ? (
    <Tag color="gold" data-testid="pending-version">
      第 {version} 版待审核
    </Tag>
  ) : null
}

/** SPEC §7.3: the entry's data is older than its update cycle allows (the daily freshness check flagged it). */
export function StaleTag({ since }: { since?: string | Date | null }) {
  if (!since) return null
  const day = new Date(since).toLocaleDateString('zh-CN', { timeZone: 'Asia/Shanghai' })
  return (
    <Tag color="orange" data-testid="stale-tag" title={`${day} 起数据超过更新周期未更新`}>
      未按时更新
    </Tag>
  )
}
