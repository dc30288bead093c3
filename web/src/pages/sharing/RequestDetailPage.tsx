import { Alert, Button, Card, Col, Descriptions, Input, Modal, Row, Space, Table, Tag, Timeline } from 'antd'
import { useState } from 'react'
import { Link, useNavigate, useParams } from 'react-router-dom'
import {
  type Grant,
  type HistoryEntry,
  type ShareRequest,
  getGrant,
  getShareRequest,
  openCase,
  resubmitShareRequest,
  reviewCompliance,
  withdrawShareRequest,
} from '../../api/sharing.ts'
import { PageContainer } from '../../components/PageContainer.tsx'
import { LoadError, Loading } from '../../components/States.tsx'
import { ShareTypeTag } from '../../components/Tags.tsx'
import { WorkdayCountdown } from '../../components/WorkdayCountdown.tsx'
import { useAsync } from '../../hooks/useAsync.ts'
import { formatDate, formatDateTime } from '../../lib/dates.ts'
import { MASKING_LABELS } from '../../lib/masking.ts'
import { DecisionForm } from './DecisionForm.tsx'
import { HISTORY_ACTIONS, RequestStatusTag, SHARE_MODE_LABELS, deadlineText, isOpen, rowFilterText } from './labels.tsx'

type Dialog = 'withdraw' | 'resubmit' | 'coordinate' | 'pass' | 'return' | null

const DIALOG_TITLES: Record<NonNullable<Dialog>, string> = {
  withdraw: '撤回申请',
  resubmit: '补正后重新提交',
  coordinate: '提请协调',
  pass: '合规审查通过',
  return: '退回修改',
}

