import { Button, Card, Col, DatePicker, Drawer, Empty, Form, Input, Modal, Row, Select, Space, Table, Tabs, Tag, message } from 'antd'
import dayjs, { type Dayjs } from 'dayjs'
// The ESM build: the CJS one default-imports as {default: …} under Vite 8 (STACK.md §7).
import ReactEChartsCore from 'echarts-for-react/esm/core'
import { useMemo, useState } from 'react'
import { INDICATORS } from '../../../../common/evaluation.ts'
import { COUNTIES, CITY_REGION } from '../../../../common/regions.ts'
import { type IndicatorLine, type ScoreRow, createRun, downloadReport, getScores, listRuns } from '../../api/evaluation.ts'
import { saveDownload } from '../../api/client.ts'
import { useAuth } from '../../auth/AuthProvider.tsx'
import { allowedByRole, seesAll } from '../../auth/permissions.ts'
import { PageContainer } from '../../components/PageContainer.tsx'
import { LoadError, Loading } from '../../components/States.tsx'
import { useAsync } from '../../hooks/useAsync.ts'
import { EvidenceModal } from './EvidenceModal.tsx'
import { NoticesTab } from './NoticesTab.tsx'
import { echarts } from './charts.ts'

const FONT = "'PingFang SC', 'Microsoft YaHei', 'Noto Sans CJK SC', sans-serif"
const REGIONS = [CITY_REGION, ...COUNTIES]

function Chart({ option, height = 320, testId }: { option: object; height?: number; testId?: string }) {
  return (
    <div data-testid={testId}>
      <ReactEChartsCore echarts={echarts} option={{ textStyle: { fontFamily: FONT }, ...option }} style={{ height }} notMerge lazyUpdate />
    </div>
  )
}

const scoreText = (v: number | null) => (v === null ? '不适用' : v.toFixed(2).replace(/\.?0+$/, ''))

/** Indicator table of one department: each figure opens the records behind it. */
function IndicatorTable({ lines, onDrill }: { lines: IndicatorLine[]; onDrill: (line: IndicatorLine) => void }) {
  return (
    <Table
      data-testid="indicator-table"
      size="small"
      rowKey="id"
      pagination={false}
      dataSource={lines}
      columns={[
        { title: '指标', dataIndex: 'id', width: 60 },
        { title: '名称', dataIndex: 'name' },
        {
          title: '分子 / 分母',
          width: 120,
          render: (_, l) => (
            <Button type="link" size="small" onClick={() => onDrill(l)} aria-label={`${l.name}明细`}>
              {l.numerator} / {l.denominator}
            </Button>
          ),
        },
        {
          title: '得分',
          dataIndex: 'score',
          width: 90,
          render: (v: number | null, l) => (v !== null && v < l.threshold ? <Tag color="red">{scoreText(v)}</Tag> : scoreText(v)),
        },
        { title: '权重', dataIndex: 'weight', width: 60 },
        { title: '达标线', dataIndex: 'threshold', width: 70 },
      ]}
    />
  )
}

function CreateRunModal({ onClose, onCreated }: { onClose: () => void; onCreated: (id: string) => void }) {
  const [form] = Form.useForm<{ range: [Dayjs, Dayjs]; label?: string }>()
  const [saving, setSaving] = useState(false)
  const submit = async () => {
    const { range, label } = await form.validateFields()
    setSaving(true)
    try {
      const run = await createRun({ from: range[0].format('YYYY-MM-DD'), to: range[1].format('YYYY-MM-DD'), label })
      message.success('考核已完成，结果已冻结')
      onCreated(run.id)
    } finally {
      setSaving(false)
    }
  }
  const year = dayjs().year()
  return (
    <Modal open title="运行考核" okText="运行并冻结结果" onOk={submit} confirmLoading={saving} onCancel={onClose} destroyOnHidden>
      <p>考核只使用平台已记录的数据；结果冻结为快照，之后重新运行同一期间会形成新的快照，原结果不变。</p>
      <Form form={form} layout="vertical" initialValues={{ range: [dayjs(`${year}-01-01`), dayjs()], label: `${year}年度考核` }}>
        <Form.Item name="range" label="考核期间" rules={[{ required: true, message: '请选择考核期间' }]}>
          <DatePicker.RangePicker />
        </Form.Item>
        <Form.Item name="label" label="期次名称">
          <Input maxLength={60} />
        </Form.Item>
      </Form>
    </Modal>
  )
}

