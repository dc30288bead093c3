import { Alert, App, Button, Card, Descriptions, Form, Input, InputNumber, Modal, Popconfirm, Radio, Space, Switch, Table, Tag, Tooltip } from 'antd'
import { useState } from 'react'
import { Link } from 'react-router-dom'
import { JOB_KIND_LABELS, JOB_STATUS_LABELS, WRITE_MODE_LABELS } from '../../../../common/exchange.ts'
import { ApiError } from '../../api/client.ts'
import { type ExchangeJob, type JobControls, listJobs, pauseJob, resumeJob, runJobNow, stopJob, updateJobControls } from '../../api/exchange.ts'
import { FilterSelect, withAny } from '../../components/ListControls.tsx'
import { PageContainer } from '../../components/PageContainer.tsx'
import { LoadError } from '../../components/States.tsx'
import { useAsync } from '../../hooks/useAsync.ts'
import { formatDateTime } from '../../lib/dates.ts'
import { applyFieldErrors, formValid } from '../../lib/fieldErrors.ts'
import { DepartmentFilter, JobStatusTag, useSeesAllNodes } from './parts.tsx'

type JobStatus = keyof typeof JOB_STATUS_LABELS
type JobKind = keyof typeof JOB_KIND_LABELS

const speed = (job: ExchangeJob) =>
  [job.speedRecords ? `${job.speedRecords.toLocaleString('zh-CN')} 条/秒` : null, job.speedBytes ? `${(job.speedBytes / 1024 / 1024).toFixed(1)} MB/秒` : null]
    .filter(Boolean)
    .join('，') || '不限'
const errorLimit = (job: ExchangeJob) =>
  [job.errorLimitCount !== null ? `${job.errorLimitCount} 条` : null, job.errorLimitShare !== null ? `${(job.errorLimitShare * 100).toFixed(1)}%` : null]
    .filter(Boolean)
    .join(' 或 ') || '不限'
const cadence = (job: ExchangeJob) =>
  job.kind === 'delivery'
    ? '提供方每有新批次即增量交付'
    : job.incrementalColumn
      ? `按目录更新周期增量（增量字段 ${job.incrementalColumn}）`
      : '按目录更新周期全量'

/**
 * 交换任务: provider feeds (a table mount fed from the department's database) and consumer deliveries (a 库表
 * grant written into the department's database), with their controls; the department runs, pauses, resumes,
 * stops and tunes them, the authority reads every department's.
 */
