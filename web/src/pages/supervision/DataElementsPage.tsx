import { Button, Card, Form, Input, Modal, Select, Space, Table, Tabs, Tag } from 'antd'
import { useState } from 'react'
import { Link } from 'react-router-dom'
import { listOrgs } from '../../api/orgs.ts'
import { type DataElement, type ElementCase, createElement, decideElementCase, listElementCases, listElements } from '../../api/supervision.ts'
import { useAuth } from '../../auth/AuthProvider.tsx'
import { allowedByRole } from '../../auth/permissions.ts'
import { PageContainer } from '../../components/PageContainer.tsx'
import { LoadError } from '../../components/States.tsx'
import { useAsync } from '../../hooks/useAsync.ts'
import { formatDateTime } from '../../lib/dates.ts'
import { StepButton } from './StepButton.tsx'

const CASE_STATUS: Record<string, string> = { open: '待处理', request_instead: '已要求改为共享获取', exception: '已确认合理例外' }

/** 一数一源: the registry of data elements and their source departments, and the duplicate-collection worklist. */
export default function DataElementsPage() {
  const { user } = useAuth()
  const [tab, setTab] = useState('elements')
  const elements = useAsync(() => listElements(), [])
  const seesCases = allowedByRole(user!.roles, 'elements.case.list')
  const cases = useAsync(() => (seesCases && tab === 'cases' ? listElementCases({ pageSize: 100 }) : Promise.resolve(undefined)), [tab])
  const manage = allowedByRole(user!.roles, 'elements.element.manage')
  return (
    <PageContainer
      title="一数一源"
      description="每个数据元只有一个数源部门。其他部门编目时采集同一数据元会收到提示，应通过共享申请获取，不再重复采集。"
      extra={manage ? <NewElementButton done={elements.reload} /> : null}
    >
      <Card size="small">
        <Tabs
          activeKey={tab}
          onChange={setTab}
          items={[{ key: 'elements', label: '数据元' }, ...(seesCases ? [{ key: 'cases', label: '重复采集工作台' }] : [])]}
        />
        {tab === 'elements' ? (
          elements.error ? (
            <LoadError error={elements.error} onRetry={elements.reload} />
          ) : (
            <Table<DataElement>
              rowKey="id"
              size="small"
              loading={elements.loading}
              dataSource={elements.data?.items ?? []}
              data-testid="element-list"
              pagination={false}
              columns={[
                { title: '数据元', dataIndex: 'name', width: 180 },
                { title: '标准依据', dataIndex: 'standardRef', width: 160, render: (v: string | null) => v ?? '—' },
                { title: '别名', dataIndex: 'aliases', render: (a: string[]) => a.join('、') || '—' },
                { title: '数源部门', dataIndex: 'sourceOrgName', width: 220 },
                { title: '待处理重复采集', dataIndex: 'openCases', width: 130, render: (n: number) => (n > 0 ? <Tag color="orange">{n}</Tag> : '0') },
              ]}
            />
          )
        ) : cases.error ? (
          <LoadError error={cases.error} onRetry={cases.reload} />
        ) : (
          <Table<ElementCase>
            rowKey="id"
            size="small"
            loading={cases.loading}
            dataSource={cases.data?.items ?? []}
            data-testid="element-cases"
            locale={{ emptyText: <span className="muted">没有重复采集事项</span> }}
            columns={[
              { title: '数据元', dataIndex: 'elementName', width: 150 },
              { title: '数源部门', dataIndex: 'sourceOrgName', width: 190 },
              { title: '采集部门', dataIndex: 'orgName', width: 190 },
              {
                title: '目录 / 信息项',
                render: (_: unknown, c) => (
                  <span>
                    <Link to={`/catalog/${c.resourceId}`}>{c.resourceName ?? '（目录）'}</Link>：{c.itemName}
                  </span>
                ),
              },
              { title: '状态', dataIndex: 'status', width: 160, render: (s: string) => CASE_STATUS[s] ?? s },
              { title: '发现时间', dataIndex: 'createdAt', width: 160, render: formatDateTime },
              {
                title: '操作',
                width: 210,
                render: (_: unknown, c) =>
                  c.status === 'open' && allowedByRole(user!.roles, 'elements.case.decide') ? (
                    <Space>
                      <StepButton
                        label="改为共享获取"
                        title="要求改为共享获取"
                        explain={`通知${c.orgName}向${c.sourceOrgName}申请共享，不再自行采集「${c.itemName}」。`}
                        run={(note) => decideElementCase(c.id, { decision: 'request_instead', ...(note ? { note } : {}) })}
                        done={cases.reload}
                      />
                      <StepButton
                        label="合理例外"
                        required
                        noteLabel="理由"
                        title="确认为合理例外"
                        explain="确认该部门采集有法定依据或业务必需。"
                        run={(note) => decideElementCase(c.id, { decision: 'exception', note })}
                        done={cases.reload}
                      />
                    </Space>
                  ) : (
                    (c.note ?? '—')
                  ),
              },
            ]}
          />
        )}
      </Card>
    </PageContainer>
  )
}

function NewElementButton({ done }: { done: () => void }) {
  const [open, setOpen] = useState(false)
  const [form] = Form.useForm()
  const orgs = useAsync(() => (open ? listOrgs({}) : Promise.resolve(undefined)), [open])
  const submit = async () => {
    const values = await form.validateFields()
    await createElement({
      ...values,
      aliases: String(values.aliases ?? '')
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
        登记数据元
      </Button>
      <Modal title="登记数据元并指定数源部门" open={open} okText="确认登记" cancelText="取消" onOk={submit} onCancel={() => setOpen(false)} destroyOnHidden>
        <Form form={form} layout="vertical">
          <Form.Item name="name" label="数据元名称" rules={[{ required: true, message: '请填写名称' }]}>
            <Input maxLength={100} />
          </Form.Item>
          <Form.Item name="standardRef" label="标准依据">
            <Input placeholder="如 GB 11643-1999" />
          </Form.Item>
          <Form.Item name="aliases" label="别名（用顿号分隔）">
            <Input />
          </Form.Item>
          <Form.Item name="sourceOrgId" label="数源部门" rules={[{ required: true, message: '请选择数源部门' }]}>
            <Select
              showSearch
              optionFilterProp="label"
              options={(orgs.data?.items ?? []).filter((o) => o.kind !== 'region').map((o) => ({ value: o.id, label: o.name }))}
            />
          </Form.Item>
        </Form>
      </Modal>
    </>
  )
}
