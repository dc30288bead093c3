import { Card, Col, Progress, Row, Segmented, Statistic } from 'antd'
// The ESM build: the CJS one ('echarts-for-react/lib/core') default-imports as {default: …} under Vite 8 (STACK.md §7).
import ReactEChartsCore from 'echarts-for-react/esm/core'
import { useState } from 'react'
import { SHARE_MODES, SHARE_TYPES, UPDATE_CYCLES } from '../../../../common/catalog.ts'
import { getClassTree, searchResources } from '../../api/catalog.ts'
import { allOrganisations } from '../../api/orgs.ts'
import { PageContainer } from '../../components/PageContainer.tsx'
import { LoadError, Loading } from '../../components/States.tsx'
import { useAsync } from '../../hooks/useAsync.ts'
import { echarts } from './charts.ts'

const FONT = "'PingFang SC', 'Microsoft YaHei', 'Noto Sans CJK SC', sans-serif"
const SHARE_COLORS = ['#52c41a', '#faad14', '#ff4d4f']

/** Runs `tasks` with at most `limit` in flight (PGlite answers one query at a time anyway). */
async function pooled<T>(tasks: (() => Promise<T>)[], limit = 6): Promise<T[]> {
  const results: T[] = new Array(tasks.length)
  let next = 0
  const worker = async () => {
    while (next < tasks.length) {
      const i = next++
      results[i] = await tasks[i]()
    }
  }
  await Promise.all(Array.from({ length: Math.min(limit, tasks.length) }, worker))
  return results
}

type Scope = 'published' | 'all'

/** Below this many matching entries the page reads them all (a few pages) and counts locally. */
const READ_ALL_LIMIT = 1000

/**
 * 统计: catalog counts computed from the search API, so the numbers are exactly what users can find
 * (no separate statistics store to drift). A catalog of up to READ_ALL_LIMIT entries is read in
 * pages of 200 and counted here; a larger one is counted with one filtered search per bar (its total).
 */
async function loadStats(scope: Scope) {
  const status = scope === 'published' ? ('published' as const) : undefined
  const [tree, orgs, first] = await Promise.all([getClassTree(), allOrganisations(), searchResources({ status, page: 1, pageSize: 200 }, { quiet: true })])
  const libraries = tree.flatMap((root) => root.children.map((child) => ({ root: root.name, code: child.code, name: child.name })))
  const providers = orgs.filter((o) => o.kind !== 'region')
  const cycles = Object.entries(UPDATE_CYCLES)
  const modes = Object.entries(SHARE_MODES)
  const total = first.total

  let counts: number[]
  if (total <= READ_ALL_LIMIT) {
    const entries = [...first.items]
    for (let page = 2; entries.length < total; page++) {
      const next = await searchResources({ status, page, pageSize: 200 }, { quiet: true })
      if (next.items.length === 0) break
      entries.push(...next.items)
    }
    const countWhere = (test: (r: (typeof entries)[number]) => boolean) => entries.filter(test).length
    counts = [
      ...tree.map((root) => countWhere((r) => r.classCode.startsWith(root.code))),
      ...libraries.map((l) => countWhere((r) => r.classCode.startsWith(l.code))),
      ...providers.map((o) => countWhere((r) => r.providerOrgId === o.id)),
      ...[1, 2, 3].map((t) => countWhere((r) => r.shareType === t)),
      ...cycles.map(([c]) => countWhere((r) => r.updateCycle === Number(c))),
      ...modes.map(([m]) => countWhere((r) => r.shareModes.includes(m))),
    ]
  } else {
    const count = (filter: Parameters<typeof searchResources>[0]) => () =>
      searchResources({ ...filter, status, pageSize: 1 }, { quiet: true }).then((r) => r.total)
    counts = await pooled([
      ...tree.map((root) => count({ classCode: root.code })),
      ...libraries.map((l) => count({ classCode: l.code })),
      ...providers.map((o) => count({ providerOrgId: o.id })),
      ...[1, 2, 3].map((t) => count({ shareType: t })),
      ...cycles.map(([c]) => count({ updateCycle: Number(c) })),
      ...modes.map(([m]) => count({ shareMode: m as 'api' })),
    ])
  }
  let i = 0
  const take = (n: number) => counts.slice(i, (i += n))
  const byRoot = take(tree.length).map((n, k) => ({ name: tree[k].name, value: n }))
  const byLibrary = take(libraries.length).map((n, k) => ({ ...libraries[k], value: n }))
  const byProvider = take(providers.length).map((n, k) => ({ name: providers[k].shortName ?? providers[k].name, value: n }))
  const byShareType = take(3).map((n, k) => ({ name: SHARE_TYPES[(k + 1) as 1], value: n }))
  const byCycle = take(cycles.length).map((n, k) => ({ name: cycles[k][1], value: n }))
  const byMode = take(modes.length).map((n, k) => ({ name: modes[k][1], value: n }))
  return { total, byRoot, byLibrary, byProvider, byShareType, byCycle, byMode }
}

function Chart({ option, height = 320, testId }: { option: object; height?: number; testId?: string }) {
  return (
    <div data-testid={testId}>
      <ReactEChartsCore echarts={echarts} option={{ textStyle: { fontFamily: FONT }, ...option }} style={{ height }} notMerge lazyUpdate />
    </div>
  )
}