/** One share request: what was asked, its status and clock, every transition, and the actions the API allows. */
export default function RequestDetailPage() {
  const { id = '' } = useParams()
  const navigate = useNavigate()
  const { data: r, error, loading, reload } = useAsync(() => getShareRequest(id), [id])
  const grant = useAsync(() => (r?.grantId ? getGrant(r.grantId).catch(() => undefined) : Promise.resolve(undefined)), [r?.grantId])
  const [dialog, setDialog] = useState<Dialog>(null)
  const [text, setText] = useState('')
  const [dutyBasis, setDutyBasis] = useState('')
  const [busy, setBusy] = useState(false)

  if (error) return <LoadError error={error} onRetry={reload} />
  if (loading && !r) return <Loading />
  if (!r) return null

  const open = (d: Dialog) => {
    setText('')
    setDutyBasis(r.dutyBasis)
    setDialog(d)
  }
  const act = async () => {
    setBusy(true)
    try {
      if (dialog === 'withdraw') await withdrawShareRequest(r.id, text.trim())
      if (dialog === 'pass' || dialog === 'return') await reviewCompliance(r.id, { decision: dialog, ...(text.trim() ? { comment: text.trim() } : {}) })
      if (dialog === 'resubmit')
        await resubmitShareRequest(r.id, {
          comment: text.trim(),
          ...(dutyBasis.trim() && dutyBasis.trim() !== r.dutyBasis ? { dutyBasis: dutyBasis.trim() } : {}),
        })
      if (dialog === 'coordinate') {
        const c = await openCase({ requestId: r.id, statement: text.trim() })
        navigate(`/coordination/${c.id}`)
        return
      }
      setDialog(null)
      reload()
    } catch {
      // the client showed the message
    } finally {
      setBusy(false)
    }
  }
  const lastInfoRequest = [...(r.history ?? [])].reverse().find((h) => h.action === 'request_info')
  const lastReturn = [...(r.history ?? [])].reverse().find((h) => h.action === 'compliance_return')

  return (
    <PageContainer
      title={`${r.resourceName}`}
      description={
        <Space size={8} wrap>
          <span className="mono">{r.no}</span>
          <RequestStatusTag request={r} />
          {r.status === 'need_more_info' ? <Tag>待补正，计时暂停</Tag> : isOpen(r.status) ? <WorkdayCountdown due={r.dueAt} /> : null}
        </Space>
      }
      extra={
        <Space wrap>
          <Button onClick={() => navigate(-1)}>返回</Button>
          {r.grantId && grant.data ? <Button onClick={() => navigate(`/grants/${r.grantId}`)}>查看授权</Button> : null}
          {r.actions.complianceReview ? (
            <>
              <Button type="primary" onClick={() => open('pass')} data-testid="compliance-pass">
                审查通过
              </Button>
              <Button onClick={() => open('return')} data-testid="compliance-return">
                退回修改
              </Button>
            </>
          ) : null}
          {r.actions.resubmit ? (
            <Button type="primary" onClick={() => open('resubmit')} data-testid="resubmit">
              {r.status === 'returned' ? '修改后重新提交' : '补正后重新提交'}
            </Button>
          ) : null}
          {r.actions.coordinate ? (
            <Button onClick={() => open('coordinate')} data-testid="coordinate">
              提请协调
            </Button>
          ) : null}
          {r.actions.withdraw ? (
            <Button danger onClick={() => open('withdraw')} data-testid="withdraw">
              撤回申请
            </Button>
          ) : null}
        </Space>
      }
    >
      {r.status === 'need_more_info' && lastInfoRequest ? (
        <Alert
          type="warning"
          showIcon
          style={{ marginBottom: 12 }}
          message="提供部门要求补正"
          description={lastInfoRequest.comment}
          data-testid="need-info-alert"
        />
      ) : null}
      {r.status === 'compliance_review' ? (
        <Alert
          type="info"
          showIcon
          style={{ marginBottom: 12 }}
          message="主管部门合规审查中"
          description="审查用途与履职依据；通过后交提供部门答复。申请的数据已挂接的，提供部门自审查通过起适用已挂接数据的较短答复时限；未挂接的适用一般答复时限。"
        />
      ) : null}
      {r.status === 'returned' && lastReturn ? (
        <Alert type="warning" showIcon style={{ marginBottom: 12 }} message="主管部门退回修改" description={lastReturn.comment} data-testid="return-alert" />
      ) : null}
      {r.status === 'rejected' ? (
        <Alert
          type="error"
          showIcon
          style={{ marginBottom: 12 }}
          message="申请被拒绝"
          description={`拒绝理由：${r.decisionReason ?? '—'}`}
          data-testid="reject-reason"
        />
      ) : null}
      {r.status === 'escalated' ? (
        <Alert
          type="error"
          showIcon
          style={{ marginBottom: 12 }}
          message="提供部门逾期未答复，已提交主管部门督办"
          description={`提交督办时间：${formatDateTime(r.escalatedAt)}`}
        />
      ) : null}
      {r.status === 'granted' && grant.data ? <GrantDifference request={r} grant={grant.data} /> : null}
      <Row gutter={16}>
        <Col xs={24} xl={16}>
          <Card size="small" title="申请内容" style={{ marginBottom: 16 }}>
            <Descriptions size="small" column={2} data-testid="request-facts">
              <Descriptions.Item label="申请部门">{r.requesterOrgName}</Descriptions.Item>
              <Descriptions.Item label="提供部门">{r.providerName}</Descriptions.Item>
              <Descriptions.Item label="资源">
                <Link to={`/catalog/${r.resourceId}`}>{r.resourceName}</Link>（第 {r.resourceVersion} 版）
              </Descriptions.Item>
              <Descriptions.Item label="共享类型">
                <ShareTypeTag value={r.shareType} />
              </Descriptions.Item>
              <Descriptions.Item label="使用用途">{r.purpose}</Descriptions.Item>
              <Descriptions.Item label="应用场景">{r.scenario ?? '—'}</Descriptions.Item>
              <Descriptions.Item label="共享方式">{SHARE_MODE_LABELS[r.mode]}</Descriptions.Item>
              <Descriptions.Item label="申请有效期至">{formatDate(r.validUntil)}</Descriptions.Item>
              <Descriptions.Item label="提交时间">{formatDateTime(r.createdAt)}</Descriptions.Item>
              <Descriptions.Item label={deadlineText(r)}>
                <span data-testid="request-deadline">{r.dueAt ? formatDateTime(r.dueAt) : '—'}</span>
              </Descriptions.Item>
              <Descriptions.Item label="用途说明" span={2}>
                {r.purposeDetail ?? '—'}
              </Descriptions.Item>
              <Descriptions.Item label="履职依据" span={2}>
                {r.dutyBasis}
              </Descriptions.Item>
            </Descriptions>
          </Card>
          <Card size="small" title={`申请的信息项（${r.items.length}）`} style={{ marginBottom: 16 }}>
            <Table
              rowKey="id"
              size="small"
              pagination={false}
              dataSource={r.items}
              columns={[
                { title: '信息项', dataIndex: 'name' },
                { title: '英文名', dataIndex: 'nameEn', render: (v: string | null) => <span className="mono">{v ?? '—'}</span> },
                { title: '共享类型', dataIndex: 'shareType', width: 120, render: (v: number) => <ShareTypeTag value={v} /> },
              ]}
            />
          </Card>
        </Col>
        <Col xs={24} xl={8}>
          <Card size="small" title="办理过程" style={{ marginBottom: 16 }} data-testid="request-timeline">
            <RequestTimeline history={r.history ?? []} />
          </Card>
        </Col>
      </Row>
      {r.actions.decide ? <DecisionForm request={r} as="provider" onDone={reload} /> : null}
      {r.actions.authorityDecide ? <DecisionForm request={r} as="authority" onDone={reload} /> : null}
      <Modal
        title={dialog ? (dialog === 'resubmit' && r.status === 'returned' ? '修改后重新提交' : DIALOG_TITLES[dialog]) : ''}
        open={!!dialog}
        onCancel={() => setDialog(null)}
        onOk={act}
        okText="确定"
        confirmLoading={busy}
        okButtonProps={{ disabled: dialog !== 'withdraw' && dialog !== 'pass' && !text.trim(), danger: dialog === 'withdraw' }}
      >
        {dialog === 'resubmit' ? (
          <Space direction="vertical" style={{ width: '100%' }}>
            <span>补正说明（必填）：</span>
            <Input.TextArea
              rows={3}
              value={text}
              onChange={(e) => setText(e.target.value)}
              maxLength={2000}
              placeholder="如：已补充政策文件文号及使用范围"
              data-testid="resubmit-comment"
            />
            <span>履职依据（可修改）：</span>
            <Input.TextArea rows={3} value={dutyBasis} onChange={(e) => setDutyBasis(e.target.value)} maxLength={2000} />
          </Space>
        ) : (
          <>
            <p className="muted">
              {dialog === 'withdraw'
                ? '撤回后本申请终止办理，如仍需使用须重新申请。撤回原因（可选）：'
                : dialog === 'pass'
                  ? '确认该申请用途明确、履职依据充分，交提供部门答复；提供部门的答复时限自现在起算。审查意见（可选）：'
                  : dialog === 'return'
                    ? '退回后由申请部门修改并重新提交审查。请写明用途或履职依据哪里不清楚（必填）：'
                    : '说明履职需要与协调事由，先由双方协商，协商不成由主管部门协调决定：'}
            </p>
            <Input.TextArea rows={3} value={text} onChange={(e) => setText(e.target.value)} maxLength={2000} data-testid="dialog-text" />
          </>
        )}
      </Modal>
    </PageContainer>
  )
}

