import { Badge, Card, Col, Row, Typography } from 'antd'
import { ROLE_LABELS } from '../../../../common/roles.ts'
import { useAuth } from '../../auth/AuthProvider.tsx'
import { allowedByRole } from '../../auth/permissions.ts'
import { EmptyState } from '../../components/States.tsx'
import { beijing } from '../../lib/dates.ts'
import {
  CalendarUpkeepCard,
  DeniedEventsCard,
  LatestPublishedCard,
  MyDraftsCard,
  MyPendingCard,
  PendingReviewsCard,
  StaleMountsCard,
  UpdateTasksCard,
} from './cards.tsx'
import { EscalationsCard, IncomingRequestsCard, MyOpenRequestsCard, NeedInfoCard } from './sharingCards.tsx'

/**
 * 工作台: the signed-in user's to-dos with their deadlines. Each card appears only for roles the
 * server's policy lets use its API.
 */
export default function WorkbenchPage() {
  const { user } = useAuth()
  if (!user) return null
  const roles = user.roles
  const has = (role: (typeof roles)[number]) => roles.includes(role)
  const now = beijing()
  const hasTodoSource =
    allowedByRole(roles, 'catalog.resource.review') ||
    allowedByRole(roles, 'sharing.request.decide') ||
    allowedByRole(roles, 'sharing.request.create') ||
    has('CATALOGER') ||
    allowedByRole(roles, 'freshness.mount.list') ||
    allowedByRole(roles, 'catalog.review-task.list') ||
    allowedByRole(roles, 'calendar.day.update') ||
    allowedByRole(roles, 'audit.event.list')

  return (
    <div>
      <Card style={{ marginBottom: 16 }} styles={{ body: { padding: '16px 24px' } }}>
        <Typography.Title level={4} style={{ margin: 0 }}>
          您好，{user.name}
        </Typography.Title>
        <div className="page-desc">
          {user.orgName} · {roles.map((r) => ROLE_LABELS[r]).join('、')} · 今天是 {now.format('YYYY年M月D日 dddd')}
        </div>
      </Card>
      <Row gutter={[16, 16]}>
        {allowedByRole(roles, 'sharing.request.decide') ? (
          <Col xs={24}>
            <IncomingRequestsCard />
          </Col>
        ) : null}
        {allowedByRole(roles, 'sharing.request.authority-decide') ? (
          <Col xs={24}>
            <EscalationsCard />
          </Col>
        ) : null}
        {allowedByRole(roles, 'sharing.request.resubmit') ? (
          <Col xs={24} xl={12}>
            <NeedInfoCard />
          </Col>
        ) : null}
        {allowedByRole(roles, 'sharing.request.create') ? (
          <Col xs={24} xl={12}>
            <MyOpenRequestsCard />
          </Col>
        ) : null}
        {allowedByRole(roles, 'catalog.resource.review') ? (
          <Col xs={24} xl={24}>
            <PendingReviewsCard />
          </Col>
        ) : null}
        {has('CATALOGER') ? (
          <Col xs={24} xl={12}>
            <MyDraftsCard />
          </Col>
        ) : null}
        {has('CATALOGER') ? (
          <Col xs={24} xl={12}>
            <MyPendingCard />
          </Col>
        ) : null}
        {allowedByRole(roles, 'catalog.review-task.list') ? (
          <Col xs={24}>
            <UpdateTasksCard overdueOnly={has('AUTH_ADMIN') && !has('CATALOGER') && !has('DEPT_ADMIN')} />
          </Col>
        ) : null}
        {allowedByRole(roles, 'freshness.mount.list') ? (
          <Col xs={24} xl={12}>
            <StaleMountsCard />
          </Col>
        ) : null}
        {allowedByRole(roles, 'calendar.day.update') ? (
          <Col xs={24} xl={12}>
            <CalendarUpkeepCard />
          </Col>
        ) : null}
        {allowedByRole(roles, 'audit.event.list') ? (
          <Col xs={24}>
            <DeniedEventsCard />
          </Col>
        ) : null}
        {!hasTodoSource ? (
          <Col xs={24}>
            <Card title="待办事项" data-testid="todo-none">
              <EmptyState description="当前没有需要您处理的事项" />
            </Card>
          </Col>
        ) : null}
        <Col xs={24}>
          <LatestPublishedCard />
        </Col>
      </Row>
    </div>
  )
}

export function CardTitle({ title, count, danger }: { title: string; count?: number; danger?: number }) {
  return (
    <span>
      {title}
      {count !== undefined ? <Badge count={count} showZero color={count > 0 ? '#1f5fbf' : '#bfbfbf'} style={{ marginInlineStart: 8 }} /> : null}
      {danger ? <Badge count={`逾期 ${danger}`} color="#cf1322" style={{ marginInlineStart: 8 }} /> : null}
    </span>
  )
}