export default function JobsPage() {
  const all = useSeesAllNodes()
  const [orgId, setOrgId] = useState('any')
  const [status, setStatus] = useState<JobStatus | 'any'>('any')
  const [kind, setKind] = useState<JobKind | 'any'>('any')
  const [flagged, setFlagged] = useState(false)
  const query = {
    ...(orgId !== 'any' ? { orgId } : {}),
    ...(status !== 'any' ? { status } : {}),
    ...(kind !== 'any' ? { kind } : {}),
    ...(flagged ? { flagged: 'true' as const } : {}),
  }
  const { data, error, loading, reload } = useAsync(() => listJobs(query), [orgId, status, kind, flagged])
  const [editing, setEditing] = useState<ExchangeJob | null>(null)
  const flaggedCount = (data?.items ?? []).filter((job) => job.flaggedAt).length

  return (
    <PageContainer
      title="交换任务"
      description={
        all
          ? '全市各部门前置机上的挂接任务（提供方源表 → 平台）和交付任务（平台 → 使用方目标表），只读。'
          : '挂接任务把本单位源表的数据按目录挂接到平台；交付任务把本单位获得的库表授权按授权范围脱敏、过滤后写入本单位目标表。连续三次运行失败的任务会标记为异常并通知本单位前置机运维和管理员。'
      }
    >
      {flaggedCount > 0 && !flagged ? (
        <Alert
          type="error"
          showIcon
          style={{ marginBottom: 12 }}
          data-testid="flagged-alert"
          message={`${flaggedCount} 个任务连续三次运行失败，已标记为异常`}
          action={
            <Button size="small" onClick={() => setFlagged(true)}>
              只看异常任务
            </Button>
          }
        />
      ) : null}
      <Card size="small">
        <Space wrap>
          <DepartmentFilter value={orgId} onChange={setOrgId} />
          <FilterSelect label="类型" value={kind} options={withAny(JOB_KIND_LABELS, '全部类型')} onChange={setKind} width={160} testId="job-kind-filter" />
          <FilterSelect label="状态" value={status} options={withAny(JOB_STATUS_LABELS)} onChange={setStatus} width={140} testId="job-status-filter" />
          <Space style={{ marginBottom: 12 }}>
            <span id="flagged-only">只看异常</span>
            <Switch checked={flagged} onChange={setFlagged} aria-labelledby="flagged-only" />
          </Space>
        </Space>
        {error ? (
          <LoadError error={error} onRetry={reload} />
        ) : (
          <Table<ExchangeJob>
            rowKey="id"
            size="small"
            loading={loading}
            dataSource={data?.items ?? []}
            pagination={false}
            data-testid="job-list"
            locale={{ emptyText: <span className="muted">没有交换任务</span> }}
            columns={[
              { title: '类型', dataIndex: 'kind', width: 120, render: (k: JobKind) => JOB_KIND_LABELS[k] },
              {
                title: '目录（提供方）',
                dataIndex: 'resourceName',
                render: (name: string, job) => (
                  <span>
                    {name}
                    <div className="muted">{job.providerOrgName}</div>
                  </span>
                ),
              },
              {
                title: '前置机（部门）',
                dataIndex: 'nodeName',
                render: (name: string, job) => (
                  <span>
                    {name}
                    <div className="muted">{job.orgName}</div>
                  </span>
                ),
              },
              { title: '连接 / 表', render: (_: unknown, job) => <span className="mono">{`${job.connection} / ${job.tableName}`}</span> },
              {
                title: '状态',
                dataIndex: 'status',
                width: 150,
                render: (s: JobStatus, job) => (
                  <Space size={4} wrap>
                    <JobStatusTag status={s} />
                    {job.flaggedAt ? (
                      <Tooltip title={`${formatDateTime(job.flaggedAt)} 起连续 ${job.consecutiveFailures} 次失败`}>
                        <Tag color="red" data-testid="job-flagged">
                          连续失败
                        </Tag>
                      </Tooltip>
                    ) : null}
                  </Space>
                ),
              },
              {
                title: '下次运行',
                dataIndex: 'nextRunAt',
                width: 160,
                render: (v: string | null, job) => (job.status === 'active' ? (v && v < '9999' ? formatDateTime(v) : '待运行') : '—'),
              },
              { title: '操作', width: 250, render: (_: unknown, job) => <JobActions job={job} onEdit={() => setEditing(job)} done={reload} /> },
            ]}
            expandable={{ expandedRowRender: (job) => <JobDetail job={job} /> }}
          />
        )}
      </Card>
      {editing ? <ControlsDialog job={editing} onClose={() => setEditing(null)} done={reload} /> : null}
    </PageContainer>
  )
}

function JobDetail({ job }: { job: ExchangeJob }) {
  return (
    <Descriptions size="small" column={2} bordered>
      <Descriptions.Item label="运行方式">{cadence(job)}</Descriptions.Item>
      <Descriptions.Item label="写入方式">{job.kind === 'delivery' ? WRITE_MODE_LABELS[job.writeMode] : '每次运行作为一个批次原子替换'}</Descriptions.Item>
      <Descriptions.Item label="并行通道">{job.channels}</Descriptions.Item>
      <Descriptions.Item label="限速">{speed(job)}</Descriptions.Item>
      <Descriptions.Item label="错误上限">{errorLimit(job)}</Descriptions.Item>
      <Descriptions.Item label="连续失败次数">{job.consecutiveFailures}</Descriptions.Item>
      {job.kind === 'feed' ? <Descriptions.Item label="主键列">{job.keyColumn ?? '—'}</Descriptions.Item> : null}
      {job.kind === 'feed' ? <Descriptions.Item label="过滤条件">{job.whereFilter ?? '无'}</Descriptions.Item> : null}
      {job.kind === 'feed' ? <Descriptions.Item label="删除同步">{job.carryDeletes ? '同步源表的物理删除' : '不同步删除'}</Descriptions.Item> : null}
      {job.statusReason ? <Descriptions.Item label="说明">{job.statusReason}</Descriptions.Item> : null}
      {job.kind === 'delivery' ? (
        <Descriptions.Item label="清除要求">{job.purgeRequestedAt ? formatDateTime(job.purgeRequestedAt) : '—'}</Descriptions.Item>
      ) : null}
      {job.kind === 'delivery' ? <Descriptions.Item label="清除完成">{job.purgedAt ? formatDateTime(job.purgedAt) : '—'}</Descriptions.Item> : null}
      <Descriptions.Item label="运行记录">
        <Link to={`/exchange/runs?jobId=${job.id}`}>查看本任务的运行记录</Link>
      </Descriptions.Item>
    </Descriptions>
  )
}

