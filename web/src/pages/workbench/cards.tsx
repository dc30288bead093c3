import { Button, Card, Input, List, Modal, Space, Table, Tag, Typography } from 'antd'
import { useState } from 'react'
import { Link } from 'react-router-dom'
import { CHANGE_EVENT_KIND_LABELS } from '../../../../common/catalog.ts'
import { listAuditEvents } from '../../api/audit.ts'
import { getYear } from '../../api/calendar.ts'
import { listStaleMounts } from '../../api/freshness.ts'
import { type ReviewTask, completeReviewTask, listReviewTasks, searchResources } from '../../api/catalog.ts'
import { useAuth } from '../../auth/AuthProvider.tsx'
import { allowedByRole } from '../../auth/permissions.ts'
import { LoadError, Loading } from '../../components/States.tsx'
import { ShareTypeTag, StaleTag, StatusTag } from '../../components/Tags.tsx'
import { WorkdayCountdown } from '../../components/WorkdayCountdown.tsx'
import { useAsync } from '../../hooks/useAsync.ts'
import { actionLabel } from '../../lib/auditLabels.ts'
import { Operator } from '../audit/Operator.tsx'
import { beijing, formatDate, formatDateTime } from '../../lib/dates.ts'
import { workdayCountdown } from '../../lib/workdays.ts'
import { CardTitle } from './WorkbenchPage.tsx'

const emptyText = (text: string) => ({ emptyText: <span className="muted">{text}</span> })

/** AUTH_ADMIN: entries waiting for the authority's review (5 working days, SPEC §7.1). */
export function PendingReviewsCard() {
  const { data, error, loading, reload } = useAsync(async () => {
    const page = await searchResources({ status: 'pending_review', pageSize: 100 }, { quiet: true })
    const items = [...page.items].sort((a, b) => (a.reviewDueAt ?? '').localeCompare(b.reviewDueAt ?? ''))
    const overdue = (await Promise.all(items.map((r) => (r.reviewDueAt ? workdayCountdown(r.reviewDueAt) : null)))).filter((c) => c?.overdue).length
    return { items, total: page.total, overdue }
  }, [])
  return (
    <Card
      title={<CardTitle title="待审核目录" count={data?.total} danger={data?.overdue} />}
      extra={<Link to="/catalog-review">进入目录审核</Link>}
      data-testid="todo-reviews"
    >
      {error ? (
        <LoadError error={error} onRetry={reload} />
      ) : (
        <Table
          size="small"
          rowKey="id"
          loading={loading}
          dataSource={data?.items.slice(0, 8) ?? []}
          pagination={false}
          locale={emptyText('暂无待审核的目录')}
          columns={[
            { title: '资源名称', dataIndex: 'name', render: (name: string, r) => <Link to={`/catalog-review/${r.id}`}>{name}</Link> },
            { title: '提供部门', dataIndex: 'providerName' },
            { title: '版本', dataIndex: 'version', width: 70, render: (v: number) => `第 ${v} 版` },
            { title: '提交时间', dataIndex: 'submittedAt', width: 170, render: formatDateTime },
            { title: '审核期限', dataIndex: 'reviewDueAt', width: 160, render: (due: string | null) => <WorkdayCountdown due={due} /> },
          ]}
        />
      )}
    </Card>
  )
}

/** CATALOGER: own drafts and entries the authority returned. */
export function MyDraftsCard() {
  const { data, error, loading, reload } = useAsync(async () => {
    const [returned, drafts] = await Promise.all([
      searchResources({ mine: 'true', status: 'returned', pageSize: 20 }, { quiet: true }),
      searchResources({ mine: 'true', status: 'draft', pageSize: 20 }, { quiet: true }),
    ])
    return { items: [...returned.items, ...drafts.items], total: returned.total + drafts.total, returned: returned.total }
  }, [])
  return (
    <Card title={<CardTitle title="我的草稿与退回" count={data?.total} />} extra={<Link to="/catalog-edit/new">新建目录</Link>} data-testid="todo-drafts">
      {error ? (
        <LoadError error={error} onRetry={reload} />
      ) : loading && !data ? (
        <Loading height={120} />
      ) : (
        <List
          size="small"
          dataSource={data?.items ?? []}
          locale={emptyText('没有未提交的草稿或被退回的目录')}
          renderItem={(r) => (
            <List.Item
              actions={[
                <Link key="edit" to={`/catalog-edit/${r.id}`}>
                  {r.status === 'returned' ? '修改后重新提交' : '继续编辑'}
                </Link>,
              ]}
            >
              <List.Item.Meta
                title={
                  <Space size={6} wrap>
                    <StatusTag status={r.status} />
                    <span>{r.name}</span>
                  </Space>
                }
                description={r.status === 'returned' && r.reviewComment ? `退回意见：${r.reviewComment}` : `最后修改：${formatDateTime(r.changedAt)}`}
              />
            </List.Item>
          )}
        />
      )}
    </Card>
  )
}

