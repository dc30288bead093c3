import { Alert, Button, Card, DatePicker, Form, Input, Radio, Result, Select, Space, Table, Tooltip } from 'antd'
import type { Dayjs } from 'dayjs'
import { useState } from 'react'
import { Link, useNavigate, useSearchParams } from 'react-router-dom'
import { type Item, getResource } from '../../api/catalog.ts'
import { ApiError } from '../../api/client.ts'
import { listApps } from '../../api/gateway.ts'
import { type NewShareRequest, createShareRequest, openCase } from '../../api/sharing.ts'
import { PageContainer } from '../../components/PageContainer.tsx'
import { EmptyState, LoadError, Loading } from '../../components/States.tsx'
import { ShareTypeTag } from '../../components/Tags.tsx'
import { useAsync } from '../../hooks/useAsync.ts'
import { beijing, dayjs } from '../../lib/dates.ts'
import { applyFieldErrors } from '../../lib/fieldErrors.ts'
import { PURPOSES, SCENARIOS, SHARE_MODE_LABELS } from './labels.tsx'

interface ApplyForm {
  itemIds: string[]
  purpose: NewShareRequest['purpose']
  purposeDetail?: string
  dutyBasis: string
  scenario?: NewShareRequest['scenario']
  mode: NewShareRequest['mode']
  appIds?: string[]
  validUntil: Dayjs
}

const FIELDS = ['itemIds', 'purpose', 'purposeDetail', 'dutyBasis', 'scenario', 'mode', 'appIds', 'validUntil']

/** 共享申请: opened from a catalog entry's 申请 button; 不予共享 items are shown but cannot be ticked. */
export default function ApplyPage() {
  const [params] = useSearchParams()
  const resourceId = params.get('resourceId') ?? ''
  const navigate = useNavigate()
  const { data: r, error, loading, reload } = useAsync(() => (resourceId ? getResource(resourceId) : Promise.resolve(undefined)), [resourceId])
  // SPEC §7.6: an 接口 grant is for the apps the request names; only the department's apps in service can be named.
  const apps = useAsync(() => listApps().then((list) => list.items.filter((a) => a.status === 'active')), [])
  const [form] = Form.useForm<ApplyForm>()
  const [saving, setSaving] = useState(false)
  const [unmatched, setUnmatched] = useState<string[]>([])
  const [statement, setStatement] = useState('')

  if (!resourceId) {
    return (
      <PageContainer title="共享申请">
        <Card>
          <EmptyState description="请先在资源目录中找到需要的资源，在资源详情页点击“申请”。">
            <Button type="primary" onClick={() => navigate('/catalog')}>
              去检索资源目录
            </Button>
          </EmptyState>
        </Card>
      </PageContainer>
    )
  }
  if (error) return <LoadError error={error} onRetry={reload} />
  if (loading || !r) return <Loading />

  if (r.shareType === 3) {
    return (
      <PageContainer title={`申请协调：${r.name}`} description={`${r.providerName} · 不予共享`}>
        <Card>
          <Result
            status="warning"
            title="该资源为不予共享，不能直接申请"
            subTitle={`不予共享依据：${r.shareBasis ?? r.shareCondition ?? '未填写'}。如确因履行职责需要使用，可说明理由提请协调，由双方协商，协商不成由主管部门协调决定。`}
            extra={
              <Space direction="vertical" style={{ width: 560, maxWidth: '100%' }}>
                <Input.TextArea
                  rows={4}
                  value={statement}
                  onChange={(e) => setStatement(e.target.value)}
                  placeholder="履职需要与协调事由，如：依据《社会救助暂行办法》核对申请人家庭经济状况"
                  maxLength={2000}
                />
                <Button
                  type="primary"
                  disabled={!statement.trim()}
                  loading={saving}
                  onClick={async () => {
                    setSaving(true)
                    try {
                      const c = await openCase({ resourceId: r.id, statement: statement.trim() })
                      navigate(`/coordination/${c.id}`)
                    } catch {
                      setSaving(false)
                    }
                  }}
                >
                  提请协调
                </Button>
              </Space>
            }
          />
        </Card>
      </PageContainer>
    )
  }

  const shareable = r.items.filter((i) => i.shareType !== 3)
  const submit = async (values: ApplyForm) => {
    setSaving(true)
    setUnmatched([])
    try {
      const created = await createShareRequest({ ...values, resourceId: r.id, validUntil: values.validUntil.format('YYYY-MM-DD') })
      navigate(`/share-requests/${created.id}`)
    } catch (e) {
      if (e instanceof ApiError) {
        const rest = e.details.length > 0 ? applyFieldErrors(form, e.details, (path) => FIELDS.includes(String(path[0]))) : [{ field: '', message: e.message }]
        setUnmatched(rest.map((d) => d.message))
      }
    } finally {
      setSaving(false)
    }
  }

  return (
    <PageContainer
      title={`共享申请：${r.name}`}
      description={
        <Space size={8} wrap>
          <span>提供部门：{r.providerName}</span>
          <ShareTypeTag value={r.shareType} />
          <span>{r.shareType === 1 ? '无条件共享：提交后立即授权' : '有条件共享：提供部门在 10 个工作日内答复'}</span>
        </Space>
      }
      extra={<Button onClick={() => navigate(-1)}>返回</Button>}
    >
      {unmatched.length > 0 ? (
        <Alert type="error" showIcon style={{ marginBottom: 12 }} message="申请未提交" description={unmatched.join('；')} data-testid="apply-error" />
      ) : null}
      <Form<ApplyForm>
        form={form}
        layout="vertical"
        onFinish={submit}
        initialValues={{
          itemIds: shareable.map((i) => i.id),
          purpose: '行政依据',
          mode: r.shareModes.includes('api') ? 'api' : (r.shareModes[0] ?? 'api'),
          validUntil: beijing().add(1, 'year'),
        }}
        data-testid="apply-form"
      >
        <Card size="small" title="申请的信息项" style={{ marginBottom: 16 }}>
          <Form.Item
            name="itemIds"
            valuePropName="selectedRowKeys"
            trigger="onSelect"
            rules={[{ required: true, type: 'array', min: 1, message: '至少选择一个信息项' }]}
          >
            <ItemPicker items={r.items} />
          </Form.Item>
        </Card>
        <Card size="small" title="用途与依据">
          <Space size={24} wrap align="start">
            <Form.Item name="purpose" label="使用用途" rules={[{ required: true, message: '请选择使用用途' }]}>
              <Select style={{ width: 200 }} options={PURPOSES.map((p) => ({ value: p, label: p }))} />
            </Form.Item>
            <Form.Item name="scenario" label="应用场景">
              <Select allowClear style={{ width: 200 }} placeholder="请选择" options={SCENARIOS.map((p) => ({ value: p, label: p }))} />
            </Form.Item>
            <Form.Item name="mode" label="共享方式" rules={[{ required: true, message: '请选择共享方式' }]}>
              <Radio.Group
                options={(['api', 'table', 'file'] as const).map((m) => ({ value: m, label: SHARE_MODE_LABELS[m], disabled: !r.shareModes.includes(m) }))}
              />
            </Form.Item>
            <Form.Item noStyle dependencies={['mode']}>
              {({ getFieldValue }) =>
                getFieldValue('mode') === 'api' ? (
                  <Form.Item
                    name="appIds"
                    label="使用数据的应用"
                    rules={[{ required: true, type: 'array', min: 1, message: '请选择使用数据的本单位应用' }]}
                    extra={apps.data && apps.data.length === 0 ? <Link to="/apps">本单位还没有调用应用，请先创建</Link> : '授权只对所选应用有效'}
                  >
                    <Select
                      mode="multiple"
                      style={{ width: 280 }}
                      placeholder="请选择本单位应用"
                      loading={apps.loading}
                      options={(apps.data ?? []).map((a) => ({ value: a.id, label: a.name }))}
                      data-testid="apply-apps"
                    />
                  </Form.Item>
                ) : null
              }
            </Form.Item>
            <Form.Item name="validUntil" label="申请有效期至" rules={[{ required: true, message: '请选择有效期' }]}>
              <DatePicker allowClear={false} style={{ width: 180 }} disabledDate={(d) => d.isBefore(dayjs(), 'day')} format="YYYY年M月D日" />
            </Form.Item>
          </Space>
          <Form.Item name="purposeDetail" label="用途说明" extra="用途为“其他”时必填。">
            <Input.TextArea rows={2} maxLength={2000} placeholder="具体用于办理哪项业务" />
          </Form.Item>
          <Form.Item
            name="dutyBasis"
            label="履职依据"
            rules={[{ required: true, whitespace: true, message: '请填写履职依据' }]}
            extra="关联的权责事项或政务服务事项，以及法律法规依据。"
          >
            <Input.TextArea rows={3} maxLength={2000} placeholder="如：《社会救助暂行办法》第十一条，最低生活保障家庭经济状况核对" />
          </Form.Item>
          <Button type="primary" htmlType="submit" loading={saving} data-testid="apply-submit">
            提交申请
          </Button>
        </Card>
      </Form>
    </PageContainer>
  )
}