function RequestTimeline({ history }: { history: HistoryEntry[] }) {
  if (history.length === 0) return <span className="muted">暂无办理记录</span>
  return (
    <Timeline
      items={history.map((h) => ({
        color:
          h.toStatus === 'rejected' || h.action === 'escalate'
            ? 'red'
            : h.toStatus === 'granted'
              ? 'green'
              : h.toStatus === 'need_more_info'
                ? 'orange'
                : 'blue',
        children: (
          <div>
            <div>
              <strong>{h.action === 'decide' ? (h.toStatus === 'granted' ? '提供方同意授权' : '提供方拒绝') : (HISTORY_ACTIONS[h.action] ?? h.action)}</strong>
            </div>
            <div className="muted" style={{ fontSize: 12 }}>
              {formatDateTime(h.at)} · {h.actorName ?? '系统'}
            </div>
            {h.comment ? <div style={{ marginTop: 2 }}>{h.comment}</div> : null}
          </div>
        ),
      }))}
    />
  )
}

/** Partial approval is normal: the requester sees what differs from what was asked. */
function GrantDifference({ request, grant }: { request: ShareRequest; grant: Grant }) {
  const left = request.items.filter((i) => !grant.itemIds.includes(i.id))
  const masked = grant.items.filter((i) => i.masking !== 'none')
  const filters = rowFilterText(grant.rowFilter, grant.items)
  return (
    <Alert
      type="success"
      showIcon
      style={{ marginBottom: 12 }}
      data-testid="grant-difference"
      message={`已授权 ${grant.itemIds.length} 项信息项（申请 ${request.itemIds.length} 项），有效期至 ${formatDate(grant.validUntil)}`}
      description={
        <div>
          {left.length > 0 ? <div>未授权的信息项：{left.map((i) => i.name).join('、')}</div> : <div>申请的信息项均已授权。</div>}
          {masked.length > 0 ? (
            <div>脱敏提供：{masked.map((i) => `${i.name}：${MASKING_LABELS[i.masking as keyof typeof MASKING_LABELS] ?? i.masking}`).join('；')}</div>
          ) : null}
          {filters.length > 0 ? <div>数据范围：{filters.join('；')}</div> : null}
          {grant.validUntil !== request.validUntil ? (
            <div>
              有效期由申请的 {formatDate(request.validUntil)} 缩短为 {formatDate(grant.validUntil)}
            </div>
          ) : null}
          {request.decisionReason ? <div>审批意见：{request.decisionReason}</div> : null}
        </div>
      }
    />
  )
}
