import { Alert, App, Button, Card, Checkbox, Descriptions, Form, Input, InputNumber, Radio, Space, Switch, Table, Tabs, Tag } from 'antd'
import { useState } from 'react'
import { useNavigate, useParams } from 'react-router-dom'
import { getResource, submitResource } from '../../api/catalog.ts'
import { ApiError } from '../../api/client.ts'
import {
  type ApiRegistration,
  BATCH_STATUS_LABELS,
  type Batch,
  type FileVersion,
  MOUNT_KIND_LABELS,
  type Mount,
  type TableUpload,
  type TableUploadPreview,
  listFileVersions,
  listMounts,
  previewTableUpload,
  registerApi,
  restoreTable,
  uploadFileVersion,
  uploadTable,
} from '../../api/mounts.ts'
import { PageContainer } from '../../components/PageContainer.tsx'
import { LoadError, Loading } from '../../components/States.tsx'
import { StatusTag } from '../../components/Tags.tsx'
import { useAsync } from '../../hooks/useAsync.ts'
import { formatDateTime } from '../../lib/dates.ts'
import { applyFieldErrors } from '../../lib/fieldErrors.ts'
import { Watermark } from '../../components/Watermark.tsx'
import { ReplacementDialog } from './ReplacementDialog.tsx'
import { UploadPanel, formatBytes } from './UploadPanel.tsx'

interface RejectedLine {
  line: number | null
  column: string
  reason: string
}

// `第12行.身份证号` (the details[].field of a refused table upload).
const LINE_FIELD = /^第(\d+)行(?:\.(.+))?$/

/** One catalog entry's mounts: table batches, file versions, the upstream API; upload and register here. */
export default function MountDetailPage() {
  const { id = '' } = useParams()
  const navigate = useNavigate()
  const resource = useAsync(() => getResource(id), [id])
  const mounts = useAsync(() => listMounts(id), [id])
  const [submitting, setSubmitting] = useState(false)

  if (resource.error) return <LoadError error={resource.error} onRetry={resource.reload} />
  if (!resource.data) return <Loading />
  const r = resource.data
  const byKind = (kind: Mount['kind']) => mounts.data?.items.find((m) => m.kind === kind)

  const submit = async () => {
    setSubmitting(true)
    try {
      await submitResource(r.id)
      navigate(`/catalog/${r.id}`)
    } catch {
      // the client showed the message
    } finally {
      setSubmitting(false)
    }
  }

  return (
    <PageContainer
      title={`资源挂接：${r.name}`}
      description={
        <Space size={8} wrap>
          <span>{r.code ?? '未发布'}</span>
          <StatusTag status={r.status} label={r.statusLabel} />
        </Space>
      }
      extra={
        <Space wrap>
          <Button onClick={() => navigate('/mounts')}>返回列表</Button>
          <Button onClick={() => navigate(`/catalog/${r.id}`)}>查看目录</Button>
          {r.actions.submit ? (
            <Button type="primary" loading={submitting} onClick={submit} data-testid="mount-submit">
              提交审核
            </Button>
          ) : null}
        </Space>
      }
    >
      <Card size="small" title="挂接情况" style={{ marginBottom: 16 }}>
        {mounts.error ? (
          <LoadError error={mounts.error} onRetry={mounts.reload} />
        ) : (
          <Table<Mount>
            rowKey="id"
            size="small"
            loading={mounts.loading}
            dataSource={mounts.data?.items ?? []}
            pagination={false}
            data-testid="mount-summary"
            locale={{ emptyText: <span className="muted">尚未挂接数据：请在下方上传库表数据、文件或登记接口</span> }}
            columns={[
              { title: '挂接方式', dataIndex: 'kind', width: 100, render: (k: Mount['kind']) => <Tag color="blue">{MOUNT_KIND_LABELS[k]}</Tag> },
              { title: '状态', key: 'live', width: 110, render: (_: unknown, m) => (m.live ? <Tag color="green">可用</Tag> : <Tag>未就绪</Tag>) },
              {
                title: '数据行数',
                dataIndex: 'rowCount',
                width: 120,
                render: (n: number, m) => (m.kind === 'table' ? `${n.toLocaleString('zh-CN')} 行` : '—'),
              },
              { title: '数据时间', dataIndex: 'lastDataTime', width: 180, render: formatDateTime },
              {
                title: '说明',
                key: 'desc',
                render: (_: unknown, m) =>
                  m.kind === 'api' ? (
                    <span className="mono">
                      {m.method} {m.upstreamUrl}
                    </span>
                  ) : m.kind === 'file' ? (
                    `共 ${m.files?.length ?? 0} 个版本`
                  ) : (
                    `最近 ${m.batches?.length ?? 0} 个导入批次`
                  ),
              },
              { title: '更新时间', dataIndex: 'updatedAt', width: 180, render: formatDateTime },
            ]}
          />
        )}
      </Card>
      <Card size="small">
        <Tabs
          items={[
            { key: 'table', label: '库表数据', children: <TableTab resourceId={r.id} mount={byKind('table')} onDone={mounts.reload} /> },
            { key: 'file', label: '文件', children: <FileTab resourceId={r.id} onDone={mounts.reload} /> },
            { key: 'api', label: '接口', children: <ApiTab resourceId={r.id} mount={byKind('api')} onDone={mounts.reload} /> },
          ]}
        />
      </Card>
    </PageContainer>
  )
}

