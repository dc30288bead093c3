import { BellOutlined } from '@ant-design/icons'
import { Badge, Button } from 'antd'
import { useEffect, useState } from 'react'
import { useNavigate } from 'react-router-dom'
import { listNotifications } from '../api/notifications.ts'

const CHANGED = 'govshare:notifications-changed'

/** Tells the header's count to refresh (after marking messages read). */
export const announceUnreadChange = () => window.dispatchEvent(new Event(CHANGED))

/** The unread count of 站内消息 in the header, refreshed every minute and after a page marks messages read. */
export function NotificationBell() {
  const [unread, setUnread] = useState(0)
  const navigate = useNavigate()
  useEffect(() => {
    let live = true
    const load = () =>
      listNotifications({ unread: true, pageSize: 1 }).then(
        (r) => live && setUnread(r.unread),
        () => undefined,
      )
    void load()
    const timer = setInterval(load, 60_000)
    window.addEventListener(CHANGED, load)
    return () => {
      live = false
      clearInterval(timer)
      window.removeEventListener(CHANGED, load)
    }
  }, [])
  return (
    <Button type="text" onClick={() => navigate('/notifications')} aria-label={`站内消息，${unread} 条未读`} data-testid="notification-bell">
      <Badge count={unread} size="small" overflowCount={99}>
        <BellOutlined style={{ fontSize: 18 }} />
      </Badge>
    </Button>
  )
}