/** CATALOGER: own entries under review, with the authority's deadline. */
export function MyPendingCard() {
  const { data, error, loading, reload } = useAsync(() => searchResources({ mine: 'true', status: 'pending_review', pageSize: 20 }, { quiet: true }), [])
  return (
    <Card title={<CardTitle title="审核中的目录" count={data?.total} />} data-testid="todo-pending">
      {error ? (
        <LoadError error={error} onRetry={reload} />
      ) : loading && !data ? (
        <Loading height={120} />
      ) : (
        <List
          size="small"
          dataSource={data?.items ?? []}
          locale={emptyText('没有正在审核的目录')}
          renderItem={(r) => (
            <List.Item extra={<WorkdayCountdown due={r.reviewDueAt} />}>
              <List.Item.Meta title={<Link to={`/catalog/${r.id}`}>{r.name}</Link>} description={`提交时间：${formatDateTime(r.submittedAt)}`} />
            </List.Item>
          )}
        />
      )}
    </Card>
  )
}

/** Catalog update tasks (R-14: 15 working days after a law revision or a change of functions). */
export function UpdateTasksCard({ overdueOnly }: { overdueOnly: boolean }) {
  const { user } = useAuth()
  const canComplete = !!user && allowedByRole(user.roles, 'catalog.review-task.complete')
  const { data, error, loading, reload } = useAsync(
    () => listReviewTasks({ status: 'open', ...(overdueOnly ? { overdue: 'true' } : {}), pageSize: 50 }),
    [overdueOnly],
  )
  const [completing, setCompleting] = useState<ReviewTask | null>(null)
  const [resolution, setResolution] = useState('')
  const [saving, setSaving] = useState(false)
  const overdue = data?.items.filter((t) => t.overdue).length ?? 0

  const complete = async () => {
    if (!completing) return
    setSaving(true)
    try {
      await completeReviewTask(completing.id, resolution)
      setCompleting(null)
      setResolution('')
      reload()
    } catch {
      // the client showed the message
    } finally {
      setSaving(false)
    }
  }

  return (
    <Card title={<CardTitle title={overdueOnly ? '逾期的目录更新任务' : '目录更新任务'} count={data?.total} danger={overdue} />} data-testid="todo-tasks">
      {error ? (
        <LoadError error={error} onRetry={reload} />
      ) : (
        <Table
          size="small"
          rowKey="id"
          loading={loading}
          dataSource={data?.items ?? []}
          pagination={false}
          locale={emptyText(overdueOnly ? '没有逾期的目录更新任务' : '没有待处理的目录更新任务')}
          columns={[
            {
              title: '目录',
              dataIndex: 'resourceName',
              render: (name: string, t) => <Link to={canComplete ? `/catalog-edit/${t.resourceId}` : `/catalog/${t.resourceId}`}>{name}</Link>,
            },
            { title: '单位', dataIndex: 'orgName' },
            {
              title: '触发事项',
              dataIndex: 'eventKind',
              render: (kind: string, t) => (
                <span>
                  <Tag>{CHANGE_EVENT_KIND_LABELS[kind as keyof typeof CHANGE_EVENT_KIND_LABELS] ?? kind}</Tag>
                  <Typography.Text type="secondary" ellipsis style={{ maxWidth: 220 }}>
                    {t.eventDescription}
                  </Typography.Text>
                </span>
              ),
            },
            { title: '期限', dataIndex: 'dueDate', width: 130, render: (d: string) => formatDate(d) },
            { title: '剩余', dataIndex: 'dueDate', key: 'left', width: 160, render: (d: string) => <WorkdayCountdown due={d} /> },
            ...(canComplete
              ? [
                  {
                    title: '操作',
                    key: 'op',
                    width: 110,
                    render: (_: unknown, t: ReviewTask) => (
                      <Button size="small" onClick={() => setCompleting(t)}>
                        确认已处理
                      </Button>
                    ),
                  },
                ]
              : []),
          ]}
        />
      )}
      <Modal
        title={`确认已处理：${completing?.resourceName ?? ''}`}
        open={!!completing}
        onCancel={() => setCompleting(null)}
        onOk={complete}
        okText="确认"
        confirmLoading={saving}
        okButtonProps={{ disabled: resolution.trim().length === 0 }}
      >
        <p className="muted">如目录内容需要修改，请编辑目录并重新提交审核，发布后任务自动关闭；如无需修改，请说明理由。</p>
        <Input.TextArea
          rows={3}
          value={resolution}
          onChange={(e) => setResolution(e.target.value)}
          placeholder="处理说明，如：经核查，本目录不受此次职能调整影响"
          maxLength={2000}
        />
      </Modal>
    </Card>
  )
}

