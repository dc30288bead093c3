import { Card, Table } from 'antd'
import { Link, useSearchParams } from 'react-router-dom'
import { type Resource, searchResources } from '../../api/catalog.ts'
import { PageContainer } from '../../components/PageContainer.tsx'
import { LoadError } from '../../components/States.tsx'
import { ShareTypeTag } from '../../components/Tags.tsx'
import { WorkdayCountdown } from '../../components/WorkdayCountdown.tsx'
import { useAsync } from '../../hooks/useAsync.ts'
import { formatDateTime } from '../../lib/dates.ts'

/** 目录审核: entries submitted to the authority, oldest deadline first (5 working days, SPEC §7.1). */
export default function ReviewQueuePage() {
  const [params, setParams] = useSearchParams()
  const page = Number(params.get('page') ?? 1)
  const { data, error, loading, reload } = useAsync(
    async (signal) => {
      const result = await searchResources({ status: 'pending_review', page, pageSize: 20 }, { quiet: true, signal })
      return { ...result, items: [...result.items].sort((a, b) => (a.reviewDueAt ?? '').localeCompare(b.reviewDueAt ?? '')) }
    },
    [page],
  )
  return (
    <PageContainer title="目录审核" description="各部门提交的目录编制和变更，请在审核期限内发布或退回修改。">
      <Card size="small">
        {error ? (
          <LoadError error={error} onRetry={reload} />
        ) : (
          <Table<Resource>
            rowKey="id"
            loading={loading}
            dataSource={data?.items ?? []}
            locale={{ emptyText: <span className="muted">暂无待审核的目录</span> }}
            pagination={{
              current: page,
              pageSize: 20,
              total: data?.total ?? 0,
              showTotal: (t) => `共 ${t} 条`,
              onChange: (p) => setParams({ page: String(p) }),
            }}
            data-testid="review-queue"
            columns={[
              { title: '资源名称', dataIndex: 'name', render: (name: string, r) => <Link to={`/catalog-review/${r.id}`}>{name}</Link> },
              { title: '提供部门', dataIndex: 'providerName', width: 200 },
              {
                title: '类型',
                key: 'kind',
                width: 120,
                render: (_: unknown, r) => (r.publishedVersion ? `变更（第 ${r.version} 版）` : '新编目录'),
              },
              { title: '共享类型', dataIndex: 'shareType', width: 110, render: (v: number) => <ShareTypeTag value={v} /> },
              { title: '提交时间', dataIndex: 'submittedAt', width: 170, render: formatDateTime },
              { title: '审核期限', dataIndex: 'reviewDueAt', width: 170, render: (d: string | null) => <WorkdayCountdown due={d} /> },
            ]}
          />
        )}
      </Card>
    </PageContainer>
  )
}
