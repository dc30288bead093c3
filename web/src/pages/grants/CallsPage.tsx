import { Card, DatePicker, Select, Space, Table, Tabs, Tag } from 'antd'
import type { Dayjs } from 'dayjs'
import { useState } from 'react'
import { Link } from 'react-router-dom'
import { getResource, searchResources } from '../../api/catalog.ts'
import { type Call, type CallFilter, exportCalls, listApps, listCalls } from '../../api/gateway.ts'
import { ExportButton } from '../../components/ExportButton.tsx'
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
  const { box, result, appId, resourceId, dates, page, setFilter, setPage } = useListFilters<{
    box: Box
    result: Call['result'] | 'any'
    appId: string | undefined
    resourceId: string | undefined
    dates: [Dayjs, Dayjs] | null
  }>({ box: seesAll ? 'all' : consumer ? 'mine' : 'provided', result: 'any', appId: undefined, resourceId: undefined, dates: null })
  const filter: CallFilter = {
    box,
    result: result === 'any' ? undefined : result,
    appId,
    resourceId,
    from: dates?.[0].format('YYYY-MM-DD'),
    to: dates?.[1].format('YYYY-MM-DD'),
  }
  // App choices: the department's own apps, plus every app seen in the log so far (other departments' apps).
  const ownApps = useAsync(() => (consumer ? listApps().then((r) => r.items) : Promise.resolve([])), [consumer])
  const [seenApps, setSeenApps] = useState<Map<string, string>>(new Map())
  const appOptions = [...new Map([...(ownApps.data ?? []).map((a) => [a.id, a.name] as const), ...seenApps]).entries()].map(([value, label]) => ({
    value,
    label,
  }))
  // Resource choices: a catalog search as the user types (two characters or more), plus the chosen one.
  const [resourceOptions, setResourceOptions] = useState<{ value: string; label: string }[]>([])
  const findResources = async (q: string) => {
    if ([...q.trim()].length < 2) return
    const found = await searchResources({ q: q.trim(), pageSize: 20 }, { quiet: true }).catch(() => null)
    if (found) setResourceOptions(found.items.map((r) => ({ value: r.id, label: r.name })))
  }
  const { data, error, loading, reload } = useAsync(async () => {
    const calls = await listCalls({ ...filter, page, pageSize: 20 })
    setSeenApps((seen) => {
      const next = new Map(seen)
      for (const call of calls.items) if (call.appId && call.appName) next.set(call.appId, call.appName)
      return next.size === seen.size ? seen : next
    })
    // The call log holds ids only: names for the rows on this page.
    const ids = [...new Set(calls.items.map((c) => c.resourceId).filter((id): id is string => !!id))]
    const names = new Map(
      await Promise.all(
        ids.map(
          async (id) =>
            [
              id,
              await getResource(id).then(
                (r) => r.name,
                () => null,
              ),
            ] as const,
        ),
      ),
    )
    const orgs = await allOrganisations().catch(() => [])
    return { calls, names, orgName: (id: string | null) => orgs.find((o) => o.id === id)?.name ?? '—' }
  }, [box, result, appId, resourceId, filter.from, filter.to, page])

  return (
    <PageContainer
      title="调用记录"
      description="经平台网关的每次数据调用（含被拒绝的调用），记录调用方、资源、返回行数和结果。"
      extra={<ExportButton onExport={() => exportCalls(filter)} testId="export-calls" />}
    >
      <Card size="small">
        <Tabs activeKey={box} onChange={(k) => setFilter('box', k as Box)} items={tabs} />
        <Space wrap size={[16, 0]}>
          <FilterSelect label="结果" width={140} value={result} onChange={(v) => setFilter('result', v)} options={withAny(RESULT_LABELS, '全部')} />
          <Space style={{ marginBottom: 12 }}>
            <span id="calls-app-label">应用</span>
            <Select
              style={{ width: 200 }}
              allowClear
              showSearch
              optionFilterProp="label"
              placeholder="全部应用"
              aria-labelledby="calls-app-label"
              value={appId}
              options={appOptions}
              onChange={(v) => setFilter('appId', v)}
              data-testid="calls-app"
            />
          </Space>
          <Space style={{ marginBottom: 12 }}>
            <span id="calls-resource-label">资源</span>
            <Select
              style={{ width: 240 }}
              allowClear
              showSearch
              filterOption={false}
              placeholder="输入资源名称检索"
              aria-labelledby="calls-resource-label"
              notFoundContent={<span className="muted">输入至少两个字检索资源</span>}
              value={resourceId}
              options={resourceOptions}
              onSearch={findResources}
              onChange={(v) => setFilter('resourceId', v)}
              data-testid="calls-resource"
            />
          </Space>
          <Space style={{ marginBottom: 12 }}>
            <span id="calls-dates-label">调用日期</span>
            <DatePicker.RangePicker
              aria-labelledby="calls-dates-label"
              value={dates}
              onChange={(v) => setFilter('dates', v && v[0] && v[1] ? [v[0], v[1]] : null)}
              data-testid="calls-dates"
            />
          </Space>
        </Space>
        {error ? (
          <LoadError error={error} onRetry={reload} />
        ) : (
          <Watermark>
            <Table<Call>
              rowKey="id"
              size="small"
              loading={loading}
              dataSource={data?.calls.items ?? []}
              data-testid="call-list"
              scroll={{ x: box === 'all' ? 1560 : 1400 }}
              locale={{ emptyText: <span className="muted">没有调用记录</span> }}
              pagination={pageControls(page, data?.calls.total, setPage)}
              columns={[
                { title: '时间', dataIndex: 'requestInAt', width: 180, render: formatDateTimeSeconds },
                {
                  title: '资源',
                  dataIndex: 'resourceId',
                  width: 220,
                  render: (id: string | null) => (id ? <Link to={`/catalog/${id}`}>{data?.names.get(id) ?? '（无权查看或已下架）'}</Link> : '—'),
                },
                { title: '应用', dataIndex: 'appName', width: 160, render: (v: string | null) => v ?? '—' },
                // The department's own name is not repeated: the other party only, both for the authority's view.
                ...(box !== 'mine'
                  ? [{ title: '调用单位', dataIndex: 'consumerOrgId', width: 190, render: (id: string | null) => data?.orgName(id) ?? '—' }]
                  : []),
                ...(box !== 'provided'
                  ? [{ title: '提供单位', dataIndex: 'providerOrgId', width: 190, render: (id: string | null) => data?.orgName(id) ?? '—' }]
                  : []),
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
            />
          </Watermark>
        )}
      </Card>
    </PageContainer>
  )
}
