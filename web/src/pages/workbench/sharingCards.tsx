import { Card, Table } from 'antd'
import { Link } from 'react-router-dom'
import { type ShareRequest, listShareRequests } from '../../api/sharing.ts'
import { LoadError } from '../../components/States.tsx'
import { WorkdayCountdown } from '../../components/WorkdayCountdown.tsx'
import { useAsync } from '../../hooks/useAsync.ts'
import { formatDateTime } from '../../lib/dates.ts'
import { RequestStatusTag } from '../sharing/labels.tsx'
import { CardTitle } from './WorkbenchPage.tsx'

interface Todo {
  items: ShareRequest[]
  total: number
  overdue: number
}

/**
 * Requests of the given statuses in a box, soonest deadline first; `overdue` counts escalated or past-due
 * ones. A request waiting for 补正 has its clock paused: it is never overdue while it waits.
 */
async function requestTodos(box: 'mine' | 'incoming' | 'all', statuses: ShareRequest['status'][]): Promise<Todo> {
  const pages = await Promise.all(statuses.map((status) => listShareRequests({ box, status, pageSize: 50 }, true)))
  const items = pages.flatMap((p) => p.items).sort((a, b) => (a.dueAt ?? '9').localeCompare(b.dueAt ?? '9'))
  const overdue = items.filter(
    (r) => r.status === 'escalated' || (r.status !== 'need_more_info' && r.remainingWorkdays !== null && r.remainingWorkdays < 0),
  ).length
  return { items, total: pages.reduce((n, p) => n + p.total, 0), overdue }
}

function RequestTodoCard({
  title,
  testId,
  link,
  empty,
  load,
  party,
}: {
  title: string
  testId: string
  link: { to: string; text: string }
  empty: string
  load: () => Promise<Todo>
  /** Whose names to show: a requester's half-width card lists the provider under the resource name. */
  party: 'requester' | 'provider' | 'both'
}) {
  const compact = party === 'requester'
  const { data, error, loading, reload } = useAsync(load, [])
  return (
    <Card title={<CardTitle title={title} count={data?.total} danger={data?.overdue} />} extra={<Link to={link.to}>{link.text}</Link>} data-testid={testId}>
      {error ? (
        <LoadError error={error} onRetry={reload} />
      ) : (
        <Table<ShareRequest>
          size="small"
          rowKey="id"
          loading={loading}
          dataSource={data?.items.slice(0, 8) ?? []}
          pagination={false}
          locale={{ emptyText: <span className="muted">{empty}</span> }}
          columns={[
            {
              title: '资源名称',
              dataIndex: 'resourceName',
              render: (name: string, r) => (
                <div>
                  <Link to={`/share-requests/${r.id}`}>{name}</Link>
                  {compact ? (
                    <div className="muted" style={{ fontSize: 12 }}>
                      {r.providerName}
                    </div>
                  ) : null}
                </div>
              ),
            },
            ...(party === 'both' ? [{ title: '提供部门', dataIndex: 'providerName' }] : []),
            ...(!compact ? [{ title: '申请部门', dataIndex: 'requesterOrgName' }] : []),
            { title: '状态', dataIndex: 'status', width: compact ? 90 : 170, render: (_: unknown, r: ShareRequest) => <RequestStatusTag request={r} /> },
            ...(!compact ? [{ title: '提交时间', dataIndex: 'createdAt', width: 170, render: formatDateTime }] : []),
            {
              title: '答复期限',
              dataIndex: 'dueAt',
              width: 160,
              render: (due: string | null, r: ShareRequest) =>
                r.status === 'need_more_info' ? <span className="muted">计时暂停</span> : <WorkdayCountdown due={due} />,
            },
          ]}
        />
      )}
    </Card>
  )
}

/** APPROVER: requests for the department's data waiting for a decision (10 working days, SPEC §7.5). */
export const IncomingRequestsCard = () => (
  <RequestTodoCard
    title="待我审批的共享申请"
    testId="todo-incoming"
    link={{ to: '/share-requests/incoming', text: '进入待我审批' }}
    empty="没有待审批的共享申请"
    load={() => requestTodos('incoming', ['pending', 'escalated'])}
    party="provider"
  />
)

/** AUTH_ADMIN: requests the provider left unanswered past their deadline. */
export const EscalationsCard = () => (
  <RequestTodoCard
    title="逾期督办的共享申请"
    testId="todo-escalated"
    link={{ to: '/share-requests/escalated', text: '进入逾期督办' }}
    empty="没有逾期督办的申请"
    load={() => requestTodos('all', ['escalated'])}
    party="both"
  />
)

/** REQUESTER: requests the provider sent back for 补正 (the clock waits for them). */
export const NeedInfoCard = () => (
  <RequestTodoCard
    title="待补正的申请"
    testId="todo-need-info"
    link={{ to: '/share-requests', text: '进入我的申请' }}
    empty="没有需要补正的申请"
    load={() => requestTodos('mine', ['need_more_info'])}
    party="requester"
  />
)

/** REQUESTER: own requests still open (pending or escalated), with the provider's deadline. */
export const MyOpenRequestsCard = () => (
  <RequestTodoCard
    title="办理中的申请"
    testId="todo-my-open"
    link={{ to: '/share-requests', text: '查看全部申请' }}
    empty="没有办理中的申请"
    load={() => requestTodos('mine', ['pending', 'escalated'])}
    party="requester"
  />
)