const barOption = (names: string[], values: number[], horizontal = false, color = '#1f5fbf') => ({
  tooltip: { trigger: 'axis', axisPointer: { type: 'shadow' } },
  grid: { left: 12, right: 24, top: 16, bottom: 8, containLabel: true },
  [horizontal ? 'yAxis' : 'xAxis']: {
    type: 'category',
    data: names,
    axisLabel: horizontal ? { width: 190, overflow: 'truncate', interval: 0 } : { interval: 0, rotate: names.length > 6 ? 30 : 0 },
  },
  [horizontal ? 'xAxis' : 'yAxis']: { type: 'value', minInterval: 1 },
  series: [{ type: 'bar', data: values, itemStyle: { color }, barMaxWidth: 28, label: { show: true, position: horizontal ? 'right' : 'top' } }],
})

export default function StatsPage() {
  const [scope, setScope] = useState<Scope>('published')
  const { data, error, loading, reload } = useAsync(() => loadStats(scope), [scope])

  return (
    <PageContainer
      title="统计"
      description="目录数量按分类、提供部门、共享类型等维度统计，数据与资源目录检索结果一致。"
      extra={
        <Segmented<Scope>
          value={scope}
          onChange={setScope}
          options={[
            { value: 'published', label: '已发布目录' },
            { value: 'all', label: '全部可见目录' },
          ]}
        />
      }
    >
      {error ? (
        <LoadError error={error} onRetry={reload} title="统计数据加载失败" />
      ) : loading || !data ? (
        <Loading tip="正在汇总目录数据…" />
      ) : (
        <Row gutter={[16, 16]}>
          <Col xs={24} md={6}>
            <Card size="small">
              <Statistic title={scope === 'published' ? '已发布目录' : '可见目录'} value={data.total} suffix="条" />
            </Card>
          </Col>
          {data.byRoot.map((r) => (
            <Col xs={24} md={6} key={r.name}>
              <Card size="small">
                <Statistic title={r.name} value={r.value} suffix="条" />
              </Card>
            </Col>
          ))}
          <Col xs={24} xl={14}>
            <Card size="small" title="各类目录数量（按项）">
              {(() => {
                // Horizontal bars: the 项 names are long (e.g. 自然资源和空间地理基础信息资源).
                const rows = data.byLibrary.filter((l) => l.value > 0).reverse()
                return rows.length === 0 ? (
                  <span className="muted">暂无数据</span>
                ) : (
                  <Chart
                    testId="chart-class"
                    height={Math.max(240, rows.length * 24 + 40)}
                    option={barOption(
                      rows.map((l) => l.name),
                      rows.map((l) => l.value),
                      true,
                    )}
                  />
                )
              })()}
            </Card>
          </Col>
          <Col xs={24} xl={10}>
            <Card size="small" title="共享类型占比">
              <Chart
                testId="chart-share-type"
                height={360}
                option={{
                  tooltip: { trigger: 'item', formatter: '{b}：{c} 条（{d}%）' },
                  legend: { bottom: 0 },
                  color: SHARE_COLORS,
                  series: [
                    {
                      type: 'pie',
                      radius: ['36%', '58%'],
                      center: ['50%', '46%'],
                      percentPrecision: 1,
                      data: data.byShareType,
                      label: { formatter: '{b}\n{c} 条，{d}%', overflow: 'none', lineHeight: 18 },
                    },
                  ],
                }}
              />
            </Card>
          </Col>
          <Col xs={24} xl={14}>
            <Card size="small" title="各部门目录数量（前 15）">
              {(() => {
                const top = [...data.byProvider]
                  .filter((p) => p.value > 0)
                  .sort((a, b) => b.value - a.value)
                  .slice(0, 15)
                  .reverse()
                return top.length === 0 ? (
                  <span className="muted">暂无数据</span>
                ) : (
                  <Chart
                    testId="chart-department"
                    height={Math.max(240, top.length * 26 + 40)}
                    option={barOption(
                      top.map((p) => p.name),
                      top.map((p) => p.value),
                      true,
                      '#13a8a8',
                    )}
                  />
                )
              })()}
            </Card>
          </Col>
          <Col xs={24} xl={10}>
            <Card size="small" title="更新周期分布" style={{ marginBottom: 16 }}>
              <Chart
                height={220}
                option={barOption(
                  data.byCycle.map((c) => c.name),
                  data.byCycle.map((c) => c.value),
                  false,
                  '#722ed1',
                )}
              />
            </Card>
            <Card size="small" title="共享方式（可多选）">
              {data.byMode.map((m) => (
                <div key={m.name} style={{ display: 'flex', alignItems: 'center', gap: 12, marginBottom: 6 }}>
                  <span style={{ width: 40 }}>{m.name}</span>
                  <Progress
                    aria-label={`${m.name}方式 ${m.value} 条`}
                    percent={data.total ? Math.round((m.value / data.total) * 100) : 0}
                    format={() => `${m.value} 条`}
                    style={{ flex: 1, margin: 0 }}
                  />
                </div>
              ))}
            </Card>
          </Col>
        </Row>
      )}
    </PageContainer>
  )
}