function TableTab({ resourceId, mount, onDone }: { resourceId: string; mount?: Mount; onDone: () => void }) {
  const [skipInvalid, setSkipInvalid] = useState(false)
  const [result, setResult] = useState<TableUpload | null>(null)
  const [refusal, setRefusal] = useState<{ message: string; lines: RejectedLine[] } | null>(null)

  const { modal, message } = App.useApp()
  const [asking, setAsking] = useState<{ fileName: string; preview: TableUploadPreview['preview']; answer: (ok: boolean) => void } | null>(null)
  const [restoring, setRestoring] = useState(false)
  const ask = (fileName: string, preview: TableUploadPreview['preview']) =>
    new Promise<boolean>((resolve) =>
      setAsking({
        fileName,
        preview,
        answer: (ok) => {
          setAsking(null)
          resolve(ok)
        },
      }),
    )

  // A file that would replace served data is checked first (a dry run) and replaces it only once confirmed.
  const send = async (file: File, onProgress: (p: number) => void) => {
    setResult(null)
    setRefusal(null)
    try {
      let confirm = false
      if (mount?.activeBatchId) {
        const checked = await previewTableUpload(resourceId, file, skipInvalid, onProgress)
        if (!(await ask(checked.fileName, checked.preview))) return false
        confirm = true
      }
      setResult(await uploadTable(resourceId, file, skipInvalid, onProgress, confirm))
      onDone()
    } catch (error) {
      const e = error as ApiError
      const lines = (e.details ?? []).map((d) => {
        const m = LINE_FIELD.exec(d.field)
        return m ? { line: Number(m[1]), column: m[2] ?? '', reason: d.message } : { line: null, column: d.field === 'file' ? '' : d.field, reason: d.message }
      })
      setRefusal({ message: e.message, lines })
      throw error
    }
  }

  const rejected: RejectedLine[] = result ? result.rejectedRows.map((row) => ({ line: row.line, column: '', reason: row.reason })) : (refusal?.lines ?? [])

  return (
    <div>
      <UploadPanel
        accept=".csv,.xlsx"
        testId="table-upload"
        buttonText="上传并导入"
        hint="CSV（UTF-8 或 GBK 编码，自动识别）或 XLSX；第一行为表头，列名与信息项的中文名或英文名对应。新数据整批替换旧数据。"
        extra={
          <Checkbox checked={skipInvalid} onChange={(e) => setSkipInvalid(e.target.checked)} data-testid="skip-invalid">
            跳过错误行（其余数据照常导入）
          </Checkbox>
        }
        send={send}
      />
      {result ? (
        <Alert
          type={result.rejectedTotal > 0 ? 'warning' : 'success'}
          showIcon
          style={{ marginTop: 12 }}
          data-testid="table-upload-result"
          message={`已导入 ${result.rows.toLocaleString('zh-CN')} 行${result.rejectedTotal > 0 ? `，跳过 ${result.rejectedTotal} 行错误数据` : ''}`}
          description={
            <div>
              <div>
                文件：{result.fileName}（{result.format === 'xlsx' ? 'XLSX' : `CSV，${result.encoding.toUpperCase()} 编码`}）；数据时间：
                {formatDateTime(result.lastDataTime)}
              </div>
              <div>对应的信息项：{result.mapping.map((m) => `${m.header} → ${m.itemName}`).join('，') || '—'}</div>
              {result.ignoredColumns.length > 0 ? <div>未对应信息项、已忽略的列：{result.ignoredColumns.join('，')}</div> : null}
            </div>
          }
        />
      ) : null}
      {refusal ? (
        <Alert type="error" showIcon style={{ marginTop: 12 }} message="未导入任何数据" description={refusal.message} data-testid="table-upload-error" />
      ) : null}
      {rejected.length > 0 ? <RejectedTable rows={rejected} total={result?.rejectedTotal} /> : null}
      {asking ? (
        <ReplacementDialog fileName={asking.fileName} preview={asking.preview} onConfirm={() => asking.answer(true)} onCancel={() => asking.answer(false)} />
      ) : null}
      <BatchHistory batches={mount?.batches ?? []} />
      {mount?.restorable ? (
        <Alert
          type="info"
          showIcon
          style={{ marginTop: 12 }}
          data-testid="restorable"
          message={`上一批次（${mount.restorable.fileName ?? '未命名文件'}，${mount.restorable.rows.toLocaleString('zh-CN')} 行）保留至 ${formatDateTime(mount.restorable.until)}，期间可以恢复`}
          action={
            <Button size="small" loading={restoring} onClick={() => confirmRestore(mount)} data-testid="restore-previous">
              恢复上一批次
            </Button>
          }
        />
      ) : null}
    </div>
  )

  function confirmRestore(current: Mount) {
    const kept = current.restorable!
    modal.confirm({
      title: '恢复上一批次',
      content: `将用上一批次「${kept.fileName ?? '未命名文件'}」（${kept.rows.toLocaleString('zh-CN')} 行）替换当前数据（${current.rowCount.toLocaleString('zh-CN')} 行）；当前数据转为上一批次，保留期内仍可恢复。确定吗？`,
      okText: '确认恢复',
      cancelText: '取消',
      okButtonProps: { 'data-testid': 'restore-confirm' },
      onOk: async () => {
        setRestoring(true)
        try {
          await restoreTable(resourceId)
          setResult(null)
          message.success(`已恢复上一批次，当前数据 ${kept.rows.toLocaleString('zh-CN')} 行`)
          onDone()
        } finally {
          setRestoring(false)
        }
      },
    })
  }
}

