import { Alert, Button, Card, Input, Modal, Space, Table, Tabs, Tag } from 'antd'
import { useState } from 'react'
import { Link, useNavigate, useParams, useSearchParams } from 'react-router-dom'
import { type Resource, type Version, getResource, listVersions, submitResource, withdrawResource } from '../../api/catalog.ts'
import { listGrants } from '../../api/sharing.ts'
import { useAuth } from '../../auth/AuthProvider.tsx'
import { allowedByRole } from '../../auth/permissions.ts'
import { PageContainer } from '../../components/PageContainer.tsx'
import { LoadError, Loading } from '../../components/States.tsx'
import { StaleTag, StatusTag } from '../../components/Tags.tsx'
import { WorkdayCountdown } from '../../components/WorkdayCountdown.tsx'
import { useAsync } from '../../hooks/useAsync.ts'
import { formatDateTime } from '../../lib/dates.ts'
import { ApiGuideButton } from '../grants/ApiGuide.tsx'
import { ItemsTable } from './ItemsTable.tsx'
import { OneSourceAlert } from './OneSourceAlert.tsx'
import { ResourceFacts } from './ResourceFacts.tsx'
import { SampleData } from './SampleData.tsx'
import { fieldLabel } from './fieldLabels.ts'

/**
 * One catalog entry: metadata, items with their share types, sample rows, version history. Buttons and
 * the 样例数据 tab come from the response's `actions` map (STYLE §11).
 */
export default function CatalogDetailPage() {
  const { id = '' } = useParams()
  const [params] = useSearchParams()
  const navigate = useNavigate()
  const version = params.get('version') ? Number(params.get('version')) : undefined
  const { data: r, error, loading, reload } = useAsync(() => getResource(id, version), [id, version])
  const versions = useAsync(() => listVersions(id), [id])
  const [withdrawing, setWithdrawing] = useState(false)
  const [reason, setReason] = useState('')
  const [busy, setBusy] = useState(false)
  const { user } = useAuth()
  const roles = user?.roles ?? []
  const canGuide = !!r?.actions.callGuide
  // 不予共享 has nothing to apply for: a requester is offered coordination instead.
  const canCoordinate = !!r?.actions.coordinate
  // The department's active API grant on this entry, if any: the call guide then shows its exact terms.
  const lookGrant = canGuide && allowedByRole(roles, 'sharing.grant.list')
  const grant = useAsync(
    () =>
      lookGrant
        ? listGrants({ box: 'mine', resourceId: id, status: 'active', pageSize: 20 }, true).then((p) => p.items.find((g) => g.mode === 'api'))
        : Promise.resolve(undefined),
    [id, lookGrant],
  )

  if (error) return <LoadError error={error} onRetry={reload} />
  if (loading && !r) return <Loading />
  if (!r) return null

  const act = async (run: () => Promise<Resource>) => {
    setBusy(true)
    try {
      await run()
      reload()
      versions.reload()
      return true
    } catch {
      return false
    } finally {
      setBusy(false)
    }
  }

  const actions = r.actions
  const historical = version !== undefined && r.latestVersion !== undefined && version !== r.latestVersion

  return (
    <PageContainer
      title={r.name}
      description={
        <Space size={8} wrap>
          <span>{r.providerName}</span>
          <span>·</span>
          <span>{r.code ?? '未发布'}</span>
          <StatusTag status={r.status} label={r.statusLabel} />
          <StaleTag since={r.staleSince} />
          {r.status === 'pending_review' ? <WorkdayCountdown due={r.reviewDueAt} /> : null}
        </Space>
      }
      extra={
        <Space wrap>
          <Button onClick={() => navigate(-1)}>返回</Button>
          {actions.request || canCoordinate ? (
            <Button type="primary" onClick={() => navigate(`/share-requests/new?resourceId=${r.id}`)} data-testid="apply">
              {actions.request ? '申请' : '申请协调'}
            </Button>
          ) : null}
          {canGuide && !grant.loading ? <ApiGuideButton resourceId={r.id} grant={grant.data} /> : null}
          {actions.update ? (
            <Button onClick={() => navigate(`/catalog-edit/${r.id}`)}>{r.status === 'published' ? '修改（生成新版本）' : '编辑'}</Button>
          ) : null}
          {actions.submit ? (
            <Button type="primary" loading={busy} onClick={() => act(() => submitResource(r.id))}>
              提交审核
            </Button>
          ) : null}
          {actions.review ? (
            <Button type="primary" onClick={() => navigate(`/catalog-review/${r.id}`)}>
              审核
            </Button>
          ) : null}
          {actions.withdraw ? (
            <Button danger onClick={() => setWithdrawing(true)}>
              下架
            </Button>
          ) : null}
        </Space>
      }
    >
      {historical ? (
        <Alert
          type="info"
          showIcon
          style={{ marginBottom: 12 }}
          message={`您正在查看第 ${r.version} 版（历史版本）`}
          action={<Link to={`/catalog/${r.id}`}>查看当前版本</Link>}
        />
      ) : null}
      <OneSourceAlert warnings={r.oneSourceWarnings} />
      {r.status === 'returned' && r.reviewComment ? (
        <Alert type="warning" showIcon style={{ marginBottom: 12 }} message="主管部门退回修改" description={r.reviewComment} />
      ) : null}
      <Card size="small">
        <Tabs
          items={[
            { key: 'facts', label: '基本信息', children: <ResourceFacts resource={r} /> },
            { key: 'items', label: `信息项（${r.items.length}）`, children: <ItemsTable items={r.items} /> },
            ...(actions.sample && !historical ? [{ key: 'sample', label: '样例数据', children: <SampleData resourceId={r.id} /> }] : []),
            {
              key: 'versions',
              label: '版本历史',
              children: <VersionHistory id={r.id} versions={versions.data?.items} loading={versions.loading} error={versions.error} />,
            },
          ]}
        />
      </Card>
      <Modal
        title="下架目录"
        open={withdrawing}
        onCancel={() => setWithdrawing(false)}
        okText="确认下架"
        okButtonProps={{ danger: true, disabled: reason.trim().length === 0 }}
        confirmLoading={busy}
        onOk={async () => {
          if (await act(() => withdrawResource(r.id, reason.trim()))) setWithdrawing(false)
        }}
      >
        <p className="muted">下架后其他部门将无法检索到该目录。请说明下架原因：</p>
        <Input.TextArea rows={3} value={reason} onChange={(e) => setReason(e.target.value)} maxLength={2000} placeholder="如：该业务已停止办理，数据不再更新" />
      </Modal>
    </PageContainer>
  )
}