function JobActions({ job, onEdit, done }: { job: ExchangeJob; onEdit: () => void; done: () => void }) {
  const { message } = App.useApp()
  const [stopping, setStopping] = useState(false)
  if (!job.actions.manage) return <Link to={`/exchange/runs?jobId=${job.id}`}>运行记录</Link>
  const act = async (what: () => Promise<unknown>, ok: string) => {
    try {
      await what()
      message.success(ok)
      done()
    } catch {
      // the client showed the message
    }
  }
  const live = job.status === 'active' || job.status === 'paused' || job.status === 'verifying' || job.status === 'draft'
  return (
    <Space size={0} wrap>
      {job.status === 'active' ? (
        <Button type="link" size="small" onClick={() => act(() => runJobNow(job.id, false), '已安排立即运行，前置机下次心跳时执行')}>
          立即运行
        </Button>
      ) : null}
      {job.status === 'active' ? (
        <Popconfirm
          title="暂停后不再发起新的运行，已交付的数据保留。确定暂停？"
          okText="暂停"
          cancelText="取消"
          onConfirm={() => act(() => pauseJob(job.id), '任务已暂停')}
        >
          <Button type="link" size="small">
            暂停
          </Button>
        </Popconfirm>
      ) : null}
      {job.status === 'paused' ? (
        <Button type="link" size="small" onClick={() => act(() => resumeJob(job.id), '任务已恢复')}>
          恢复
        </Button>
      ) : null}
      {live ? (
        <Button type="link" size="small" onClick={onEdit}>
          调整参数
        </Button>
      ) : null}
      {live ? (
        <Button type="link" size="small" danger onClick={() => setStopping(true)}>
          停止
        </Button>
      ) : null}
      {stopping ? <StopDialog job={job} onClose={() => setStopping(false)} done={done} /> : null}
    </Space>
  )
}

function StopDialog({ job, onClose, done }: { job: ExchangeJob; onClose: () => void; done: () => void }) {
  const { message } = App.useApp()
  const [form] = Form.useForm<{ reason: string }>()
  const [saving, setSaving] = useState(false)
  const stop = async () => {
    if (!(await formValid(form))) return
    setSaving(true)
    try {
      await stopJob(job.id, form.getFieldValue('reason'))
      message.success(job.kind === 'delivery' ? '任务已停止，前置机将清除目标表' : '任务已停止')
      onClose()
      done()
    } catch {
      // the client showed the message
    } finally {
      setSaving(false)
    }
  }
  return (
    <Modal
      title="停止交换任务"
      open
      onCancel={onClose}
      onOk={stop}
      okText="确认停止"
      okButtonProps={{ danger: true }}
      cancelText="取消"
      confirmLoading={saving}
    >
      <p>
        {job.kind === 'delivery'
          ? `停止后，前置机将清除目标表「${job.tableName}」中已交付的数据，清除完成的时间记入运行记录；不能恢复，需要时重新建立交付任务。`
          : `停止后不再从源表「${job.tableName}」挂接数据，平台上已挂接的数据保留。`}
      </p>
      <Form form={form} layout="vertical">
        <Form.Item name="reason" label="停止原因" rules={[{ required: true, whitespace: true, message: '停止原因不能为空' }]}>
          <Input maxLength={200} />
        </Form.Item>
      </Form>
    </Modal>
  )
}

const CONTROL_FIELDS = new Set(['channels', 'speedRecords', 'speedBytes', 'errorLimitCount', 'errorLimitShare', 'writeMode'])

interface ControlsForm {
  channels: number
  speedRecords: number | null
  speedMb: number | null
  errorLimitCount: number | null
  errorLimitPercent: number | null
  writeMode: 'insert' | 'upsert'
}