/** SYS_ADMIN: the next year's holidays must be entered once the State Council publishes them. */
export function CalendarUpkeepCard() {
  const now = beijing()
  const years = [now.year(), now.year() + 1]
  const { data, error, loading, reload } = useAsync(
    async () => Promise.all(years.map(async (year) => ({ year, maintained: (await getYear(year)).days.some((d) => d.note.trim().length > 0) }))),
    [],
  )
  const missing = data?.filter((y) => !y.maintained) ?? []
  return (
    <Card title={<CardTitle title="工作日历维护" count={missing.length} />} extra={<Link to="/admin/calendar">打开工作日历</Link>} data-testid="todo-calendar">
      {error ? (
        <LoadError error={error} onRetry={reload} />
      ) : loading && !data ? (
        <Loading height={100} />
      ) : missing.length === 0 ? (
        <span className="muted">今明两年的节假日与调休安排均已维护。</span>
      ) : (
        <List
          size="small"
          dataSource={missing}
          renderItem={(y) => (
            <List.Item
              actions={[
                <Link key="go" to={`/admin/calendar?year=${y.year}`}>
                  去维护
                </Link>,
              ]}
            >
              {y.year} 年的节假日与调休安排尚未维护（国务院办公厅通知发布后录入），目前按周末休息计算工作日。
            </List.Item>
          )}
        />
      )}
    </Card>
  )
}

/** AUDITOR / SEC_ADMIN: refusals in the last 7 days. */
export function DeniedEventsCard() {
  const from = beijing().subtract(7, 'day').startOf('day').format('YYYY-MM-DDTHH:mm:ssZ')
  const { data, error, loading, reload } = useAsync(() => listAuditEvents({ result: 'denied', from, pageSize: 6 }), [])
  return (
    <Card
      title={<CardTitle title="近 7 日被拒绝的操作" count={data?.total} />}
      extra={<Link to="/audit?result=denied">查看审计日志</Link>}
      data-testid="todo-denied"
    >
      {error ? (
        <LoadError error={error} onRetry={reload} />
      ) : (
        <Table
          size="small"
          rowKey="id"
          loading={loading}
          dataSource={data?.items ?? []}
          pagination={false}
          locale={emptyText('近 7 日没有被拒绝的操作')}
          columns={[
            { title: '时间', dataIndex: 'at', width: 180, render: formatDateTime },
            { title: '操作', dataIndex: 'action', render: (a: string) => actionLabel(a) },
            { title: '操作人', key: 'operator', render: (_: unknown, e) => <Operator event={e} /> },
            { title: 'IP', dataIndex: 'ip', width: 140 },
          ]}
        />
      )}
    </Card>
  )
}

/** Everyone: what was published lately. */
export function LatestPublishedCard() {
  const { data, error, loading, reload } = useAsync(() => searchResources({ status: 'published', pageSize: 6 }, { quiet: true }), [])
  return (
    <Card title="最新发布的目录" extra={<Link to="/catalog">检索资源目录</Link>} data-testid="latest-published">
      {error ? (
        <LoadError error={error} onRetry={reload} />
      ) : (
        <Table
          size="small"
          rowKey="id"
          loading={loading}
          dataSource={data?.items ?? []}
          pagination={false}
          locale={emptyText('平台上还没有已发布的目录')}
          columns={[
            { title: '资源名称', dataIndex: 'name', render: (name: string, r) => <Link to={`/catalog/${r.id}`}>{name}</Link> },
            { title: '提供部门', dataIndex: 'providerName' },
            { title: '共享类型', dataIndex: 'shareType', width: 120, render: (v: number) => <ShareTypeTag value={v} /> },
            { title: '发布日期', dataIndex: 'publishedAt', width: 150, render: formatDate },
          ]}
        />
      )}
    </Card>
  )
}

/** CATALOGER / DEPT_ADMIN (own department) and AUTH_ADMIN (all): mounts the freshness check flagged 未按时更新 (SPEC §7.3). */
export function StaleMountsCard() {
  const { data, error, loading, reload } = useAsync(() => listStaleMounts(), [])
  return (
    <Card title={<CardTitle title="未按时更新的数据" count={data?.items.length} />} data-testid="todo-stale">
      {error ? (
        <LoadError error={error} onRetry={reload} />
      ) : loading && !data ? (
        <Loading height={120} />
      ) : (
        <List
          size="small"
          dataSource={data?.items ?? []}
          locale={emptyText('挂接的数据均按更新周期更新')}
          renderItem={(m) => (
            <List.Item
              actions={[
                <Link key="open" to={`/catalog/${m.resourceId}`}>
                  查看目录
                </Link>,
              ]}
            >
              <List.Item.Meta
                title={
                  <Space size={6} wrap>
                    <StaleTag since={m.staleSince} />
                    <span>{m.resourceName}</span>
                  </Space>
                }
                description={m.staleSince ? `${formatDateTime(m.staleSince)} 起超过更新周期未更新，请在源头更新后重新挂接` : null}
              />
            </List.Item>
          )}
        />
      )}
    </Card>
  )
}