function VersionHistory({ id, versions, loading, error }: { id: string; versions?: Version[]; loading: boolean; error?: Error }) {
  if (error) return <LoadError error={error} />
  return (
    <Table<Version>
      rowKey="version"
      size="small"
      loading={loading}
      dataSource={versions ?? []}
      pagination={false}
      locale={{ emptyText: <span className="muted">暂无版本记录</span> }}
      data-testid="version-history"
      columns={[
        { title: '版本', dataIndex: 'version', width: 80, render: (v: number) => `第 ${v} 版` },
        { title: '状态', dataIndex: 'status', width: 130, render: (s: string, v) => <StatusTag status={s} label={v.statusLabel} /> },
        { title: '修改人', dataIndex: 'changedByName', width: 100, render: (v: string | null) => v ?? '—' },
        { title: '修改时间', dataIndex: 'changedAt', width: 170, render: formatDateTime },
        {
          title: '修改内容',
          dataIndex: 'changedFields',
          render: (fields: string[]) =>
            fields.length === 0
              ? '—'
              : fields
                  .slice(0, 8)
                  .map((f) => <Tag key={f}>{fieldLabel(f)}</Tag>)
                  .concat(fields.length > 8 ? [<span key="more">等 {fields.length} 项</span>] : []),
        },
        { title: '审核意见', dataIndex: 'reviewComment', render: (v: string | null) => v ?? '—' },
        { title: '发布时间', dataIndex: 'publishedAt', width: 170, render: formatDateTime },
        { title: '', key: 'view', width: 60, render: (_: unknown, v) => <Link to={`/catalog/${id}?version=${v.version}`}>查看</Link> },
      ]}
    />
  )
}
