import { CheckCircleFilled, CloseCircleFilled, SafetyOutlined } from '@ant-design/icons'
import { DownloadOutlined } from '@ant-design/icons'
import { Button, Card, DatePicker, Descriptions, Dropdown, Form, Input, Select, Space, Table, Tag } from 'antd'
import type { Dayjs } from 'dayjs'
import { useState } from 'react'
import { useSearchParams } from 'react-router-dom'
import { type AuditEvent, type AuditFilter, type ChainVerification, exportAuditEvents, listAuditEvents, verifyChain } from '../../api/audit.ts'
import { useAuth } from '../../auth/AuthProvider.tsx'
import { allowedByRole } from '../../auth/permissions.ts'
import { PageContainer } from '../../components/PageContainer.tsx'
import { LoadError } from '../../components/States.tsx'
import { useAsync } from '../../hooks/useAsync.ts'
import { OBJECT_TYPE_LABELS, RESULT_LABELS, actionLabel, actionLabelOptions, detailFields } from '../../lib/auditLabels.ts'
import { BEIJING_OFFSET_MINUTES, formatDateTimeSeconds } from '../../lib/dates.ts'
import { Operator } from './Operator.tsx'

interface FilterForm {
  actionLabel?: string
  objectType?: string
  objectId?: string
  actor?: string
  result?: 'success' | 'denied' | 'error'
  range?: [Dayjs, Dayjs]
}

const ACTION_OPTIONS = actionLabelOptions()
const iso = (d: Dayjs) => d.utcOffset(BEIJING_OFFSET_MINUTES, true).format('YYYY-MM-DDTHH:mm:ssZ')

