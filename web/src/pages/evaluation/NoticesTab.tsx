import { Button, Input, Modal, Space, Table, Tag, message } from 'antd'
import { useState } from 'react'
import { NOTICE_STATUS_LABELS } from '../../../../common/evaluation.ts'
import { type Notice, closeNotice, issueNotices, listNotices, respondNotice } from '../../api/evaluation.ts'
import { useAuth } from '../../auth/AuthProvider.tsx'
import { allowedByRole, allowedOn } from '../../auth/permissions.ts'
import { LoadError } from '../../components/States.tsx'
import { useAsync } from '../../hooks/useAsync.ts'

const STATUS_COLORS = { issued: 'orange', responded: 'blue', closed: 'green' } as const

/** R-17 整改通知: the authority issues and closes, the department answers; tracked until closed. */
export function NoticesTab({ runId }: { runId: string }) {
  const { user } = useAuth()
  const [page, setPage] = useState(1)
  const { data, error, loading, reload } = useAsync(() => listNotices({ runId, page, pageSize: 10 }), [runId, page])
  const [acting, setActing] = useState<{ notice: Notice; kind: 'respond' | 'close' | 'return' } | null>(null)
  const [text, setText] = useState('')
  if (!user) return null
  const roles = user.roles

  const issue = () =>
    Modal.confirm({
      title: '下发整改通知',
      content: '将对本期所有低于达标线的部门指标下发整改通知（已下发的不重复下发），被通知部门将收到站内消息。确定下发？',
      okText: '下发',
      onOk: async () => {
        const result = await issueNotices(runId)
        message.success(`已下发 ${result.items.length} 份整改通知`)
        reload()
      },
    })

  const submit = async () => {
    if (!acting) return
    if (acting.kind === 'respond') await respondNotice(acting.notice.id, text)
    else await closeNotice(acting.notice.id, acting.kind === 'close', text)
    message.success(acting.kind === 'respond' ? '已反馈整改措施' : acting.kind === 'close' ? '已办结' : '已退回部门补充')
    setActing(null)
    setText('')
    reload()
  }

  return (
    <div>
      {allowedByRole(roles, 'evaluation.notice.issue') ? (
        <Button type="primary" onClick={issue} style={{ marginBottom: 12 }} data-testid="issue-notices">
          对低于达标线的指标下发整改通知
        </Button>
      ) : null}
      {error ? (
        <LoadError error={error} onRetry={reload} />
      ) : (
        <Table
          data-testid="notices-table"
          rowKey="id"
          size="small"
          loading={loading}
          dataSource={data?.items ?? []}
          pagination={{ current: page, pageSize: 10, total: data?.total ?? 0, onChange: setPage, showTotal: (n) => `共 ${n} 份` }}
          columns={[
            { title: '部门', dataIndex: 'orgName' },
            { title: '指标', render: (_, n) => `${n.indicator} ${n.indicatorName}` },
            { title: '得分 / 达标线', width: 120, render: (_, n) => `${n.score} / ${n.threshold}` },
            { title: '整改期限', dataIndex: 'dueDate', width: 110, render: (v: string, n) => (n.overdue ? <Tag color="red">{v} 已逾期</Tag> : v) },
            { title: '状态', dataIndex: 'status', width: 90, render: (v: Notice['status']) => <Tag color={STATUS_COLORS[v]}>{NOTICE_STATUS_LABELS[v]}</Tag> },
            {
              title: '整改措施',
              dataIndex: 'measures',
              ellipsis: true,
              render: (v: string | null, n) => v ?? (n.closingComment ? `退回：${n.closingComment}` : '—'),
            },
            {
              title: '操作',
              width: 150,
              render: (_, n) => (
                <Space>
                  {n.status === 'issued' && allowedOn(user, 'evaluation.notice.respond', n) ? (
                    <Button size="small" onClick={() => setActing({ notice: n, kind: 'respond' })}>
                      反馈整改
                    </Button>
                  ) : null}
                  {n.status === 'responded' && allowedOn(user, 'evaluation.notice.close', n) ? (
                    <>
                      <Button size="small" type="primary" onClick={() => setActing({ notice: n, kind: 'close' })}>
                        办结
                      </Button>
                      <Button size="small" onClick={() => setActing({ notice: n, kind: 'return' })}>
                        退回
                      </Button>
                    </>
                  ) : null}
                </Space>
              ),
            },
          ]}
        />
      )}
      <Modal
        open={acting !== null}
        title={acting?.kind === 'respond' ? '反馈整改措施' : acting?.kind === 'close' ? '办结整改通知' : '退回整改反馈'}
        okText={acting?.kind === 'respond' ? '提交' : acting?.kind === 'close' ? '确认办结' : '确认退回'}
        onOk={submit}
        onCancel={() => setActing(null)}
        destroyOnHidden
      >
        {acting ? (
          <p>
            {acting.notice.orgName}：{acting.notice.indicator} {acting.notice.indicatorName}（{acting.notice.violation}）
          </p>
        ) : null}
        <Input.TextArea
          aria-label={acting?.kind === 'respond' ? '整改措施' : '意见'}
          rows={4}
          value={text}
          onChange={(e) => setText(e.target.value)}
          placeholder={acting?.kind === 'respond' ? '已采取的整改措施' : '办结或退回意见'}
        />
      </Modal>
    </div>
  )
}