function RejectedTable({ rows, total }: { rows: RejectedLine[]; total?: number }) {
  return (
    <Card
      size="small"
      title={`错误行报告（${total ?? rows.length} 行${total !== undefined && total > rows.length ? `，列出前 ${rows.length} 行` : ''}）`}
      style={{ marginTop: 12 }}
    >
      <Watermark>
        <Table<RejectedLine>
          rowKey={(row, i) => `${row.line}-${row.column}-${i}`}
          size="small"
          dataSource={rows}
          pagination={rows.length > 20 ? { pageSize: 20, showSizeChanger: false } : false}
          data-testid="rejected-rows"
          columns={[
            { title: '文件行号', dataIndex: 'line', width: 100, render: (line: number | null) => (line === null ? '—' : `第 ${line} 行`) },
            { title: '列', dataIndex: 'column', width: 160, render: (c: string) => c || '—' },
            { title: '原因', dataIndex: 'reason' },
          ]}
        />
      </Watermark>
    </Card>
  )
}

function BatchHistory({ batches }: { batches: Batch[] }) {
  return (
    <Card size="small" title="导入批次" style={{ marginTop: 12 }}>
      <Table<Batch>
        rowKey="id"
        size="small"
        dataSource={batches}
        pagination={false}
        data-testid="batches"
        locale={{ emptyText: <span className="muted">还没有导入过库表数据</span> }}
        columns={[
          { title: '开始时间', dataIndex: 'startedAt', width: 180, render: formatDateTime },
          { title: '文件', dataIndex: 'fileName', render: (v: string | null) => v ?? '—' },
          { title: '编码', dataIndex: 'encoding', width: 100, render: (v: string | null) => (v ? v.toUpperCase() : '—') },
          {
            title: '状态',
            dataIndex: 'status',
            width: 100,
            render: (s: Batch['status']) => <Tag color={s === 'active' ? 'green' : s === 'failed' ? 'red' : 'default'}>{BATCH_STATUS_LABELS[s]}</Tag>,
          },
          { title: '导入行数', dataIndex: 'rowsLoaded', width: 110, render: (n: number) => n.toLocaleString('zh-CN') },
          { title: '跳过行数', dataIndex: 'rowsRejected', width: 110, render: (n: number) => (n > 0 ? <Tag color="orange">{n}</Tag> : 0) },
          { title: '完成时间', dataIndex: 'finishedAt', width: 180, render: formatDateTime },
        ]}
      />
    </Card>
  )
}

