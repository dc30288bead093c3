import { Modal, Segmented, Table, Tag } from 'antd'
import { useState } from 'react'
import { type IndicatorLine, getEvidence } from '../../api/evaluation.ts'
import { LoadError } from '../../components/States.tsx'
import { useAsync } from '../../hooks/useAsync.ts'

const OBJECT_LABELS: Record<string, string> = {
  catalog_review_task: '目录更新任务',
  resource: '目录',
  mount: '挂接',
  share_request: '共享申请',
  objection: '数据异议',
  demand: '数据需求',
  call_day: '调用（按日）',
  app_flag: '异常应用',
  rectification_notice: '整改通知',
}

/** The records behind one figure (SPEC §9: every figure drills down), paged, filterable by counted for / against. */
export function EvidenceModal({
  runId,
  orgId,
  orgName,
  line,
  onClose,
}: {
  runId: string
  orgId: string
  orgName: string
  line: IndicatorLine
  onClose: () => void
}) {
  const [page, setPage] = useState(1)
  const [filter, setFilter] = useState<'all' | 'ok' | 'not'>('all')
  const ok = filter === 'all' ? undefined : filter === 'ok'
  const { data, error, loading, reload } = useAsync(() => getEvidence(runId, orgId, line.id, { page, pageSize: 10, ok }), [runId, orgId, line.id, page, filter])
  return (
    <Modal open title={`${orgName} · ${line.id} ${line.name}：明细`} onCancel={onClose} footer={null} width={860} destroyOnHidden>
      <p style={{ marginTop: 0 }}>
        分子 / 分母：{line.numerator} / {line.denominator}，得分 {line.score ?? '不适用'}（达标线 {line.threshold}）
      </p>
      <Segmented
        value={filter}
        onChange={(v) => {
          setFilter(v as typeof filter)
          setPage(1)
        }}
        options={[
          { label: '全部', value: 'all' },
          { label: '计为达标', value: 'ok' },
          { label: '未达标', value: 'not' },
        ]}
        style={{ marginBottom: 12 }}
      />
      {error ? (
        <LoadError error={error} onRetry={reload} />
      ) : (
        <Table
          data-testid="evidence-table"
          size="small"
          rowKey={(r) => `${r.objectType}:${r.objectId}:${r.day ?? ''}`}
          loading={loading}
          dataSource={data?.items ?? []}
          pagination={{ current: page, pageSize: 10, total: data?.total ?? 0, onChange: setPage, showTotal: (n) => `共 ${n} 条` }}
          columns={[
            { title: '类型', dataIndex: 'objectType', width: 110, render: (v: string) => OBJECT_LABELS[v] ?? v },
            { title: '记录', dataIndex: 'label' },
            { title: '日期', dataIndex: 'day', width: 110, render: (v: string | null) => v ?? '—' },
            {
              title: '数量',
              dataIndex: 'amount',
              width: 80,
              render: (v: number | null, r) => (r.objectType === 'mount' ? `${v} / ${String(r.detail.days)} 天` : (v ?? '—')),
            },
            {
              title: '计入',
              dataIndex: 'ok',
              width: 90,
              render: (v: boolean | null) => (v === null ? '—' : v ? <Tag color="green">达标</Tag> : <Tag color="red">未达标</Tag>),
            },
          ]}
        />
      )}
    </Modal>
  )
}
