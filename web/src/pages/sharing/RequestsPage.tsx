import { Button, Card, Segmented, Space, Table } from 'antd'
import { useState } from 'react'
import { Link, useLocation, useNavigate } from 'react-router-dom'
import { type RequestFilter, type ShareRequest, exportShareRequests, listShareRequests } from '../../api/sharing.ts'
import { ExportButton } from '../../components/ExportButton.tsx'
import { FilterSelect, pageControls } from '../../components/ListControls.tsx'
import { PageContainer } from '../../components/PageContainer.tsx'
import { LoadError } from '../../components/States.tsx'
import { WorkdayCountdown } from '../../components/WorkdayCountdown.tsx'
import { useAsync } from '../../hooks/useAsync.ts'
import { formatDateTime } from '../../lib/dates.ts'
import { RequestStatusTag, SHARE_MODE_LABELS, isOpen } from './labels.tsx'

type Box = 'mine' | 'incoming' | 'escalated' | 'org'
/** 本单位申请 shows one direction at a time: requests the department made, or those made to it. */
type Direction = 'mine' | 'incoming'

const PAGES: Record<Box, { title: string; description: string; empty: string; statuses: ShareRequest['status'][] }> = {
  mine: {
    title: '我的申请',
    description: '本单位提交的共享申请及办理进度；待补正的申请请及时补正后重新提交。',
    empty: '本单位还没有提交过共享申请，可在资源目录中找到资源后点击“申请”',
    statuses: ['pending', 'need_more_info', 'granted', 'rejected', 'withdrawn', 'escalated'],
  },
  incoming: {
    title: '待我审批',
    description: '其他部门申请使用本单位数据的申请。有条件共享须在 10 个工作日内答复，逾期将提交主管部门督办。',
    empty: '没有申请本单位数据的共享申请',
    statuses: ['pending', 'need_more_info', 'escalated', 'granted', 'rejected', 'withdrawn'],
  },
  org: {
    title: '本单位申请',
    description: '本单位提出的共享申请和其他部门向本单位提出的申请，供部门管理员掌握办理进度。',
    empty: '没有符合条件的共享申请',
    statuses: ['pending', 'need_more_info', 'escalated', 'granted', 'rejected', 'withdrawn'],
  },
  escalated: {
    title: '逾期督办',
    description: '提供部门逾期未答复、已提交主管部门督办的申请：可直接授权或延期一次。',
    empty: '当前没有逾期督办的申请',
    statuses: ['escalated', 'pending', 'need_more_info', 'granted', 'rejected', 'withdrawn'],
  },
}

const boxOf = (pathname: string): Box =>
  pathname.endsWith('/incoming') ? 'incoming' : pathname.endsWith('/escalated') ? 'escalated' : pathname.endsWith('/org') ? 'org' : 'mine'

