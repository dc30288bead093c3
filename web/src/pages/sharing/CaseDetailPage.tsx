import { Alert, Button, Card, Col, Descriptions, Input, Radio, Row, Space, Timeline } from 'antd'
import { useState } from 'react'
import { Link, useNavigate, useParams } from 'react-router-dom'
import { allOrganisations } from '../../api/orgs.ts'
import { type CaseDecision, type CoordinationCase, addCaseNote, decideCase, escalateCase, getCase } from '../../api/sharing.ts'
import { useAuth } from '../../auth/AuthProvider.tsx'
import { allowedByRole, allowedOn } from '../../auth/permissions.ts'
import { PageContainer } from '../../components/PageContainer.tsx'
import { LoadError, Loading } from '../../components/States.tsx'
import { useAsync } from '../../hooks/useAsync.ts'
import { formatDateTime } from '../../lib/dates.ts'
import { CASE_DECISION_LABELS, CASE_NOTE_KINDS, CASE_ORIGINS, caseStatusTag } from './labels.tsx'
import { SHARE_TYPE, SHARE_TYPES } from '../../../../common/catalog.ts'

/** One coordination case: the statement, the negotiation record, and the authority's decision. */
export default function CaseDetailPage() {
  const { id = '' } = useParams()
  const navigate = useNavigate()
  const { user } = useAuth()
  const { data: c, error, loading, reload } = useAsync(() => getCase(id), [id])
  const orgs = useAsync(() => allOrganisations(), [])
  const [text, setText] = useState('')
  const [decision, setDecision] = useState<CaseDecision['decision']>('grant_with_conditions')
  // A reclassification names the share type decided; the provider's update task closes only on a publication that meets it.
  const [shareType, setShareType] = useState<1 | 2>(2)
  const [busy, setBusy] = useState(false)

  if (error) return <LoadError error={error} onRetry={reload} />
  if (loading && !c) return <Loading />
  if (!c || !user) return null

  const orgName = (orgId: string) => orgs.data?.find((o) => o.id === orgId)?.name ?? '—'
  const closed = c.status === 'decided' || c.status === 'closed'
  const isParty = c.applicantOrgId === user.orgId || c.providerOrgId === user.orgId
  const canNote = !closed && allowedOn(user, 'sharing.case.note', c)
  const canEscalate = (c.status === 'open' || c.status === 'negotiating') && isParty && allowedByRole(user.roles, 'sharing.case.escalate')
  const canDecide = !closed && allowedByRole(user.roles, 'sharing.case.decide')

  const run = async (action: () => Promise<CoordinationCase>) => {
    setBusy(true)
    try {
      await action()
      setText('')
      reload()
    } catch {
      // the client showed the message
    } finally {
      setBusy(false)
    }
  }

  return (
    <PageContainer
      title={`协调案件：${c.resourceName ?? '（资源已下架）'}`}
      description={
        <Space size={8} wrap>
          {caseStatusTag(c)}
          <span>{CASE_ORIGINS[c.origin] ?? c.origin}</span>
          <span>提出时间：{formatDateTime(c.createdAt)}</span>
        </Space>
      }
      extra={<Button onClick={() => navigate(-1)}>返回</Button>}
    >
      {c.decision ? (
        <Alert
          type="success"
          showIcon
          style={{ marginBottom: 12 }}
          message={`主管部门协调决定：${CASE_DECISION_LABELS[c.decision] ?? c.decision}（${formatDateTime(c.decidedAt)}）`}
          description={
            <span>
              {c.decisionText}
              {c.grantId ? (
                <>
                  {' '}
                  <Link to={`/grants/${c.grantId}`}>查看授权</Link>
                </>
              ) : null}
            </span>
          }
        />
      ) : null}
      <Row gutter={16}>
        <Col xs={24} xl={12}>
          <Card size="small" title="案件信息" style={{ marginBottom: 16 }}>
            <Descriptions size="small" column={1}>
              <Descriptions.Item label="申请部门">{c.applicantOrgName}</Descriptions.Item>
              <Descriptions.Item label="提供部门">{c.providerName}</Descriptions.Item>
              <Descriptions.Item label="资源">{c.resourceId ? <Link to={`/catalog/${c.resourceId}`}>{c.resourceName}</Link> : '—'}</Descriptions.Item>
              {c.requestId ? (
                <Descriptions.Item label="原申请">
                  <Link to={`/share-requests/${c.requestId}`}>查看被拒绝的申请</Link>
                </Descriptions.Item>
              ) : null}
              <Descriptions.Item label="协调事由">{c.statement}</Descriptions.Item>
            </Descriptions>
          </Card>
          {canNote || canEscalate || canDecide ? (
            <Card size="small" title={canDecide ? '协调决定' : '记录协商情况'} data-testid="case-actions">
              {canDecide ? (
                <Radio.Group
                  style={{ marginBottom: 8 }}
                  value={decision}
                  onChange={(e) => setDecision(e.target.value)}
                  options={Object.entries(CASE_DECISION_LABELS).map(([value, label]) => ({ value, label }))}
                />
              ) : null}
              {canDecide && decision === 'reclassify' ? (
                <div style={{ marginBottom: 8 }}>
                  <span style={{ marginRight: 8 }}>调整后的共享类型：</span>
                  <Radio.Group
                    value={shareType}
                    onChange={(e) => setShareType(e.target.value)}
                    options={[
                      { value: SHARE_TYPE.unconditional, label: SHARE_TYPES[SHARE_TYPE.unconditional] },
                      { value: SHARE_TYPE.conditional, label: SHARE_TYPES[SHARE_TYPE.conditional] },
                    ]}
                    data-testid="reclassify-share-type"
                  />
                </div>
              ) : null}
              <Input.TextArea
                rows={3}
                value={text}
                onChange={(e) => setText(e.target.value)}
                maxLength={2000}
                placeholder={canDecide ? '决定内容：提供的信息项、条件或调整意见' : '协商情况，如：双方同意补充认定文件后按脱敏方式提供'}
              />
              <Space style={{ marginTop: 8 }} wrap>
                {canDecide ? (
                  <Button
                    type="primary"
                    disabled={!text.trim()}
                    loading={busy}
                    onClick={() => run(() => decideCase(c.id, { decision, text: text.trim(), ...(decision === 'reclassify' ? { shareType } : {}) }))}
                  >
                    作出协调决定
                  </Button>
                ) : null}
                {canNote ? (
                  <Button disabled={!text.trim()} loading={busy} onClick={() => run(() => addCaseNote(c.id, text.trim()))}>
                    记录协商
                  </Button>
                ) : null}
                {canEscalate ? (
                  <Button danger disabled={!text.trim()} loading={busy} onClick={() => run(() => escalateCase(c.id, text.trim()))}>
                    协商不成，提请主管部门协调
                  </Button>
                ) : null}
              </Space>
            </Card>
          ) : null}
        </Col>
        <Col xs={24} xl={12}>
          <Card size="small" title="协商记录" data-testid="case-notes">
            {(c.notes ?? []).length === 0 ? (
              <span className="muted">暂无协商记录</span>
            ) : (
              <Timeline
                items={(c.notes ?? []).map((n) => ({
                  color: n.kind === 'decision' ? 'green' : n.kind === 'statement' ? 'blue' : 'gray',
                  children: (
                    <div>
                      <strong>{CASE_NOTE_KINDS[n.kind] ?? n.kind}</strong>
                      <div className="muted" style={{ fontSize: 12 }}>
                        {formatDateTime(n.at)} · {orgName(n.orgId)}
                      </div>
                      <div>{n.text}</div>
                    </div>
                  ),
                }))}
              />
            )}
          </Card>
        </Col>
      </Row>
    </PageContainer>
  )
}
