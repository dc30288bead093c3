import { Alert, Button, Card, Descriptions, Input, Modal, Space, Table, Tag, Timeline } from 'antd'
import { useState } from 'react'
import { Link, useNavigate, useParams } from 'react-router-dom'
import { type Grant, type Usage, downloadGrantOpenApi, getGrant, listUsage, reconfirmGrant, resumeGrant, revokeGrant, suspendGrant } from '../../api/sharing.ts'
import { useAuth } from '../../auth/AuthProvider.tsx'
import { allowedOn } from '../../auth/permissions.ts'
import { PageContainer } from '../../components/PageContainer.tsx'
import { LoadError, Loading } from '../../components/States.tsx'
import { useAsync } from '../../hooks/useAsync.ts'
import { formatDate, formatDateTime } from '../../lib/dates.ts'
import { MASKING_LABELS } from '../../lib/masking.ts'
import { GrantStatusTag, SHARE_MODE_LABELS, rowFilterText } from '../sharing/labels.tsx'
import { ApiGuideButton } from './ApiGuide.tsx'
import { GrantFilesCard } from './GrantFilesCard.tsx'

type GrantChange = 'revoke' | 'suspend' | 'resume'

/** The three status changes all need a reason (audited); what each one tells the user before it is made. */
const CHANGES: Record<
  GrantChange,
  { title: string; ok: string; danger: boolean; hint: string; placeholder: string; run: (id: string, reason: string) => Promise<Grant> }
> = {
  revoke: {
    title: '撤销授权',
    ok: '确认撤销',
    danger: true,
    hint: '撤销后使用部门的调用立即被拒绝，且不能恢复。请说明撤销原因：',
    placeholder: '如：使用部门超范围使用数据',
    run: revokeGrant,
  },
  suspend: {
    title: '暂停授权',
    ok: '确认暂停',
    danger: true,
    hint: '暂停期间使用部门的接口调用将被拒绝，查明情况后可恢复。请说明暂停原因：',
    placeholder: '如：发现异常批量调用，暂停待核查',
    run: suspendGrant,
  },
  resume: {
    title: '恢复授权',
    ok: '确认恢复',
    danger: false,
    hint: '恢复后使用部门可按原授权范围继续调用。请说明恢复原因：',
    placeholder: '如：经核查调用属正常业务，恢复使用',
    run: resumeGrant,
  },
}