/** The entry's items with check boxes; 不予共享 items are greyed out with the reason in a tooltip. */
function ItemPicker({ items, selectedRowKeys, onSelect }: { items: Item[]; selectedRowKeys?: string[]; onSelect?: (keys: string[]) => void }) {
  return (
    <Table<Item>
      rowKey="id"
      size="small"
      dataSource={items}
      pagination={false}
      data-testid="item-picker"
      rowClassName={(item) => (item.shareType === 3 ? 'row-disabled' : '')}
      rowSelection={{
        selectedRowKeys,
        onChange: (keys) => onSelect?.(keys as string[]),
        getCheckboxProps: (item) => ({ disabled: item.shareType === 3 }),
        renderCell: (_checked, item, _index, node) =>
          item.shareType === 3 ? (
            <Tooltip title={`不予共享，不能申请。依据：${item.shareCondition ?? '目录未说明'}`}>
              <span data-testid="item-not-shareable">{node}</span>
            </Tooltip>
          ) : (
            node
          ),
      }}
      columns={[
        {
          title: '信息项',
          dataIndex: 'name',
          render: (name: string, item) =>
            item.shareType === 3 ? (
              <Tooltip title={`不予共享，不能申请。依据：${item.shareCondition ?? '目录未说明'}`}>
                <span className="muted">{name}</span>
              </Tooltip>
            ) : (
              name
            ),
        },
        { title: '英文名', dataIndex: 'nameEn', width: 180, render: (v: string | null) => <span className="mono">{v ?? '—'}</span> },
        { title: '共享类型', dataIndex: 'shareType', width: 120, render: (v: number) => <ShareTypeTag value={v} /> },
        { title: '共享条件', dataIndex: 'shareCondition', render: (v: string | null) => v ?? '—' },
      ]}
    />
  )
}
