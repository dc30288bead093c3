import { Alert, App, Button, Card, Form, Input, Space, Table, Tag } from 'antd'
import { useState } from 'react'
import { Link, useNavigate, useParams } from 'react-router-dom'
import { type Resource, getResource, reviewResource } from '../../api/catalog.ts'
import { ApiError } from '../../api/client.ts'
import { PageContainer } from '../../components/PageContainer.tsx'
import { LoadError, Loading } from '../../components/States.tsx'
import { StatusTag } from '../../components/Tags.tsx'
import { WorkdayCountdown } from '../../components/WorkdayCountdown.tsx'
import { useAsync } from '../../hooks/useAsync.ts'
import { formatDateTime } from '../../lib/dates.ts'
import { OneSourceAlert } from '../catalog/OneSourceAlert.tsx'
import { SampleData } from '../catalog/SampleData.tsx'
import { type FieldRow, ITEM_DIFF_FIELDS, type ItemRow, diffItems, diffResource } from './diff.ts'

const CHANGE_TAGS = { added: <Tag color="green">新增</Tag>, removed: <Tag color="red">删除</Tag>, changed: <Tag color="gold">修改</Tag>, same: null }

/** Review one submission: the pending version side by side with the published one, then approve or return. */
export default function ReviewPage() {
  const { id = '' } = useParams()
  const navigate = useNavigate()
  const { message } = App.useApp()
  const { data, error, loading, reload } = useAsync(async () => {
    // The authority sees an entry's published version; a submitted next version waits beside it.
    const shown = await getResource(id)
    const pending = shown.pendingVersion ? await getResource(id, shown.pendingVersion) : shown
    const published = pending.publishedVersion && pending.publishedVersion !== pending.version ? await getResource(id, pending.publishedVersion) : null
    return { pending, published }
  }, [id])
  const [form] = Form.useForm<{ comment?: string }>()
  const [deciding, setDeciding] = useState<'approve' | 'return' | null>(null)
  const [onlyChanges, setOnlyChanges] = useState(false)

  if (error) return <LoadError error={error} onRetry={reload} />
  if (loading && !data) return <Loading />
  if (!data) return null
  const { pending, published } = data

  const decide = async (decision: 'approve' | 'return') => {
    setDeciding(decision)
    form.setFields([{ name: 'comment', errors: [] }])
    try {
      const comment = form.getFieldValue('comment')?.trim() || undefined
      const result: Resource = await reviewResource(pending.id, decision, comment)
      message.success(decision === 'approve' ? `已发布，资源代码 ${result.code}` : '已退回编目部门修改')
      navigate('/catalog-review')
    } catch (e) {
      if (e instanceof ApiError) {
        const problem = e.details.find((d) => d.field === 'comment')
        if (problem) form.setFields([{ name: 'comment', errors: [problem.message] }])
      }
    } finally {
      setDeciding(null)
    }
  }

  const fieldRows = diffResource(published, pending)
  const itemRows = diffItems(published ? published.items : null, pending.items)
  const changedCount = fieldRows.filter((r) => r.changed).length + itemRows.filter((r) => r.change !== 'same').length

  return (
    <PageContainer
      title={`审核：${pending.name}`}
      description={
        <Space size={8} wrap>
          <span>{pending.providerName}</span>
          <StatusTag status={pending.status} label={pending.statusLabel} />
          <span>提交于 {formatDateTime(pending.submittedAt)}</span>
          {pending.status === 'pending_review' ? <WorkdayCountdown due={pending.reviewDueAt} /> : null}
        </Space>
      }
      extra={
        <Space>
          <Button onClick={() => navigate('/catalog-review')}>返回审核列表</Button>
          <Link to={`/catalog/${pending.id}`}>查看详情</Link>
        </Space>
      }
    >
      <OneSourceAlert warnings={pending.oneSourceWarnings} forReview />
      {published ? (
        <Alert
          type="info"
          showIcon
          style={{ marginBottom: 12 }}
          message={`变更审核：第 ${pending.version} 版（待审核）对比第 ${published.version} 版（已发布），共 ${changedCount} 处变化`}
          action={
            <Button size="small" onClick={() => setOnlyChanges((v) => !v)}>
              {onlyChanges ? '显示全部字段' : '只看变化'}
            </Button>
          }
          data-testid="diff-summary"
        />
      ) : (
        <Alert
          type="info"
          showIcon
          style={{ marginBottom: 12 }}
          message="首次提交的目录，没有已发布版本可对比，以下为提交的全部内容。"
          data-testid="diff-summary"
        />
      )}

      <Card size="small" title="资源信息" style={{ marginBottom: 12 }}>
        <Table<FieldRow>
          size="small"
          rowKey="label"
          pagination={false}
          dataSource={onlyChanges ? fieldRows.filter((r) => r.changed) : fieldRows}
          rowClassName={(r) => (r.changed ? 'diff-changed' : '')}
          data-testid="diff-fields"
          columns={[
            { title: '字段', dataIndex: 'label', width: 150 },
            ...(published ? [{ title: `已发布（第 ${published.version} 版）`, dataIndex: 'before', render: (v: string | null) => v ?? '—' }] : []),
            {
              title: published ? `待审核（第 ${pending.version} 版）` : `提交内容（第 ${pending.version} 版）`,
              dataIndex: 'after',
              render: (v: string, r: FieldRow) => (r.changed ? <span className="cell-changed">{v}</span> : v),
            },
          ]}
        />
      </Card>

      <Card size="small" title={`信息项（${pending.items.length}）`} style={{ marginBottom: 12 }}>
        <Table<ItemRow>
          size="small"
          rowKey="key"
          pagination={false}
          scroll={{ x: 900 }}
          dataSource={onlyChanges ? itemRows.filter((r) => r.change !== 'same') : itemRows}
          rowClassName={(r) => (r.change === 'same' ? '' : `diff-${r.change}`)}
          data-testid="diff-items"
          columns={[
            { title: '变化', key: 'change', width: 70, render: (_: unknown, r) => CHANGE_TAGS[r.change] ?? '—' },
            ...ITEM_DIFF_FIELDS.map(([label, get]) => ({
              title: label,
              key: label,
              render: (_: unknown, r: ItemRow) => {
                const item = r.after ?? r.before!
                const now = get(item)
                if (r.change === 'changed' && r.changedFields.includes(label)) {
                  return (
                    <span>
                      <span className="cell-text muted" style={{ textDecoration: 'line-through', marginInlineEnd: 6 }}>
                        {get(r.before!)}
                      </span>
                      <span className="cell-changed">{now}</span>
                    </span>
                  )
                }
                return <span className="cell-text">{now}</span>
              },
            })),
          ]}
        />
      </Card>

      {pending.status === 'pending_review' ? (
        <Card size="small" title="挂接数据样例" style={{ marginBottom: 12 }} data-testid="review-sample">
          <SampleData resourceId={pending.id} forReview />
        </Card>
      ) : null}

      {pending.actions.review ? (
        <Card size="small" title="审核意见" data-testid="review-form">
          <Form form={form} layout="vertical">
            <Form.Item name="comment" label="意见（退回修改时必填）">
              <Input.TextArea rows={3} maxLength={2000} showCount placeholder="如：共享依据应写明具体法规条款" data-testid="review-comment" />
            </Form.Item>
            <Space>
              <Button type="primary" loading={deciding === 'approve'} disabled={deciding !== null} onClick={() => decide('approve')} data-testid="approve">
                审核通过并发布
              </Button>
              <Button danger loading={deciding === 'return'} disabled={deciding !== null} onClick={() => decide('return')} data-testid="return">
                退回修改
              </Button>
            </Space>
          </Form>
        </Card>
      ) : (
        <Alert type="info" showIcon message="该目录当前不在待审核状态，无需审核。" />
      )}
    </PageContainer>
  )
}