function FileTab({ resourceId, onDone }: { resourceId: string; onDone: () => void }) {
  const files = useAsync(() => listFileVersions(resourceId), [resourceId])
  const send = async (file: File, onProgress: (p: number) => void) => {
    await uploadFileVersion(resourceId, file, onProgress)
    files.reload()
    onDone()
  }
  return (
    <div>
      <UploadPanel accept="*" testId="file-upload" buttonText="上传新版本" hint="单个文件不超过 20 MB；每次上传生成一个新版本，历史版本保留。" send={send} />
      <Card size="small" title="文件版本" style={{ marginTop: 12 }}>
        {files.error ? (
          <LoadError error={files.error} onRetry={files.reload} />
        ) : (
          <Table<FileVersion>
            rowKey="version"
            size="small"
            loading={files.loading}
            dataSource={files.data?.items ?? []}
            pagination={false}
            data-testid="file-versions"
            locale={{ emptyText: <span className="muted">还没有上传文件</span> }}
            columns={[
              { title: '版本', dataIndex: 'version', width: 80, render: (v: number) => `第 ${v} 版` },
              { title: '文件名', dataIndex: 'fileName' },
              { title: '大小', dataIndex: 'size', width: 110, render: formatBytes },
              { title: 'SM3 摘要', dataIndex: 'sm3', render: (v: string) => <span className="mono">{v.slice(0, 16)}…</span> },
              { title: '上传时间', dataIndex: 'createdAt', width: 180, render: formatDateTime },
            ]}
          />
        )}
      </Card>
    </div>
  )
}

interface ApiForm {
  upstreamUrl: string
  method: 'GET' | 'POST'
  timeoutMs: number
  params: { name: string; required: boolean }[]
}