/** One grant: items with masking, row filter, validity and status; usage records; suspend, resume, revoke (provider, authority). */
export default function GrantDetailPage() {
  const { id = '' } = useParams()
  const navigate = useNavigate()
  const { user } = useAuth()
  const { data: g, error, loading, reload } = useAsync(() => getGrant(id), [id])
  const [usagePage, setUsagePage] = useState(1)
  const usage = useAsync(() => listUsage(id, usagePage), [id, usagePage])
  const [changing, setChanging] = useState<GrantChange | null>(null)
  const [reason, setReason] = useState('')
  const [busy, setBusy] = useState(false)

  if (error) return <LoadError error={error} onRetry={reload} />
  if (loading && !g) return <Loading />
  if (!g) return null
  const filters = rowFilterText(g.rowFilter, g.items)
  const openChange = (change: GrantChange) => {
    setReason('')
    setChanging(change)
  }
  const change = changing ? CHANGES[changing] : null

  return (
    <PageContainer
      title={`授权：${g.resourceName}`}
      description={
        <Space size={8} wrap>
          <GrantStatusTag status={g.status} />
          <span>
            {g.providerName} → {g.consumerName}
          </span>
        </Space>
      }
      extra={
        <Space wrap>
          <Button onClick={() => navigate(-1)}>返回</Button>
          {g.mode === 'api' && g.status === 'active' ? <ApiGuideButton resourceId={g.resourceId} grant={g} type="primary" /> : null}
          {g.mode === 'api' ? (
            <Button onClick={() => void downloadGrantOpenApi(g.id, g.resourceName)} data-testid="download-openapi">
              下载接口文档（OpenAPI）
            </Button>
          ) : null}
          {g.actions.suspend ? (
            <Button onClick={() => openChange('suspend')} data-testid="suspend">
              暂停授权
            </Button>
          ) : null}
          {g.actions.resume ? (
            <Button type="primary" onClick={() => openChange('resume')} data-testid="resume">
              恢复授权
            </Button>
          ) : null}
          {g.actions.reconfirm ? (
            <Button
              type="primary"
              loading={busy}
              data-testid="reconfirm"
              onClick={async () => {
                setBusy(true)
                try {
                  await reconfirmGrant(g.id)
                  reload()
                } finally {
                  setBusy(false)
                }
              }}
            >
              重新确认信息项
            </Button>
          ) : null}
          {g.actions.revoke ? (
            <Button danger onClick={() => openChange('revoke')} data-testid="revoke">
              撤销授权
            </Button>
          ) : null}
        </Space>
      }
    >
      {g.status === 'suspended' ? (
        <Alert
          type="warning"
          showIcon
          style={{ marginBottom: 12 }}
          message="授权已暂停：暂停期间接口调用将被拒绝，暂停原因见“状态说明”"
          data-testid="grant-suspended"
        />
      ) : null}
      {g.reconfirmation ? (
        <Alert
          type="info"
          showIcon
          style={{ marginBottom: 12 }}
          message={`目录第 ${g.reconfirmation.resourceVersion} 版将部分信息项改为有条件共享，提供部门须在 ${formatDate(g.reconfirmation.dueDate)} 前重新确认，逾期未确认的信息项暂停提供`}
          data-testid="grant-reconfirmation"
        />
      ) : null}
      {g.events && g.events.length > 0 ? (
        <Card size="small" title="目录变更通知" style={{ marginBottom: 16 }} data-testid="grant-events">
          <Timeline items={g.events.map((e) => ({ children: `${formatDateTime(e.at)}　${e.text}` }))} />
        </Card>
      ) : null}
      <Card size="small" title="授权内容" style={{ marginBottom: 16 }}>
        <Descriptions size="small" column={2} data-testid="grant-facts">
          <Descriptions.Item label="资源">
            <Link to={`/catalog/${g.resourceId}`}>{g.resourceName}</Link>
          </Descriptions.Item>
          <Descriptions.Item label="共享方式">{SHARE_MODE_LABELS[g.mode]}</Descriptions.Item>
          <Descriptions.Item label="提供部门">{g.providerName}</Descriptions.Item>
          <Descriptions.Item label="使用部门">{g.consumerName}</Descriptions.Item>
          <Descriptions.Item label="用途">{g.purpose}</Descriptions.Item>
          <Descriptions.Item label="有效期">
            {formatDate(g.validFrom)} 至 {formatDate(g.validUntil)}
          </Descriptions.Item>
          <Descriptions.Item label="数据范围">{filters.length > 0 ? filters.join('；') : '全部数据行'}</Descriptions.Item>
          <Descriptions.Item label="联机查询键">{g.lookupKeys.length > 0 ? g.lookupKeys.join('、') : '无（可批量读取）'}</Descriptions.Item>
          <Descriptions.Item label="调用频率">
            每分钟 {g.rateLimitPerMinute} 次，每日 {g.dailyQuota.toLocaleString('zh-CN')} 次
          </Descriptions.Item>
          <Descriptions.Item label="申请">{g.requestId ? <Link to={`/share-requests/${g.requestId}`}>查看原申请</Link> : '—'}</Descriptions.Item>
          {g.statusReason ? (
            <Descriptions.Item label="状态说明" span={2}>
              {g.statusReason}
            </Descriptions.Item>
          ) : null}
        </Descriptions>
      </Card>
      <Card size="small" title={`授权的信息项（${g.items.length}）`} style={{ marginBottom: 16 }}>
        <Table
          rowKey="id"
          size="small"
          pagination={false}
          dataSource={g.items}
          data-testid="grant-items"
          columns={[
            {
              title: '信息项',
              dataIndex: 'name',
              render: (name: string, item) =>
                g.suspendedItemIds.includes(item.id) ? (
                  <Space size={4}>
                    {name}
                    <Tag color="red">暂停提供</Tag>
                  </Space>
                ) : (
                  name
                ),
            },
            { title: '返回字段', dataIndex: 'nameEn', render: (v: string | null) => <span className="mono">{v ?? '—'}</span> },
            {
              title: '脱敏规则',
              dataIndex: 'masking',
              render: (m: string) => (m === 'none' ? '不脱敏' : <Tag color="orange">{MASKING_LABELS[m as keyof typeof MASKING_LABELS] ?? m}</Tag>),
            },
          ]}
        />
      </Card>
      {g.mode === 'file' ? (
        <GrantFilesCard grantId={g.id} canDownload={g.status === 'active' && !!user && allowedOn(user, 'exchange.file.download', g)} />
      ) : null}
      <Card size="small" title="使用记录">
        {usage.error ? (
          <LoadError error={usage.error} onRetry={usage.reload} />
        ) : (
          <Table<Usage>
            rowKey={(u) => `${u.source}:${u.id}`}
            size="small"
            loading={usage.loading}
            dataSource={usage.data?.items ?? []}
            data-testid="usage"
            locale={{ emptyText: <span className="muted">还没有使用记录</span> }}
            pagination={{
              current: usagePage,
              pageSize: 20,
              total: usage.data?.total ?? 0,
              onChange: setUsagePage,
              showSizeChanger: false,
              showTotal: (t) => `共 ${t} 条`,
            }}
            columns={[
              { title: '时间', dataIndex: 'at', width: 180, render: formatDateTime },
              { title: '办件号', dataIndex: 'businessRef', render: (v: string | null) => v ?? '—' },
              { title: '用途', dataIndex: 'purpose', render: (v: string | null) => v ?? '—' },
              { title: '方式', dataIndex: 'source', width: 100, render: (v: Usage['source']) => (v === 'gateway' ? '接口调用' : '其他登记') },
              { title: '返回行数', dataIndex: 'rows', width: 100 },
              { title: '应用', dataIndex: 'appName', width: 160, render: (v: string | null, u) => v ?? (u.userName ? `${u.userName}登记` : '—') },
            ]}
          />
        )}
      </Card>
      <Modal
        title={change?.title}
        open={!!change}
        onCancel={() => setChanging(null)}
        okText={change?.ok}
        okButtonProps={{ danger: change?.danger, disabled: !reason.trim() }}
        confirmLoading={busy}
        onOk={async () => {
          if (!change) return
          setBusy(true)
          try {
            await change.run(g.id, reason.trim())
            setChanging(null)
            reload()
          } catch {
            // the client showed the message
          } finally {
            setBusy(false)
          }
        }}
      >
        <p className="muted">{change?.hint}</p>
        <Input.TextArea
          rows={3}
          value={reason}
          onChange={(e) => setReason(e.target.value)}
          maxLength={2000}
          placeholder={change?.placeholder}
          data-testid="grant-reason"
        />
      </Modal>
    </PageContainer>
  )
}