/** The DataX-like controls of a job; a change is confirmed (it applies from the next run) before it is saved. */
function ControlsDialog({ job, onClose, done }: { job: ExchangeJob; onClose: () => void; done: () => void }) {
  const { message } = App.useApp()
  const [form] = Form.useForm<ControlsForm>()
  const [confirming, setConfirming] = useState(false)
  const [saving, setSaving] = useState(false)
  const initial: ControlsForm = {
    channels: job.channels,
    speedRecords: job.speedRecords,
    speedMb: job.speedBytes === null ? null : job.speedBytes / 1024 / 1024,
    errorLimitCount: job.errorLimitCount,
    errorLimitPercent: job.errorLimitShare === null ? null : job.errorLimitShare * 100,
    writeMode: job.writeMode,
  }
  const body = (): JobControls => {
    const v = form.getFieldsValue()
    return {
      channels: v.channels,
      speedRecords: v.speedRecords ?? null,
      speedBytes: v.speedMb ? Math.round(v.speedMb * 1024 * 1024) : null,
      errorLimitCount: v.errorLimitCount ?? null,
      errorLimitShare: v.errorLimitPercent === null || v.errorLimitPercent === undefined ? null : v.errorLimitPercent / 100,
      ...(job.kind === 'delivery' ? { writeMode: v.writeMode } : {}),
    }
  }
  const save = async () => {
    setSaving(true)
    try {
      await updateJobControls(job.id, body())
      message.success('参数已保存，下次运行起生效')
      onClose()
      done()
    } catch (e) {
      setConfirming(false)
      if (e instanceof ApiError) applyFieldErrors(form, e.details, (p) => CONTROL_FIELDS.has(String(p[0])))
    } finally {
      setSaving(false)
    }
  }
  const writeModeChanged = () => job.kind === 'delivery' && form.getFieldValue('writeMode') !== job.writeMode
  return (
    <Modal
      title={`调整参数：${job.resourceName}`}
      open
      onCancel={onClose}
      onOk={async () => ((await formValid(form)) ? setConfirming(true) : undefined)}
      okText="下一步"
      cancelText="取消"
      destroyOnHidden
    >
      <Form form={form} layout="vertical" initialValues={initial}>
        <Form.Item name="channels" label="并行通道数" tooltip="按切分键分片并行读取或写入，1–16" rules={[{ required: true, message: '并行通道数不能为空' }]}>
          <InputNumber min={1} max={16} precision={0} style={{ width: 160 }} />
        </Form.Item>
        <Space size="large">
          <Form.Item name="speedRecords" label="限速：每秒记录数（空为不限）">
            <InputNumber min={1} precision={0} style={{ width: 180 }} />
          </Form.Item>
          <Form.Item name="speedMb" label="限速：每秒 MB（空为不限）">
            <InputNumber min={0.1} step={0.5} style={{ width: 180 }} />
          </Form.Item>
        </Space>
        <Space size="large">
          <Form.Item name="errorLimitCount" label="错误上限：条数（空为不限）">
            <InputNumber min={0} precision={0} style={{ width: 180 }} />
          </Form.Item>
          <Form.Item name="errorLimitPercent" label="错误上限：比例 %（空为不限）">
            <InputNumber min={0} max={100} step={0.5} style={{ width: 180 }} />
          </Form.Item>
        </Space>
        {job.kind === 'delivery' ? (
          <Form.Item name="writeMode" label="写入方式">
            <Radio.Group options={Object.entries(WRITE_MODE_LABELS).map(([value, label]) => ({ value, label }))} />
          </Form.Item>
        ) : null}
        <p className="muted">
          运行方式：{cadence(job)}。{job.kind === 'feed' ? '周期由目录的更新周期决定，在目录中修改；' : ''}随时可「立即运行」。
        </p>
      </Form>
      <Modal
        title="确认调整参数"
        open={confirming}
        onCancel={() => setConfirming(false)}
        onOk={save}
        okText="确认保存"
        cancelText="返回修改"
        confirmLoading={saving}
      >
        <p>新参数从前置机领取的下一次运行起生效，正在进行的运行不受影响。</p>
        {writeModeChanged() ? (
          <p>写入方式改为「{WRITE_MODE_LABELS[form.getFieldValue('writeMode') as 'insert' | 'upsert']}」：目标表中主键相同的行将按新方式处理。</p>
        ) : null}
      </Modal>
    </Modal>
  )
}
