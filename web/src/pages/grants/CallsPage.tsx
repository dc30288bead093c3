import { Card, Table, Tabs, Tag } from 'antd'
import { Link } from 'react-router-dom'
import { getResource } from '../../api/catalog.ts'
import { type Call, type CallFilter, listCalls } from '../../api/gateway.ts'
import { allOrganisations } from '../../api/orgs.ts'
import { allowedByRole, seesAll as seesAllOf } from '../../auth/permissions.ts'
import { useAuth } from '../../auth/AuthProvider.tsx'
import { FilterSelect, pageControls, withAny } from '../../components/ListControls.tsx'
import { PageContainer } from '../../components/PageContainer.tsx'
import { LoadError } from '../../components/States.tsx'
import { useAsync } from '../../hooks/useAsync.ts'
import { useListFilters } from '../../hooks/useListFilters.ts'
import { callErrorLabel } from '../../lib/errorCodes.ts'
import { Watermark } from '../../components/Watermark.tsx'
import { dayjs, formatDateTimeSeconds } from '../../lib/dates.ts'

type Box = NonNullable<CallFilter['box']>
const RESULT_LABELS: Record<Call['result'], string> = { success: '成功', denied: '拒绝', error: '出错' }
const RESULT_COLORS: Record<Call['result'], string> = { success: 'green', denied: 'orange', error: 'red' }

/** 调用记录: gateway calls made by the department (consumer) or on its data (provider); all for the authority and auditors. */
export default function CallsPage() {
  const { user } = useAuth()
  const roles = user?.roles ?? []
  const seesAll = !!user && seesAllOf(user, 'gateway.call.list')
  const consumer = allowedByRole(roles, 'gateway.app.list')
  const tabs: { key: Box; label: string }[] = [
    ...(seesAll ? [{ key: 'all' as Box, label: '全部调用' }] : []),
    { key: 'mine', label: '本单位的调用' },
    { key: 'provided', label: '本单位数据被调用' },
  ]
  const { box, result, page, setFilter, setPage } = useListFilters<{ box: Box; result: Call['result'] | 'any' }>({ box: seesAll ? 'all' : consumer ? 'mine' : 'provided', result: 'any' })
  const { data, error, loading, reload } = useAsync(async () => {
    const calls = await listCalls({ box, result: result === 'any' ? undefined : result, page, pageSize: 20 })
    // The call log holds ids only: names for the rows on this page.
    const ids = [...new Set(calls.items.map((c) => c.resourceId).filter((id): id is string => !!id))]
    const names = new Map(await Promise.all(ids.map(async (id) => [id, await getResource(id).then((r) => r.name, () => null)] as const)))
    const orgs = await allOrganisations().catch(() => [])
    return { calls, names, orgName: (id: string | null) => orgs.find((o) => o.id === id)?.name ?? '—' }
  }, [box, result, page])

  return (
    <PageContainer title="调用记录" description="经平台网关的每次数据调用（含被拒绝的调用），记录调用方、资源、返回行数和结果。">
      <Card size="small">
        <Tabs
          activeKey={box}
          onChange={(k) => setFilter('box', k as Box)}
          items={tabs}
        />
        <FilterSelect
          label="结果"
          width={140}
          value={result}
          onChange={(v) => setFilter('result', v)}
          options={withAny(RESULT_LABELS, '全部')}
        />
        {error ? (
          <LoadError error={error} onRetry={reload} />
        ) : (
          <Watermark><Table<Call>
            rowKey="id"
            size="small"
            loading={loading}
            dataSource={data?.calls.items ?? []}
            data-testid="call-list"
            scroll={{ x: box === 'all' ? 1400 : undefined }}
            locale={{ emptyText: <span className="muted">没有调用记录</span> }}
            pagination={pageControls(page, data?.calls.total, setPage)}
            columns={[
              { title: '时间', dataIndex: 'requestInAt', width: 180, render: formatDateTimeSeconds },
              {
                title: '资源',
                dataIndex: 'resourceId',
                render: (id: string | null) => (id ? <Link to={`/catalog/${id}`}>{data?.names.get(id) ?? '（无权查看或已下架）'}</Link> : '—'),
              },
              // The department's own name is not repeated: the other party only, both for the authority's view.
              ...(box !== 'mine' ? [{ title: '调用单位', dataIndex: 'consumerOrgId', width: 190, render: (id: string | null) => data?.orgName(id) ?? '—' }] : []),
              ...(box !== 'provided' ? [{ title: '提供单位', dataIndex: 'providerOrgId', width: 190, render: (id: string | null) => data?.orgName(id) ?? '—' }] : []),
              { title: '返回行数', dataIndex: 'rowsReturned', width: 90 },
              {
                title: '结果',
                dataIndex: 'result',
                width: 150,
                render: (r: Call['result'], c) => (
                  <span>
                    <Tag color={RESULT_COLORS[r]}>{RESULT_LABELS[r]}</Tag>
                    {c.errorCode ? <span>{callErrorLabel(c.errorCode)}</span> : null}
                  </span>
                ),
              },
              { title: '耗时', key: 'ms', width: 90, render: (_: unknown, c) => `${Math.max(0, dayjs(c.responseOutAt).diff(dayjs(c.requestInAt)))} 毫秒` },
              { title: '办件号', dataIndex: 'businessRef', width: 120, render: (v: string | null) => v ?? '—' },
              { title: '来源 IP', dataIndex: 'ip', width: 120, render: (v: string | null) => v ?? '—' },
            ]}
          /></Watermark>
        )}
      </Card>
    </PageContainer>
  )
}
