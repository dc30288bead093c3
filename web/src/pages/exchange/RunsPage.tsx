import { Alert, Button, Card, Space, Table, Tag, Typography } from 'antd'
import { useSearchParams } from 'react-router-dom'
import { JOB_KIND_LABELS, RUN_KIND_LABELS, RUN_STATUS_LABELS } from '../../../../common/exchange.ts'
import { type ExchangeRun, listRuns } from '../../api/exchange.ts'
import { FilterSelect, pageControls, withAny } from '../../components/ListControls.tsx'
import { PageContainer } from '../../components/PageContainer.tsx'
import { LoadError } from '../../components/States.tsx'
import { useAsync } from '../../hooks/useAsync.ts'
import { useListFilters } from '../../hooks/useListFilters.ts'
import { formatDateTime } from '../../lib/dates.ts'
import { DepartmentFilter, RunStatusTag, formatBytes, formatDuration } from './parts.tsx'

type RunStatus = keyof typeof RUN_STATUS_LABELS

const count = (n: number) => n.toLocaleString('zh-CN')

/** The purge state of a delivery beside its purge runs (and the last state of the job on any of its runs). */
function PurgeState({ run }: { run: ExchangeRun }) {
  if (run.jobKind !== 'delivery' || !run.purgeRequestedAt) return <span className="muted">—</span>
  return run.purgedAt ? (
    <span>
      <Tag color="success">已清除</Tag>
      {formatDateTime(run.purgedAt)}
    </span>
  ) : (
    <span>
      <Tag color="processing">待清除</Tag>
      {formatDateTime(run.purgeRequestedAt)} 起
    </span>
  )
}

/**
 * 运行记录: every run of the jobs the user sees, newest first: rows read, written, deleted and failed, bytes,
 * duration, status, the error in Chinese, and for deliveries whether and when the node purged the target table.
 */
export default function RunsPage() {
  const [params, setParams] = useSearchParams()
  const jobId = params.get('jobId') ?? undefined
  const { orgId, status, page, setFilter, setPage } = useListFilters({ orgId: 'any', status: 'any' as RunStatus | 'any' })
  const query = { page, pageSize: 20, ...(jobId ? { jobId } : {}), ...(orgId !== 'any' ? { orgId } : {}), ...(status !== 'any' ? { status } : {}) }
  const { data, error, loading, reload } = useAsync(() => listRuns(query), [jobId, orgId, status, page])
  const job = jobId ? data?.items[0] : undefined

  return (
    <PageContainer title="运行记录" description="前置机每次校验、挂接、交付和清除都记录在此，并作为数据访问记入审计日志和使用统计。">
      {jobId ? (
        <Alert
          type="info"
          showIcon
          style={{ marginBottom: 12 }}
          message={
            job ? `只显示「${job.resourceName}」在前置机「${job.nodeName}」上的${JOB_KIND_LABELS[job.jobKind]}任务的运行记录` : '只显示一个交换任务的运行记录'
          }
          action={
            <Button size="small" onClick={() => setParams({})}>
              显示全部
            </Button>
          }
        />
      ) : null}
      <Card size="small">
        <Space wrap>
          <DepartmentFilter value={orgId} onChange={(v) => setFilter('orgId', v)} />
          <FilterSelect
            label="状态"
            value={status}
            options={withAny(RUN_STATUS_LABELS)}
            onChange={(v) => setFilter('status', v)}
            width={140}
            testId="run-status-filter"
          />
        </Space>
        {error ? (
          <LoadError error={error} onRetry={reload} />
        ) : (
          <Table<ExchangeRun>
            rowKey="id"
            size="small"
            loading={loading}
            dataSource={data?.items ?? []}
            data-testid="run-list"
            pagination={pageControls(page, data?.total, setPage, '次')}
            locale={{ emptyText: <span className="muted">没有运行记录</span> }}
            scroll={{ x: 1300 }}
            columns={[
              { title: '开始时间', dataIndex: 'startedAt', width: 160, render: (v: string) => formatDateTime(v) },
              {
                title: '任务',
                dataIndex: 'resourceName',
                render: (name: string, run) => (
                  <span>
                    {name}
                    <div className="muted">
                      {JOB_KIND_LABELS[run.jobKind]} · {run.nodeName}（{run.orgName}）
                    </div>
                  </span>
                ),
              },
              { title: '类别', dataIndex: 'kind', width: 70, render: (k: keyof typeof RUN_KIND_LABELS) => RUN_KIND_LABELS[k] },
              { title: '状态', dataIndex: 'status', width: 80, render: (s: RunStatus) => <RunStatusTag status={s} /> },
              { title: '读取', dataIndex: 'rowsRead', width: 90, align: 'right', render: count },
              { title: '写入', dataIndex: 'rowsWritten', width: 90, align: 'right', render: count },
              { title: '删除', dataIndex: 'rowsDeleted', width: 80, align: 'right', render: count },
              {
                title: '失败',
                dataIndex: 'rowsFailed',
                width: 80,
                align: 'right',
                render: (n: number) => (n > 0 ? <Typography.Text type="danger">{count(n)}</Typography.Text> : count(n)),
              },
              { title: '数据量', dataIndex: 'bytes', width: 100, align: 'right', render: formatBytes },
              { title: '耗时', dataIndex: 'durationMs', width: 100, render: formatDuration },
              { title: '错误', dataIndex: 'error', width: 220, render: (e: string | null) => e ?? '—' },
              { title: '清除情况', width: 230, render: (_: unknown, run) => <PurgeState run={run} /> },
            ]}
          />
        )}
      </Card>
    </PageContainer>
  )
}
