import { Alert, Button, Card, Checkbox, Form, Input, Modal, Select, Space, Table, Tabs, Tag } from 'antd'
import { useState } from 'react'
import { listGrants } from '../../api/sharing.ts'
import { type Objection, listObjections, objectionStep, raiseObjection } from '../../api/supervision.ts'
import { useAuth } from '../../auth/AuthProvider.tsx'
import { allowedByRole, allowedOn } from '../../auth/permissions.ts'
import { pageControls } from '../../components/ListControls.tsx'
import { PageContainer } from '../../components/PageContainer.tsx'
import { LoadError } from '../../components/States.tsx'
import { useAsync } from '../../hooks/useAsync.ts'
import { formatDateTime } from '../../lib/dates.ts'
import { StepButton } from './StepButton.tsx'

const R11 = '有异议的记录仍在核实期间，群众或企业持有效证明材料的，窗口人员应当照常办理，不得拒绝、拖延或要求其自行更正数据（R-11）。'
const TYPES = { error: '数据错误', missing: '数据缺失', inconsistent: '数据不一致', outdated: '过期/未更新', format: '格式不规范', other: '其他' }

/** 数据异议: raise on data received, the authority accepts, the provider verifies and corrects at the source or explains. */
export default function ObjectionsPage() {
  const { user } = useAuth()
  const [box, setBox] = useState('all')
  const [page, setPage] = useState(1)
  const { data, error, loading, reload } = useAsync(() => listObjections({ box, page, pageSize: 20 }), [box, page])
  const canRaise = allowedByRole(user!.roles, 'objections.objection.create')
  return (
    <PageContainer
      title="数据异议"
      description="对获得的数据提出异议（纠错）：主管部门 2 个工作日内受理，提供部门 5 个工作日内核实，在源头更正后标注自动撤销。"
      extra={canRaise ? <RaiseButton done={reload} /> : null}
    >
      <Alert type="info" showIcon style={{ marginBottom: 12 }} message="办理规则" description={R11} data-testid="r11-rule" />
      <Card size="small">
        <Tabs
          activeKey={box}
          onChange={(key) => {
            setBox(key)
            setPage(1)
          }}
          items={[
            { key: 'all', label: '全部' },
            { key: 'raised', label: '本单位提出' },
            { key: 'received', label: '本单位数据收到' },
          ]}
        />
        {error ? (
          <LoadError error={error} onRetry={reload} />
        ) : (
          <Table<Objection>
            rowKey="id"
            size="small"
            loading={loading}
            dataSource={data?.items ?? []}
            data-testid="objection-list"
            pagination={pageControls(page, data?.total, setPage, '件')}
            locale={{ emptyText: <span className="muted">没有数据异议</span> }}
            columns={[
              { title: '编号', dataIndex: 'no', width: 150 },
              {
                title: '资源',
                dataIndex: 'resourceName',
                render: (name: string, o) => (
                  <span>
                    {name}
                    {o.flagged ? (
                      <Tag color="orange" style={{ marginInlineStart: 6 }}>
                        有异议
                      </Tag>
                    ) : null}
                  </span>
                ),
              },
              { title: '信息项 / 记录', render: (_: unknown, o) => `${o.itemNames.join('、')}：${o.recordKeys.join('、')}` },
              { title: '类型', dataIndex: 'typeLabel', width: 100 },
              { title: '提出部门', dataIndex: 'raiserOrgName', width: 170 },
              { title: '提供部门', dataIndex: 'providerName', width: 170 },
              { title: '状态', dataIndex: 'statusLabel', width: 170, render: (label: string, o) => <Tag color={o.escalated ? 'red' : undefined}>{label}</Tag> },
              { title: '期限', dataIndex: 'dueDate', width: 110, render: (d: string | null) => d ?? '—' },
              { title: '提出时间', dataIndex: 'createdAt', width: 160, render: formatDateTime },
              { title: '操作', width: 220, render: (_: unknown, o) => <ObjectionActions objection={o} done={reload} /> },
            ]}
            expandable={{
              expandedRowRender: (o) => (
                <div>
                  <p>异议说明：{o.description}</p>
                  {o.response ? <p>处理意见：{o.response}</p> : null}
                </div>
              ),
            }}
          />
        )}
      </Card>
    </PageContainer>
  )
}