/** 考核 (SPEC §9): ranking per tenant, indicator radar per department, trends across runs, drill-down, notices, reports. */
export default function EvaluationPage() {
  const { user } = useAuth()
  const runs = useAsync(() => listRuns(), [])
  const [chosenRun, setRunId] = useState<string | undefined>()
  const [regionCode, setRegionCode] = useState<string>(CITY_REGION.code)
  const [creating, setCreating] = useState(false)
  const [selected, setSelected] = useState<ScoreRow | null>(null)
  const [drill, setDrill] = useState<{ row: ScoreRow; line: IndicatorLine } | null>(null)
  const runId = chosenRun ?? runs.data?.items[0]?.id
  const authority = user ? seesAll(user, 'evaluation.score.read') : false
  const scores = useAsync(() => (runId ? getScores(runId, authority ? regionCode : undefined) : Promise.resolve(null)), [runId, regionCode, authority])
  // Trends: the department totals and the tenant's average over the latest runs (oldest first).
  const recent = useMemo(() => (runs.data?.items ?? []).slice(0, 6).reverse(), [runs.data])
  const trend = useAsync(() => Promise.all(recent.map((r) => getScores(r.id, authority ? regionCode : undefined))), [recent, regionCode, authority])

  if (!user) return null
  if (runs.error) return <LoadError error={runs.error} onRetry={runs.reload} />
  if (runs.loading && !runs.data) return <Loading />
  const canRun = allowedByRole(user.roles, 'evaluation.run.create')
  const items = scores.data?.items ?? []
  const ranked = items.filter((i) => i.total !== null)
  const tenant = scores.data?.aggregates.find((a) => a.level === 'tenant' && a.regionCode === regionCode)

  const report = async (format: 'docx' | 'xlsx', orgId?: string) => {
    if (!runId) return
    await saveDownload(await downloadReport(runId, format, orgId), `共享工作报告.${format}`)
  }

  const extra = (
    <Space wrap>
      <Select
        aria-label="考核期次"
        style={{ width: 220 }}
        value={runId}
        placeholder="选择考核期次"
        onChange={setRunId}
        options={(runs.data?.items ?? []).map((r) => ({ value: r.id, label: `${r.label}（${r.from} 至 ${r.to}）` }))}
        data-testid="run-select"
      />
      {authority ? (
        <Select
          aria-label="辖区"
          style={{ width: 130 }}
          value={regionCode}
          onChange={setRegionCode}
          options={REGIONS.map((r) => ({ value: r.code, label: r.name }))}
          data-testid="region-select"
        />
      ) : null}
      {canRun ? (
        <Button type="primary" onClick={() => setCreating(true)} data-testid="create-run">
          运行考核
        </Button>
      ) : null}
      {authority && runId ? (
        <>
          <Button onClick={() => void report('docx')}>全市年度报告（Word）</Button>
          <Button onClick={() => void report('xlsx')}>全市年度报告（Excel）</Button>
        </>
      ) : null}
    </Space>
  )

  const radarOf = (row: ScoreRow) => ({
    tooltip: {},
    legend: { bottom: 0, data: [row.orgName, '达标线'] },
    radar: { indicator: INDICATORS.map((i) => ({ name: `${i.id} ${i.name}`, max: 100 })), radius: '62%', axisName: { fontSize: 11 } },
    series: [
      {
        type: 'radar',
        data: [
          { name: row.orgName, value: row.indicators.map((l) => l.score ?? 0), areaStyle: { opacity: 0.2 } },
          { name: '达标线', value: row.indicators.map((l) => l.threshold), lineStyle: { type: 'dashed' } },
        ],
      },
    ],
  })

  const rankingTab = (
    <>
      {ranked.length > 0 ? (
        <Card
          size="small"
          title={authority ? `${REGIONS.find((r) => r.code === regionCode)?.name} 部门排名（综合得分）` : '本部门综合得分'}
          style={{ marginBottom: 16 }}
        >
          <Chart
            testId="ranking-chart"
            height={Math.max(220, ranked.length * 28 + 60)}
            option={{
              grid: { left: 180, right: 40, top: 10, bottom: 30 },
              tooltip: { trigger: 'axis' },
              xAxis: { type: 'value', max: 100 },
              yAxis: { type: 'category', inverse: true, data: ranked.map((r) => `${r.rank}. ${r.orgName}`), axisLabel: { width: 170, overflow: 'truncate' } },
              series: [{ type: 'bar', data: ranked.map((r) => r.total), itemStyle: { color: '#1f5fbf' }, label: { show: true, position: 'right' } }],
            }}
          />
        </Card>
      ) : null}
      <Table
        data-testid="ranking-table"
        rowKey="orgId"
        size="small"
        loading={scores.loading}
        dataSource={items}
        pagination={{ pageSize: 20, hideOnSinglePage: true }}
        onRow={(row) => ({ onClick: () => setSelected(row), style: { cursor: 'pointer' } })}
        columns={[
          { title: '排名', dataIndex: 'rank', width: 70, render: (v: number | null) => v ?? '—' },
          { title: '部门', dataIndex: 'orgName' },
          { title: '综合得分', dataIndex: 'total', width: 100, render: scoreText },
          {
            title: '低于达标线',
            width: 220,
            render: (_, r) =>
              r.indicators
                .filter((l) => l.score !== null && l.score < l.threshold)
                .map((l) => (
                  <Tag key={l.id} color="red">
                    {l.id}
                  </Tag>
                )),
          },
          {
            title: '',
            width: 90,
            render: (_, r) => (
              <Button size="small" onClick={() => setSelected(r)}>
                查看明细
              </Button>
            ),
          },
        ]}
      />
    </>
  )

  const trendTab =
    trend.data && trend.data.length > 0 ? (
      <Card size="small" title="综合得分趋势">
        <Chart
          testId="trend-chart"
          option={{
            tooltip: { trigger: 'axis' },
            legend: { bottom: 0, type: 'scroll' },
            grid: { left: 40, right: 20, top: 20, bottom: 60 },
            xAxis: { type: 'category', data: trend.data.map((s) => s!.run.label) },
            yAxis: { type: 'value', max: 100 },
            series: [
              ...(authority
                ? [
                    {
                      name: `${REGIONS.find((r) => r.code === regionCode)?.name}平均`,
                      type: 'line',
                      data: trend.data.map((s) => s!.aggregates.find((a) => a.level === 'tenant' && a.regionCode === regionCode)?.total ?? null),
                      lineStyle: { width: 3 },
                    },
                  ]
                : []),
              ...items
                .slice(0, 8)
                .map((d) => ({ name: d.orgName, type: 'line', data: trend.data!.map((s) => s!.items.find((i) => i.orgId === d.orgId)?.total ?? null) })),
            ],
          }}
        />
      </Card>
    ) : (
      <Empty description="暂无考核期次" />
    )

  return (
    <PageContainer
      title="考核评估"
      description="按国发〔2016〕51号第十七条，依据平台记录对各部门共享工作进行考核；每期结果冻结，所有数字可追溯到具体记录"
      extra={extra}
    >
      {!runId ? (
        <Empty description={canRun ? '尚未运行考核，请点击「运行考核」' : '主管部门尚未发布考核结果'} />
      ) : scores.error ? (
        <LoadError error={scores.error} onRetry={scores.reload} />
      ) : (
        <>
          {tenant ? (
            <Row gutter={16} style={{ marginBottom: 16 }}>
              <Col span={24}>
                <Card size="small">
                  <Space size="large" wrap>
                    <span>
                      辖区平均综合得分：<b data-testid="tenant-total">{scoreText(tenant.total)}</b>
                    </span>
                    <span>参与考核部门：{items.length}</span>
                    <span>有得分部门：{ranked.length}</span>
                  </Space>
                </Card>
              </Col>
            </Row>
          ) : null}
          <Tabs
            items={[
              { key: 'ranking', label: '排名', children: rankingTab },
              { key: 'trend', label: '趋势', children: trendTab },
              { key: 'notices', label: '整改通知', children: <NoticesTab runId={runId} /> },
            ]}
          />
        </>
      )}
      <Drawer
        open={selected !== null}
        onClose={() => setSelected(null)}
        width={760}
        title={selected ? `${selected.orgName}：综合得分 ${scoreText(selected.total)}${selected.rank ? `，排名第 ${selected.rank}` : ''}` : ''}
        destroyOnHidden
      >
        {selected ? (
          <>
            <Space style={{ marginBottom: 12 }}>
              <Button onClick={() => void report('docx', selected.orgId)}>年度报告（Word）</Button>
              <Button onClick={() => void report('xlsx', selected.orgId)}>年度报告（Excel）</Button>
            </Space>
            <Chart testId="radar-chart" height={340} option={radarOf(selected)} />
            <IndicatorTable lines={selected.indicators} onDrill={(line) => setDrill({ row: selected, line })} />
          </>
        ) : null}
      </Drawer>
      {drill && runId ? (
        <EvidenceModal runId={runId} orgId={drill.row.orgId} orgName={drill.row.orgName} line={drill.line} onClose={() => setDrill(null)} />
      ) : null}
      {creating ? (
        <CreateRunModal
          onClose={() => setCreating(false)}
          onCreated={(id) => {
            setCreating(false)
            setRunId(id)
            runs.reload()
          }}
        />
      ) : null}
    </PageContainer>
  )
}