/** 审计: the audit trail (read-only) and the SM3 hash-chain check. */
export default function AuditPage() {
  const { user } = useAuth()
  const [params] = useSearchParams()
  const [form] = Form.useForm<FilterForm>()
  const initialResult = params.get('result') as FilterForm['result'] | null
  const [filter, setFilter] = useState<AuditFilter>(initialResult ? { result: initialResult } : {})
  const [page, setPage] = useState({ page: 1, pageSize: 20 })
  const { data, error, loading, reload } = useAsync(() => listAuditEvents({ ...filter, ...page }), [filter, page])
  const canVerify = !!user && allowedByRole(user.roles, 'audit.chain.verify')
  const canExport = !!user && allowedByRole(user.roles, 'audit.event.export')
  const [exporting, setExporting] = useState(false)
  const download = async (format: 'csv' | 'xlsx') => {
    setExporting(true)
    try {
      await exportAuditEvents(filter, format)
    } catch {
      // the client showed the message
    } finally {
      setExporting(false)
    }
  }

  const search = (values: FilterForm) => {
    const codes = ACTION_OPTIONS.find((o) => o.label === values.actionLabel)?.codes
    setFilter({
      actions: codes?.join(',') || undefined,
      objectType: values.objectType || undefined,
      objectId: values.objectId?.trim() || undefined,
      actor: values.actor?.trim() || undefined,
      result: values.result,
      from: values.range ? iso(values.range[0]) : undefined,
      to: values.range ? iso(values.range[1]) : undefined,
    })
    setPage((p) => ({ ...p, page: 1 }))
  }

  return (
    <PageContainer title="审计" description="平台全部操作的审计日志（只读），按时间倒序；日志以 SM3 哈希链防篡改。">
      {canVerify ? <ChainCheck /> : null}
      <Card size="small" style={{ marginBottom: 12 }}>
        <Form form={form} layout="inline" onFinish={search} initialValues={{ result: initialResult ?? undefined }} style={{ rowGap: 8 }}>
          <Form.Item name="actor" label="操作人">
            <Input style={{ width: 180 }} allowClear placeholder="姓名或账号" />
          </Form.Item>
          <Form.Item name="actionLabel" label="操作">
            <Select
              style={{ width: 220 }}
              allowClear
              showSearch
              placeholder="输入以查找，如：登录、审核"
              options={ACTION_OPTIONS.map((o) => ({ value: o.label, label: o.label }))}
              filterOption={(input, option) => String(option?.label ?? '').includes(input.trim())}
            />
          </Form.Item>
          <Form.Item name="result" label="结果">
            <Select
              style={{ width: 110 }}
              allowClear
              placeholder="全部"
              options={Object.entries(RESULT_LABELS).map(([value, r]) => ({ value, label: r.text }))}
            />
          </Form.Item>
          <Form.Item name="objectType" label="对象类型">
            <Select
              style={{ width: 140 }}
              allowClear
              placeholder="全部"
              options={Object.entries(OBJECT_TYPE_LABELS).map(([value, label]) => ({ value, label }))}
            />
          </Form.Item>
          <Form.Item name="objectId" label="对象编号">
            <Input style={{ width: 180 }} allowClear />
          </Form.Item>
          <Form.Item name="range" label="时间">
            <DatePicker.RangePicker showTime={{ format: 'HH:mm' }} format="YYYY-MM-DD HH:mm" />
          </Form.Item>
          <Form.Item>
            <Space>
              <Button type="primary" htmlType="submit">
                查询
              </Button>
              <Button
                onClick={() => {
                  form.resetFields()
                  form.setFieldsValue({ result: undefined })
                  setFilter({})
                  setPage((p) => ({ ...p, page: 1 }))
                }}
              >
                重置
              </Button>
              {canExport ? (
                <Dropdown
                  menu={{
                    items: [
                      { key: 'xlsx', label: 'Excel（.xlsx，最多 100 万行）' },
                      { key: 'csv', label: 'CSV（UTF-8，Excel 可直接打开）' },
                    ],
                    onClick: ({ key }) => download(key as 'csv' | 'xlsx'),
                  }}
                >
                  <Button icon={<DownloadOutlined />} loading={exporting}>
                    导出当前查询结果
                  </Button>
                </Dropdown>
              ) : null}
            </Space>
          </Form.Item>
        </Form>
      </Card>
      <Card size="small">
        {error ? (
          <LoadError error={error} onRetry={reload} title="查询失败" />
        ) : (
          <Table<AuditEvent>
            rowKey="id"
            size="small"
            loading={loading}
            dataSource={data?.items ?? []}
            locale={{ emptyText: <span className="muted">没有符合条件的审计记录</span> }}
            data-testid="audit-events"
            scroll={{ x: 1100 }}
            pagination={{
              current: page.page,
              pageSize: page.pageSize,
              total: data?.total ?? 0,
              showSizeChanger: true,
              showTotal: (t) => `共 ${t} 条`,
              onChange: (p, s) => setPage({ page: p, pageSize: s }),
            }}
            expandable={{
              expandedRowRender: (e) => (
                <Descriptions size="small" column={1} bordered styles={{ label: { width: 120 } }}>
                  {detailFields(e.detail).map((field) => (
                    <Descriptions.Item key={field.label} label={field.label}>
                      {field.value}
                    </Descriptions.Item>
                  ))}
                  <Descriptions.Item label="操作代码">
                    <span className="mono">{e.action}</span>
                  </Descriptions.Item>
                  <Descriptions.Item label="操作人编号">
                    <span className="mono">{e.actorId ?? '—'}</span>
                  </Descriptions.Item>
                  <Descriptions.Item label="对象编号">
                    <span className="mono">{e.objectId ?? '—'}</span>
                  </Descriptions.Item>
                  <Descriptions.Item label="请求编号">
                    {e.requestId ? (
                      <span className="mono">{e.requestId}</span>
                    ) : Array.isArray(e.detail.requestIds) ? (
                      <span className="muted">本条封存同一批提交的 {e.detail.requestIds.length} 次接口调用，请求编号见上方「请求编号」</span>
                    ) : (
                      '—'
                    )}
                  </Descriptions.Item>
                  <Descriptions.Item label="本条哈希">
                    <span className="mono">{e.hash}</span>
                  </Descriptions.Item>
                  <Descriptions.Item label="前一条哈希">
                    <span className="mono">{e.prevHash}</span>
                  </Descriptions.Item>
                </Descriptions>
              ),
            }}
            columns={[
              { title: '序号', dataIndex: 'id', width: 80 },
              { title: '时间', dataIndex: 'at', width: 190, render: formatDateTimeSeconds },
              { title: '操作人', key: 'operator', width: 220, render: (_: unknown, e) => <Operator event={e} /> },
              { title: '操作', dataIndex: 'action', render: (a: string) => actionLabel(a) },
              {
                title: '结果',
                dataIndex: 'result',
                width: 80,
                render: (r: string) => <Tag color={RESULT_LABELS[r]?.color}>{RESULT_LABELS[r]?.text ?? r}</Tag>,
              },
              {
                title: '对象',
                key: 'object',
                width: 260,
                render: (_: unknown, e) =>
                  e.objectType ? (
                    <div data-testid="audit-object">
                      <span className="muted">{OBJECT_TYPE_LABELS[e.objectType] ?? '其他'}</span> {e.objectName ?? ''}
                    </div>
                  ) : (
                    '—'
                  ),
              },
              { title: 'IP', dataIndex: 'ip', width: 130, render: (v: string | null) => v ?? '—' },
            ]}
          />
        )}
      </Card>
    </PageContainer>
  )
}