function ObjectionActions({ objection: o, done }: { objection: Objection; done: () => void }) {
  const { user } = useAuth()
  const may = (action: Parameters<typeof allowedOn>[1]) => allowedOn(user!, action, o)
  return (
    <Space wrap>
      {o.status === 'raised' && may('objections.objection.accept') ? (
        <>
          <StepButton
            label="受理"
            title={`受理异议 ${o.no}`}
            explain="受理后该记录标注「有异议」，提供部门须在 5 个工作日内核实。"
            run={(note) => objectionStep(o.id, 'acceptance', { decision: 'accept', ...(note ? { comment: note } : {}) })}
            done={done}
          />
          <StepButton
            label="驳回"
            danger
            required
            noteLabel="驳回理由"
            title={`驳回异议 ${o.no}`}
            explain="驳回后提出部门会收到通知。"
            run={(note) => objectionStep(o.id, 'acceptance', { decision: 'dismiss', comment: note })}
            done={done}
          />
        </>
      ) : null}
      {o.status === 'verifying' && may('objections.objection.verify') ? (
        <>
          <StepButton
            label="确认有误"
            required
            noteLabel="核实情况"
            title="确认数据有误"
            explain="请在源头系统更正后重新挂接数据；新批次生效后「有异议」标注自动撤销，提出部门会收到通知。"
            run={(note) => objectionStep(o.id, 'verification', { outcome: 'confirm', comment: note })}
            done={done}
          />
          <StepButton
            label="说明无误"
            required
            noteLabel="说明"
            title="说明数据无误"
            explain="标注将撤销；提出部门如不认可，可提请协调。"
            run={(note) => objectionStep(o.id, 'verification', { outcome: 'explain', comment: note })}
            done={done}
          />
        </>
      ) : null}
      {o.status === 'correcting' && may('objections.objection.verify') ? (
        <StepButton
          label="已更正"
          required
          noteLabel="更正说明"
          title="报告已在源头更正"
          explain="库表挂接的资源须已上传更正后的新批次。"
          run={(note) => objectionStep(o.id, 'corrected', { comment: note })}
          done={done}
        />
      ) : null}
      {o.status === 'explained' && may('objections.objection.dispute') ? (
        <StepButton
          label="提请协调"
          required
          noteLabel="协调事由"
          title="对说明有异议，提请协调"
          explain="将开启协调案件，双方先行协商，协商不成由主管部门协调。"
          run={(note) => objectionStep(o.id, 'dispute', { comment: note })}
          done={done}
        />
      ) : null}
    </Space>
  )
}

function RaiseButton({ done }: { done: () => void }) {
  const [open, setOpen] = useState(false)
  const [form] = Form.useForm()
  const [busy, setBusy] = useState(false)
  const grants = useAsync(() => (open ? listGrants({ box: 'mine', pageSize: 100 }) : Promise.resolve(undefined)), [open])
  const resourceId = Form.useWatch('resourceId', form)
  const grant = grants.data?.items.find((g) => g.resourceId === resourceId)
  const submit = async () => {
    const values = await form.validateFields()
    setBusy(true)
    try {
      await raiseObjection({
        ...values,
        recordKeys: String(values.recordKeys)
          .split(/[\s,，、]+/)
          .filter(Boolean),
      })
      setOpen(false)
      form.resetFields()
      done()
    } finally {
      setBusy(false)
    }
  }
  return (
    <>
      <Button type="primary" onClick={() => setOpen(true)}>
        提出异议
      </Button>
      <Modal
        title="提出数据异议"
        open={open}
        okText="确认提交"
        cancelText="取消"
        onOk={submit}
        confirmLoading={busy}
        onCancel={() => setOpen(false)}
        destroyOnHidden
        width={640}
      >
        <Form form={form} layout="vertical" initialValues={{ type: 'error' }}>
          <Form.Item name="resourceId" label="获得的数据（授权）" rules={[{ required: true, message: '请选择资源' }]}>
            <Select options={(grants.data?.items ?? []).map((g) => ({ value: g.resourceId, label: `${g.resourceName}（${g.providerName}）` }))} />
          </Form.Item>
          <Form.Item name="itemIds" label="有异议的信息项" rules={[{ required: true, message: '请选择信息项' }]}>
            <Checkbox.Group options={(grant?.items ?? []).map((item) => ({ value: item.id, label: item.name }))} />
          </Form.Item>
          <Form.Item name="recordKeys" label="记录主键值（多个用逗号分隔）" rules={[{ required: true, message: '请填写记录主键值' }]}>
            <Input />
          </Form.Item>
          <Form.Item name="type" label="异议类型">
            <Select options={Object.entries(TYPES).map(([value, label]) => ({ value, label }))} />
          </Form.Item>
          <Form.Item name="description" label="异议说明" rules={[{ required: true, message: '请说明异议' }]}>
            <Input.TextArea rows={3} maxLength={2000} />
          </Form.Item>
        </Form>
      </Modal>
    </>
  )
}
