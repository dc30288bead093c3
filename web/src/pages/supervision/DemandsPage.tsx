import { Button, Card, Form, Input, Modal, Select, Space, Table, Tabs, Tag } from 'antd'
import { useState } from 'react'
import { searchResources } from '../../api/catalog.ts'
import { saveDownload } from '../../api/client.ts'
import { listOrgs } from '../../api/orgs.ts'
import {
  type Demand,
  type NegativeEntry,
  createDemand,
  demandStep,
  demandSuggestions,
  exportDemandList,
  listDemands,
  negativeList,
} from '../../api/supervision.ts'
import { useAuth } from '../../auth/AuthProvider.tsx'
import { allowedByRole, allowedOn } from '../../auth/permissions.ts'
import { pageControls } from '../../components/ListControls.tsx'
import { PageContainer } from '../../components/PageContainer.tsx'
import { LoadError } from '../../components/States.tsx'
import { useAsync } from '../../hooks/useAsync.ts'
import { StepButton } from './StepButton.tsx'

type List = 'demand' | 'responsibility' | 'negative'

/** 供需对接: 需求清单, 责任清单 and 负面清单, with registration, triage and the provider's response. */
export default function DemandsPage() {
  const { user } = useAuth()
  const [list, setList] = useState<List>('demand')
  const [page, setPage] = useState(1)
  const demands = useAsync(() => (list === 'negative' ? Promise.resolve(undefined) : listDemands({ list, page, pageSize: 20 })), [list, page])
  const negative = useAsync(() => (list === 'negative' ? negativeList() : Promise.resolve(undefined)), [list])
  const download = async () => saveDownload(await exportDemandList(list), `${list}.xlsx`)
  return (
    <PageContainer
      title="供需对接"
      description="部门登记目录中没有的数据需求；主管部门 2 个工作日内分办；提供部门 10 个工作日内编目挂接，满足后自动为需求方发起共享申请。"
      extra={
        <Space>
          <Button onClick={download}>导出 Excel</Button>
          {allowedByRole(user!.roles, 'demands.demand.create') ? <NewDemandButton done={demands.reload} /> : null}
        </Space>
      }
    >
      <Card size="small">
        <Tabs
          activeKey={list}
          onChange={(key) => {
            setList(key as List)
            setPage(1)
          }}
          items={[
            { key: 'demand', label: '需求清单' },
            { key: 'responsibility', label: '责任清单' },
            { key: 'negative', label: '负面清单' },
          ]}
        />
        {list === 'negative' ? (
          negative.error ? (
            <LoadError error={negative.error} onRetry={negative.reload} />
          ) : (
            <Table<NegativeEntry>
              rowKey={(n) => `${n.resourceId}-${n.itemName ?? ''}`}
              size="small"
              loading={negative.loading}
              dataSource={negative.data?.items ?? []}
              data-testid="negative-list"
              columns={[
                { title: '提供部门', dataIndex: 'providerName', width: 200 },
                { title: '信息资源', dataIndex: 'resourceName' },
                { title: '不予共享的信息项', dataIndex: 'itemName', width: 200, render: (n: string | null) => n ?? '（整个目录）' },
                { title: '依据', dataIndex: 'basis' },
              ]}
            />
          )
        ) : demands.error ? (
          <LoadError error={demands.error} onRetry={demands.reload} />
        ) : (
          <Table<Demand>
            rowKey="id"
            size="small"
            loading={demands.loading}
            dataSource={demands.data?.items ?? []}
            data-testid="demand-list"
            pagination={pageControls(page, demands.data?.total, setPage, '项')}
            locale={{ emptyText: <span className="muted">没有数据需求</span> }}
            columns={[
              { title: '编号', dataIndex: 'no', width: 150 },
              { title: '需求数据', dataIndex: 'title' },
              { title: '需要的信息项', dataIndex: 'wantedItems', render: (items: string[]) => items.join('、') },
              { title: '需求部门', dataIndex: 'requesterOrgName', width: 170 },
              { title: '提供部门', dataIndex: 'providerName', width: 170, render: (n: string | null) => n ?? '—' },
              { title: '状态', dataIndex: 'statusLabel', width: 190, render: (label: string, d) => <Tag color={d.escalated ? 'red' : undefined}>{label}</Tag> },
              { title: '期限', dataIndex: 'dueDate', width: 110, render: (d: string | null) => d ?? '—' },
              { title: '操作', width: 230, render: (_: unknown, d) => <DemandActions demand={d} done={demands.reload} /> },
            ]}
            expandable={{
              expandedRowRender: (d) => (
                <div>
                  <p>需求说明：{d.description}</p>
                  <p>履职依据：{d.dutyBasis}</p>
                  {d.response ? <p>办理意见：{d.response}</p> : null}
                  {d.resourceName ? <p>满足需求的目录：{d.resourceName}</p> : null}
                </div>
              ),
            }}
          />
        )}
      </Card>
    </PageContainer>
  )
}

