import { Tag } from 'antd'
import { JOB_STATUS_LABELS, NODE_STATUS_LABELS, RUN_STATUS_LABELS } from '../../../../common/exchange.ts'
import { type ExchangeNode, listNodes } from '../../api/exchange.ts'
import { useAuth } from '../../auth/AuthProvider.tsx'
import { seesAll } from '../../auth/permissions.ts'
import { FilterSelect } from '../../components/ListControls.tsx'
import { useAsync } from '../../hooks/useAsync.ts'

const NODE_COLORS: Record<ExchangeNode['status'], string> = { pending: 'default', online: 'success', degraded: 'warning', offline: 'error', revoked: 'default' }
const JOB_COLORS: Record<keyof typeof JOB_STATUS_LABELS, string> = {
  draft: 'warning',
  verifying: 'processing',
  active: 'success',
  paused: 'default',
  stopped: 'default',
  purging: 'processing',
  purged: 'default',
}
const RUN_COLORS: Record<keyof typeof RUN_STATUS_LABELS, string> = { running: 'processing', succeeded: 'success', failed: 'error' }

export const NodeStatusTag = ({ status }: { status: ExchangeNode['status'] }) => <Tag color={NODE_COLORS[status]}>{NODE_STATUS_LABELS[status]}</Tag>
export const JobStatusTag = ({ status }: { status: keyof typeof JOB_STATUS_LABELS }) => <Tag color={JOB_COLORS[status]}>{JOB_STATUS_LABELS[status]}</Tag>
export const RunStatusTag = ({ status }: { status: keyof typeof RUN_STATUS_LABELS }) => <Tag color={RUN_COLORS[status]}>{RUN_STATUS_LABELS[status]}</Tag>

/** Whether the user sees every department's nodes (the authority: read-only, with a department filter). */
export function useSeesAllNodes() {
  const { user } = useAuth()
  return seesAll(user!, 'exchange.node.read')
}

/**
 * The department filter of the authority's view: the departments that have nodes (from the nodes list the
 * authority may read, so no other permission is needed). Hidden for a department, which sees its own only.
 */
export function DepartmentFilter({ value, onChange }: { value: string; onChange: (orgId: string) => void }) {
  const all = useSeesAllNodes()
  const { data } = useAsync(() => (all ? listNodes() : Promise.resolve({ items: [] })), [all])
  if (!all) return null
  const orgs = new Map((data?.items ?? []).map((node) => [node.orgId, node.orgName]))
  const options = [{ value: 'any', label: '全部部门' }, ...[...orgs].map(([id, name]) => ({ value: id, label: name }))]
  return <FilterSelect label="部门" value={value} options={options} onChange={onChange} width={240} testId="department-filter" />
}

/** Bytes as people read them: 1.2 MB. */
export function formatBytes(bytes: number): string {
  if (bytes < 1024) return `${bytes} B`
  const units = ['KB', 'MB', 'GB', 'TB']
  let value = bytes / 1024
  let unit = 0
  while (value >= 1024 && unit < units.length - 1) {
    value /= 1024
    unit++
  }
  return `${value.toFixed(1)} ${units[unit]}`
}

/** Milliseconds as a duration: 850 毫秒, 12.3 秒, 4 分 5 秒. */
export function formatDuration(ms: number | null): string {
  if (ms === null) return '—'
  if (ms < 1000) return `${ms} 毫秒`
  if (ms < 60_000) return `${(ms / 1000).toFixed(1)} 秒`
  return `${Math.floor(ms / 60_000)} 分 ${Math.round((ms % 60_000) / 1000)} 秒`
}