/** 我的申请 / 待我审批 / 逾期督办 / 本单位申请: one list over GET /share-requests, by box. */
export default function RequestsPage() {
  const { pathname } = useLocation()
  const box = boxOf(pathname)
  const navigate = useNavigate()
  const defaultStatus = box === 'escalated' ? 'escalated' : box === 'incoming' ? 'pending' : undefined
  const [statusByBox, setStatusByBox] = useState<Partial<Record<Box, ShareRequest['status'] | 'any'>>>({})
  const status = statusByBox[box] ?? defaultStatus ?? 'any'
  const [page, setPage] = useState(1)
  const [direction, setDirection] = useState<Direction>('mine')
  // The server's boxes: a department's own requests (mine), those to it (incoming), every one (the authority).
  const serverBox = box === 'escalated' ? 'all' : box === 'org' ? direction : box
  const query: RequestFilter = { box: serverBox, status: status === 'any' ? undefined : status, page, pageSize: 20 }
  const { data, error, loading, reload } = useAsync(() => listShareRequests(query, true), [box, serverBox, status, page])
  const listed: Box = box === 'org' ? direction : box
  const meta = PAGES[box]

  return (
    <PageContainer
      title={meta.title}
      description={meta.description}
      extra={
        <Space>
          <ExportButton onExport={() => exportShareRequests(query)} testId="export-requests" />
          {box === 'mine' ? (
            <Button type="primary" onClick={() => navigate('/catalog')}>
              检索资源并申请
            </Button>
          ) : null}
        </Space>
      }
    >
      <Card size="small">
        <Space size={16} wrap>
          {box === 'org' ? (
            <Segmented<Direction>
              style={{ marginBottom: 12 }}
              value={direction}
              onChange={(v) => {
                setPage(1)
                setDirection(v)
              }}
              options={[
                { value: 'mine', label: '本单位提出的' },
                { value: 'incoming', label: '向本单位提出的' },
              ]}
              data-testid="request-direction"
            />
          ) : null}
          <FilterSelect
            label="状态"
            width={200}
            value={status}
            onChange={(v) => {
              setPage(1)
              setStatusByBox((s) => ({ ...s, [box]: v }))
            }}
            options={[{ value: 'any', label: '全部状态' }, ...meta.statuses.map((s) => ({ value: s, label: STATUS_FILTER_LABELS[s] }))]}
            testId="request-status-filter"
          />
        </Space>
        {error ? (
          <LoadError error={error} onRetry={reload} />
        ) : (
          <Table<ShareRequest>
            rowKey="id"
            size="small"
            loading={loading}
            dataSource={data?.items ?? []}
            data-testid="request-list"
            locale={{ emptyText: <span className="muted">{meta.empty}</span> }}
            pagination={pageControls(page, data?.total, setPage)}
            scroll={{ x: 1100 }}
            columns={[
              { title: '申请编号', dataIndex: 'no', width: 150, render: (no: string, r) => <Link to={`/share-requests/${r.id}`}>{no}</Link> },
              { title: '资源名称', dataIndex: 'resourceName', render: (name: string, r) => <Link to={`/share-requests/${r.id}`}>{name}</Link> },
              listed === 'mine'
                ? { title: '提供部门', dataIndex: 'providerName', width: 180 }
                : listed === 'incoming'
                  ? { title: '申请部门', dataIndex: 'requesterOrgName', width: 180 }
                  : {
                      title: '申请部门 / 提供部门',
                      key: 'parties',
                      width: 200,
                      render: (_: unknown, r: ShareRequest) => (
                        <div>
                          <div>{r.requesterOrgName}</div>
                          <div className="muted">{r.providerName}</div>
                        </div>
                      ),
                    },
              { title: '信息项', key: 'items', width: 70, render: (_: unknown, r) => `${r.itemIds.length} 项` },
              { title: '方式', dataIndex: 'mode', width: 90, render: (m: ShareRequest['mode']) => SHARE_MODE_LABELS[m] },
              { title: '状态', dataIndex: 'status', width: 170, render: (_: unknown, r) => <RequestStatusTag request={r} /> },
              {
                title: '答复期限',
                dataIndex: 'dueAt',
                width: 150,
                render: (due: string | null, r) =>
                  r.status === 'need_more_info' ? (
                    <span className="muted">待补正，计时暂停</span>
                  ) : isOpen(r.status) ? (
                    <span>
                      {r.status === 'compliance_review' ? <span className="muted">合规审查 </span> : null}
                      <WorkdayCountdown due={due} />
                    </span>
                  ) : (
                    '—'
                  ),
              },
              { title: '提交时间', dataIndex: 'createdAt', width: 160, render: formatDateTime },
            ]}
          />
        )}
      </Card>
    </PageContainer>
  )
}

const STATUS_FILTER_LABELS: Record<ShareRequest['status'], string> = {
  compliance_review: '合规审查',
  returned: '退回修改',
  pending: '待审批',
  need_more_info: '待补正',
  granted: '已授权',
  rejected: '已拒绝',
  withdrawn: '已撤回',
  escalated: '逾期督办',
}