function DemandActions({ demand: d, done }: { demand: Demand; done: () => void }) {
  const { user } = useAuth()
  const may = (action: Parameters<typeof allowedOn>[1]) => allowedOn(user!, action, d)
  return (
    <Space wrap>
      {d.status === 'submitted' && may('demands.demand.triage') ? <TriageButton demand={d} done={done} /> : null}
      {d.status === 'assigned' && may('demands.demand.respond') ? (
        <>
          <StepButton
            label="接受"
            title={`接受需求 ${d.no}`}
            explain={`接受后列入本单位责任清单，须在 ${d.dueDate ?? ''} 前编目挂接。`}
            run={(note) => demandStep(d.id, 'response', { decision: 'accept', ...(note ? { comment: note } : {}) })}
            done={done}
          />
          <StepButton
            label="拒绝"
            danger
            required
            noteLabel="拒绝理由"
            title={`拒绝需求 ${d.no}`}
            explain="拒绝将开启协调案件，由双方协商，协商不成由主管部门协调。"
            run={(note) => demandStep(d.id, 'response', { decision: 'decline', comment: note })}
            done={done}
          />
        </>
      ) : null}
      {(d.status === 'accepted' || d.status === 'assigned') && may('demands.demand.fulfil') ? <FulfilButton demand={d} done={done} /> : null}
    </Space>
  )
}

function TriageButton({ demand: d, done }: { demand: Demand; done: () => void }) {
  const [open, setOpen] = useState(false)
  const [decision, setDecision] = useState<'assign' | 'match' | 'reject'>('assign')
  const [target, setTarget] = useState<string>()
  const [comment, setComment] = useState('')
  const orgs = useAsync(() => (open ? listOrgs({}) : Promise.resolve(undefined)), [open])
  const suggestions = useAsync(() => (open ? demandSuggestions(d.id) : Promise.resolve(undefined)), [open])
  const ok = async () => {
    await demandStep(d.id, 'triage', {
      decision,
      ...(decision === 'assign' ? { providerOrgId: target } : decision === 'match' ? { resourceId: target } : {}),
      ...(comment ? { comment } : {}),
    })
    setOpen(false)
    done()
  }
  return (
    <>
      <Button size="small" type="primary" onClick={() => setOpen(true)}>
        分办
      </Button>
      <Modal
        title={`分办需求：${d.title}`}
        open={open}
        okText="确认分办"
        cancelText="取消"
        onOk={ok}
        onCancel={() => setOpen(false)}
        okButtonProps={{ disabled: (decision !== 'reject' && !target) || (decision === 'reject' && !comment.trim()) }}
        destroyOnHidden
        width={640}
      >
        <Form layout="vertical">
          <Form.Item label="分办结果">
            <Select
              value={decision}
              onChange={(v) => {
                setDecision(v)
                setTarget(undefined)
              }}
              options={[
                { value: 'assign', label: '指派提供部门' },
                { value: 'match', label: '匹配现有目录（自动发起申请）' },
                { value: 'reject', label: '退回' },
              ]}
            />
          </Form.Item>
          {decision === 'assign' ? (
            <Form.Item label="提供部门">
              <Select
                showSearch
                optionFilterProp="label"
                value={target}
                onChange={setTarget}
                options={(orgs.data?.items ?? []).filter((o) => o.kind !== 'region' && o.id !== d.requesterOrgId).map((o) => ({ value: o.id, label: o.name }))}
              />
            </Form.Item>
          ) : null}
          {decision === 'match' ? (
            <Form.Item label="相似目录（按名称与信息项相似度排序）">
              <Select
                value={target}
                onChange={setTarget}
                data-testid="match-suggestions"
                options={(suggestions.data?.items ?? []).map((s) => ({
                  value: s.resourceId,
                  label: `${s.name}（${s.providerName}，相似度 ${Math.round(s.score * 100)}%）`,
                }))}
              />
            </Form.Item>
          ) : null}
          <Form.Item label={decision === 'reject' ? '退回理由（必填）' : '分办意见（选填）'}>
            <Input.TextArea aria-label="分办意见" rows={3} value={comment} onChange={(e) => setComment(e.target.value)} />
          </Form.Item>
        </Form>
      </Modal>
    </>
  )
}

