import { Card, Table } from 'antd'
import { Link } from 'react-router-dom'
import { type CaseFilter, type CoordinationCase, listCases } from '../../api/sharing.ts'
import { FilterSelect, pageControls, withAny } from '../../components/ListControls.tsx'
import { PageContainer } from '../../components/PageContainer.tsx'
import { LoadError } from '../../components/States.tsx'
import { useAsync } from '../../hooks/useAsync.ts'
import { useListFilters } from '../../hooks/useListFilters.ts'
import { formatDateTime } from '../../lib/dates.ts'
import { CASE_DECISION_LABELS, CASE_ORIGINS, CASE_STATUS_LABELS, caseStatusTag } from './labels.tsx'

/** 协调案件: refusals and 不予共享 data taken to negotiation, then to the authority's binding decision. */
export default function CasesPage() {
  const { status, page, setFilter, setPage } = useListFilters<{ status: NonNullable<CaseFilter['status']> | 'any' }>({ status: 'any' })
  const { data, error, loading, reload } = useAsync(() => listCases({ status: status === 'any' ? undefined : status, page, pageSize: 20 }), [status, page])
  return (
    <PageContainer title="协调案件" description="申请被拒绝或资源不予共享时，由双方协商；协商不成，由主管部门作出有约束力的协调决定。">
      <Card size="small">
        <FilterSelect
          label="状态"
          width={200}
          value={status}
          onChange={(v) => setFilter('status', v)}
          options={withAny(CASE_STATUS_LABELS as Record<NonNullable<CaseFilter['status']>, string>)}
        />
        {error ? (
          <LoadError error={error} onRetry={reload} />
        ) : (
          <Table<CoordinationCase>
            rowKey="id"
            size="small"
            loading={loading}
            dataSource={data?.items ?? []}
            data-testid="case-list"
            locale={{ emptyText: <span className="muted">没有协调案件</span> }}
            pagination={pageControls(page, data?.total, setPage, '件')}
            columns={[
              {
                title: '资源',
                dataIndex: 'resourceName',
                render: (name: string | null, c) => <Link to={`/coordination/${c.id}`}>{name ?? '（资源已下架）'}</Link>,
              },
              { title: '起因', dataIndex: 'origin', width: 130, render: (o: string) => CASE_ORIGINS[o] ?? o },
              { title: '申请部门', dataIndex: 'applicantOrgName', width: 200 },
              { title: '提供部门', dataIndex: 'providerName', width: 200 },
              { title: '状态', dataIndex: 'status', width: 140, render: (_: unknown, c) => caseStatusTag(c) },
              { title: '决定', dataIndex: 'decision', width: 150, render: (d: string | null) => (d ? (CASE_DECISION_LABELS[d] ?? d) : '—') },
              { title: '提出时间', dataIndex: 'createdAt', width: 170, render: formatDateTime },
            ]}
          />
        )}
      </Card>
    </PageContainer>
  )
}
