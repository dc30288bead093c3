import type { AuditEvent } from '../../api/audit.ts'

/** Who acted, as people know them: name and account, department; an app's name for gateway calls; 系统 for background tasks. */
export function Operator({ event }: { event: Pick<AuditEvent, 'userName' | 'username' | 'orgName' | 'appName' | 'actorId' | 'appId'> }) {
  const who = event.userName ? (
    <span>
      {event.userName}
      <span className="muted">（{event.username}）</span>
    </span>
  ) : event.appName ? (
    <span>应用：{event.appName}</span>
  ) : event.actorId || event.appId ? (
    <span className="muted">已删除的账号</span>
  ) : (
    <span className="muted">系统（后台任务）</span>
  )
  return (
    <div data-testid="operator">
      <div>{who}</div>
      {event.orgName ? (
        <div className="muted" style={{ fontSize: 12 }}>
          {event.orgName}
        </div>
      ) : null}
    </div>
  )
}