function FulfilButton({ demand: d, done }: { demand: Demand; done: () => void }) {
  const [resourceId, setResourceId] = useState<string>()
  return (
    <StepButton
      label="已满足"
      title={`以已发布目录满足需求 ${d.no}`}
      explain="请选择本单位已编目、挂接并发布的目录；确认后自动为需求方发起共享申请。"
      run={(note) => demandStep(d.id, 'fulfilment', { resourceId, ...(note ? { comment: note } : {}) })}
      done={done}
    >
      <OwnPublished onChange={setResourceId} />
    </StepButton>
  )
}

function OwnPublished({ onChange }: { onChange: (id: string) => void }) {
  const entries = useAsync(() => searchResources({ mine: 'true', status: 'published', pageSize: 100 }), [])
  return (
    <div style={{ marginBottom: 12 }}>
      <div>目录</div>
      <Select
        style={{ width: '100%' }}
        aria-label="目录"
        onChange={onChange}
        options={(entries.data?.items ?? []).map((r) => ({ value: r.id, label: r.name }))}
      />
    </div>
  )
}

function NewDemandButton({ done }: { done: () => void }) {
  const [open, setOpen] = useState(false)
  const [form] = Form.useForm()
  const submit = async () => {
    const values = await form.validateFields()
    await createDemand({
      ...values,
      wantedItems: String(values.wantedItems)
        .split(/[\s,，、]+/)
        .filter(Boolean),
    })
    setOpen(false)
    form.resetFields()
    done()
  }
  return (
    <>
      <Button type="primary" onClick={() => setOpen(true)}>
        登记需求
      </Button>
      <Modal title="登记数据需求" open={open} okText="确认登记" cancelText="取消" onOk={submit} onCancel={() => setOpen(false)} destroyOnHidden width={640}>
        <Form form={form} layout="vertical" initialValues={{ purpose: '行政依据' }}>
          <Form.Item name="title" label="需要的数据" rules={[{ required: true, message: '请填写需要的数据' }]}>
            <Input maxLength={100} />
          </Form.Item>
          <Form.Item name="wantedItems" label="需要的信息项（用顿号或逗号分隔）" rules={[{ required: true, message: '请列出信息项' }]}>
            <Input />
          </Form.Item>
          <Form.Item name="description" label="需求说明" rules={[{ required: true, message: '请说明需求' }]}>
            <Input.TextArea rows={3} maxLength={2000} />
          </Form.Item>
          <Form.Item name="purpose" label="使用用途">
            <Select options={['行政依据', '工作参考', '数据校核', '业务协同', '其他'].map((v) => ({ value: v, label: v }))} />
          </Form.Item>
          <Form.Item name="dutyBasis" label="履职依据" rules={[{ required: true, message: '请填写履职依据' }]}>
            <Input.TextArea rows={2} maxLength={2000} />
          </Form.Item>
        </Form>
      </Modal>
    </>
  )
}
