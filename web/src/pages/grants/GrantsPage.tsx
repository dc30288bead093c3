import { Card, Table, Tabs } from 'antd'
import { Link } from 'react-router-dom'
import { type Grant, type GrantFilter, exportGrants, listGrants } from '../../api/sharing.ts'
import { ExportButton } from '../../components/ExportButton.tsx'
import { allowedByRole, seesAll } from '../../auth/permissions.ts'
import { useAuth } from '../../auth/AuthProvider.tsx'
import { FilterSelect, pageControls, withAny } from '../../components/ListControls.tsx'
import { PageContainer } from '../../components/PageContainer.tsx'
import { LoadError } from '../../components/States.tsx'
import { useAsync } from '../../hooks/useAsync.ts'
import { useListFilters } from '../../hooks/useListFilters.ts'
import { formatDate } from '../../lib/dates.ts'
import { GRANT_STATUS_LABELS, GrantStatusTag, SHARE_MODE_LABELS } from '../sharing/labels.tsx'

type Box = NonNullable<GrantFilter['box']>

/** 数据授权: grants the department holds (consumer side) and grants it gave (provider side). */
export default function GrantsPage() {
  const { user } = useAuth()
  const roles = user?.roles ?? []
  const tabs: { key: Box; label: string }[] = [
    { key: 'mine', label: '本单位获得的授权' },
    { key: 'provided', label: '本单位提供的授权' },
    ...(user && seesAll(user, 'sharing.grant.read') ? [{ key: 'all' as Box, label: '全部授权' }] : []),
  ]
  const { box, status, page, setFilter, setPage } = useListFilters<{ box: Box; status: Grant['status'] | 'any' }>({
    // A department that only provides (no one here requests data) opens on what it gave.
    box: allowedByRole(roles, 'sharing.grant.revoke') && !allowedByRole(roles, 'sharing.request.create') ? 'provided' : 'mine',
    status: 'any',
  })
  const { data, error, loading, reload } = useAsync(
    () => listGrants({ box, status: status === 'any' ? undefined : status, page, pageSize: 20 }, true),
    [box, status, page],
  )

  return (
    <PageContainer
      title="数据授权"
      description="授权规定可使用的信息项、脱敏规则、数据范围与有效期；调用数据须在授权范围内。"
      extra={<ExportButton onExport={() => exportGrants({ box, status: status === 'any' ? undefined : status })} testId="export-grants" />}
    >
      <Card size="small">
        <Tabs activeKey={box} onChange={(k) => setFilter('box', k as Box)} items={tabs.map((t) => ({ key: t.key, label: t.label }))} />
        <FilterSelect label="状态" width={160} value={status} onChange={(v) => setFilter('status', v)} options={withAny(GRANT_STATUS_LABELS)} />
        {error ? (
          <LoadError error={error} onRetry={reload} />
        ) : (
          <Table<Grant>
            rowKey="id"
            size="small"
            loading={loading}
            dataSource={data?.items ?? []}
            data-testid="grant-list"
            locale={{ emptyText: <span className="muted">{box === 'provided' ? '本单位还没有向其他部门提供数据的授权' : '本单位还没有获得数据授权'}</span> }}
            pagination={pageControls(page, data?.total, setPage)}
            columns={[
              { title: '资源名称', dataIndex: 'resourceName', render: (name: string, g) => <Link to={`/grants/${g.id}`}>{name}</Link> },
              box === 'mine' ? { title: '提供部门', dataIndex: 'providerName', width: 200 } : { title: '使用部门', dataIndex: 'consumerName', width: 200 },
              { title: '信息项', key: 'items', width: 90, render: (_: unknown, g) => `${g.itemIds.length} 项` },
              { title: '脱敏', key: 'masked', width: 90, render: (_: unknown, g) => `${g.items.filter((i) => i.masking !== 'none').length} 项` },
              { title: '方式', dataIndex: 'mode', width: 100, render: (m: Grant['mode']) => SHARE_MODE_LABELS[m] },
              { title: '有效期', key: 'valid', width: 270, render: (_: unknown, g) => `${formatDate(g.validFrom)} 至 ${formatDate(g.validUntil)}` },
              { title: '状态', dataIndex: 'status', width: 90, render: (s: Grant['status']) => <GrantStatusTag status={s} /> },
            ]}
          />
        )}
      </Card>
    </PageContainer>
  )
}
