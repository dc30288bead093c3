import { Button, Segmented, Table, Tag } from 'antd'
import { useState } from 'react'
import { listNotifications, markAllRead, markRead } from '../../api/notifications.ts'
import { PageContainer } from '../../components/PageContainer.tsx'
import { LoadError } from '../../components/States.tsx'
import { useAsync } from '../../hooks/useAsync.ts'
import { announceUnreadChange } from '../../layout/NotificationBell.tsx'

const STAGE_LABELS: Record<string, { text: string; color: string }> = {
  due_soon: { text: '即将到期', color: 'gold' },
  due_today: { text: '今日到期', color: 'orange' },
  overdue: { text: '已逾期', color: 'red' },
}

const stageOf = (kind: string) => STAGE_LABELS[kind.split('.').at(-1) ?? '']

const fmt = (iso: string) => new Date(iso).toLocaleString('zh-CN', { hour12: false })

/** 站内消息 (SPEC §6.11): every clock and event the user or their department must act on. */
export default function NotificationsPage() {
  const [unread, setUnread] = useState(true)
  const [page, setPage] = useState(1)
  const { data, error, loading, reload } = useAsync(() => listNotifications({ unread: unread || undefined, page, pageSize: 20 }), [unread, page])
  const refresh = () => {
    reload()
    announceUnreadChange()
  }
  return (
    <PageContainer
      title="站内消息"
      description="待办期限提醒（到期前 2 个工作日、到期当日）、逾期督办与整改通知"
      extra={
        <Button
          onClick={async () => {
            await markAllRead()
            refresh()
          }}
          disabled={!data?.unread}
          data-testid="mark-all-read"
        >
          全部标为已读
        </Button>
      }
    >
      <Segmented
        value={unread ? 'unread' : 'all'}
        onChange={(v) => {
          setUnread(v === 'unread')
          setPage(1)
        }}
        options={[
          { label: `未读（${data?.unread ?? 0}）`, value: 'unread' },
          { label: '全部', value: 'all' },
        ]}
        style={{ marginBottom: 12 }}
      />
      {error ? (
        <LoadError error={error} onRetry={reload} />
      ) : (
        <Table
          data-testid="notifications-table"
          rowKey="id"
          loading={loading}
          dataSource={data?.items ?? []}
          pagination={{ current: page, pageSize: 20, total: data?.total ?? 0, onChange: setPage, showTotal: (n) => `共 ${n} 条` }}
          columns={[
            { title: '消息', dataIndex: 'title', render: (v: string, n) => (n.readAt ? v : <b>{v}</b>) },
            {
              title: '提醒',
              dataIndex: 'kind',
              width: 100,
              render: (k: string) => (stageOf(k) ? <Tag color={stageOf(k)!.color}>{stageOf(k)!.text}</Tag> : <Tag>通知</Tag>),
            },
            { title: '期限', dataIndex: 'dueAt', width: 170, render: (v: string | null) => (v ? fmt(v) : '—') },
            { title: '时间', dataIndex: 'createdAt', width: 170, render: fmt },
            {
              title: '',
              width: 100,
              render: (_, n) =>
                n.readAt ? (
                  <span style={{ color: '#8c8c8c' }}>已读</span>
                ) : (
                  <Button
                    size="small"
                    onClick={async () => {
                      await markRead(n.id)
                      refresh()
                    }}
                  >
                    标为已读
                  </Button>
                ),
            },
          ]}
        />
      )}
    </PageContainer>
  )
}