function ChainCheck() {
  const [result, setResult] = useState<ChainVerification | null>(null)
  const [checking, setChecking] = useState(false)
  const [checkedAt, setCheckedAt] = useState<string | null>(null)
  const run = async () => {
    setChecking(true)
    try {
      setResult(await verifyChain())
      setCheckedAt(new Date().toISOString())
    } catch {
      // the client showed the message
    } finally {
      setChecking(false)
    }
  }
  return (
    <Card
      size="small"
      style={{ marginBottom: 12 }}
      title={
        <span>
          <SafetyOutlined /> 审计日志完整性校验
        </span>
      }
      extra={
        <Button type="primary" onClick={run} loading={checking} data-testid="verify-chain">
          校验哈希链
        </Button>
      }
      data-testid="chain-check"
    >
      {!result ? (
        <span className="muted">逐条重新计算 SM3 哈希并与链上记录比对，发现被修改或删除的记录。</span>
      ) : result.ok ? (
        <Space align="start" data-testid="chain-ok">
          <CheckCircleFilled style={{ color: '#389e0d', fontSize: 20 }} />
          <div>
            <div style={{ fontWeight: 500 }}>
              哈希链完整：共 {result.count} 条记录，未发现篡改
              {result.callLogs.sealedCalls > 0 ? `；${result.callLogs.sealedCalls} 条接口调用记录与封存摘要一致` : ''}。
            </div>
            <div className="muted">
              链头哈希 <span className="mono">{result.headHash}</span>
              {checkedAt ? `；校验时间 ${formatDateTimeSeconds(checkedAt)}` : ''}
            </div>
          </div>
        </Space>
      ) : (
        <Space align="start" data-testid="chain-bad">
          <CloseCircleFilled style={{ color: '#cf1322', fontSize: 20 }} />
          <div>
            <div style={{ fontWeight: 500, color: '#cf1322' }}>
              {result.firstBadId !== null
                ? `哈希链校验失败：从第 ${result.firstBadId} 条记录起与链上哈希不一致，日志可能被篡改。`
                : result.callLogs.firstBadEventId !== null
                  ? `接口调用记录校验失败：第 ${result.callLogs.firstBadEventId} 条审计记录封存的调用记录缺失或被改动。`
                  : `接口调用记录校验失败：有 ${result.callLogs.unsealedCalls} 条调用记录未经平台封存（可能是绕过平台写入的）。`}
            </div>
            <div className="muted">共 {result.count} 条记录。请立即保全数据库并报告安全管理员。</div>
          </div>
        </Space>
      )}
    </Card>
  )
}