function ApiTab({ resourceId, mount, onDone }: { resourceId: string; mount?: Mount; onDone: () => void }) {
  const [form] = Form.useForm<ApiForm>()
  const [saving, setSaving] = useState(false)
  const [unmatched, setUnmatched] = useState<string[]>([])
  const [saved, setSaved] = useState(false)

  const save = async (values: ApiForm) => {
    setSaving(true)
    setUnmatched([])
    setSaved(false)
    try {
      const body: ApiRegistration = { ...values, params: (values.params ?? []).filter((p) => p?.name) }
      await registerApi(resourceId, body)
      setSaved(true)
      onDone()
    } catch (error) {
      if (error instanceof ApiError && error.details.length > 0) {
        const rest = applyFieldErrors(form, error.details, (path) => ['upstreamUrl', 'method', 'timeoutMs', 'params'].includes(String(path[0])))
        setUnmatched(rest.map((d) => d.message))
      }
    } finally {
      setSaving(false)
    }
  }

  return (
    <div style={{ maxWidth: 760 }}>
      {mount ? (
        <Descriptions size="small" column={1} bordered style={{ marginBottom: 16 }} title="已登记的接口">
          <Descriptions.Item label="地址">
            <span className="mono">{mount.upstreamUrl ?? '—'}</span>
          </Descriptions.Item>
          <Descriptions.Item label="请求方法">{mount.method ?? '—'}</Descriptions.Item>
          <Descriptions.Item label="参数">
            {mount.params?.length ? mount.params.map((p) => `${p.name}${p.required ? '（必填）' : ''}`).join('，') : '无'}
          </Descriptions.Item>
          <Descriptions.Item label="超时">{mount.timeoutMs ? `${mount.timeoutMs} 毫秒` : '—'}</Descriptions.Item>
        </Descriptions>
      ) : null}
      {unmatched.length > 0 ? <Alert type="error" showIcon style={{ marginBottom: 12 }} message={unmatched.join('；')} /> : null}
      {saved ? <Alert type="success" showIcon style={{ marginBottom: 12 }} message="接口已登记" /> : null}
      <Form<ApiForm>
        form={form}
        layout="vertical"
        onFinish={save}
        initialValues={{
          upstreamUrl: mount?.upstreamUrl ?? '',
          method: (mount?.method as 'GET' | 'POST') ?? 'GET',
          timeoutMs: mount?.timeoutMs ?? 10000,
          params: mount?.params ?? [],
        }}
        data-testid="api-form"
      >
        <Form.Item
          name="upstreamUrl"
          label="上游接口地址"
          rules={[{ required: true, message: '请填写上游接口地址' }]}
          extra="仅本单位与主管部门可见，调用方通过平台网关访问。"
        >
          <Input placeholder="如 http://10.37.1.20:8080/api/records" />
        </Form.Item>
        <Space size={24}>
          <Form.Item name="method" label="请求方法">
            <Radio.Group options={['GET', 'POST']} optionType="button" />
          </Form.Item>
          <Form.Item name="timeoutMs" label="超时（毫秒）">
            <InputNumber min={100} max={120000} step={1000} style={{ width: 160 }} />
          </Form.Item>
        </Space>
        <Form.List name="params">
          {(fields, { add, remove }) => (
            <Form.Item label="参数">
              {fields.map((field) => (
                <Space key={field.key} align="baseline" style={{ display: 'flex' }}>
                  <Form.Item name={[field.name, 'name']} rules={[{ required: true, message: '请填写参数名' }]}>
                    <Input placeholder="参数名，如 id_no" style={{ width: 240 }} />
                  </Form.Item>
                  <Form.Item name={[field.name, 'required']} valuePropName="checked" initialValue={false}>
                    <Switch checkedChildren="必填" unCheckedChildren="选填" />
                  </Form.Item>
                  <Button type="link" danger onClick={() => remove(field.name)}>
                    移除
                  </Button>
                </Space>
              ))}
              <Button type="dashed" onClick={() => add({ name: '', required: false })} data-testid="add-param">
                添加参数
              </Button>
            </Form.Item>
          )}
        </Form.List>
        <Button type="primary" htmlType="submit" loading={saving} data-testid="api-save">
          {mount ? '更新接口登记' : '登记接口'}
        </Button>
      </Form>
    </div>
  )
}
