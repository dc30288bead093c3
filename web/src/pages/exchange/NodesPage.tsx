import { PlusOutlined } from '@ant-design/icons'
import { Alert, App, Button, Card, Descriptions, Form, Input, InputNumber, Modal, Popconfirm, Space, Table, Typography } from 'antd'
import { useState } from 'react'
import { NODE_STATUS_LABELS } from '../../../../common/exchange.ts'
import { ApiError } from '../../api/client.ts'
import { type CreatedNode, type ExchangeNode, createNode, listNodes, reissueEnrolment, revokeNode } from '../../api/exchange.ts'
import { useAuth } from '../../auth/AuthProvider.tsx'
import { allowedByRole } from '../../auth/permissions.ts'
import { FilterSelect, withAny } from '../../components/ListControls.tsx'
import { PageContainer } from '../../components/PageContainer.tsx'
import { LoadError } from '../../components/States.tsx'
import { useAsync } from '../../hooks/useAsync.ts'
import { formatDateTime } from '../../lib/dates.ts'
import { applyFieldErrors, formValid } from '../../lib/fieldErrors.ts'
import { DepartmentFilter, NodeStatusTag, useSeesAllNodes } from './parts.tsx'

const FIELDS = new Set(['name', 'note', 'heartbeatSeconds'])

/**
 * 前置机: the department's front-end nodes with their status and last heartbeat; a DEPT_ADMIN or NODE_OPERATOR
 * registers one (the enrolment token is shown once) and revokes one. The authority sees every department's, read-only.
 */
export default function NodesPage() {
  const { user } = useAuth()
  const all = useSeesAllNodes()
  const [orgId, setOrgId] = useState('any')
  const [status, setStatus] = useState<ExchangeNode['status'] | 'any'>('any')
  const query = { ...(orgId !== 'any' ? { orgId } : {}), ...(status !== 'any' ? { status } : {}) }
  const { data, error, loading, reload } = useAsync(() => listNodes(query), [orgId, status])
  const [issued, setIssued] = useState<CreatedNode | null>(null)
  const canCreate = allowedByRole(user!.roles, 'exchange.node.create')

  return (
    <PageContainer
      title="前置机"
      description={
        all
          ? '全市各部门的前置机及其状态（只读）。前置机由部门自行登记、运行；连续三次未收到心跳即为离线，部门运维人员和管理员会收到站内消息。'
          : '本单位部署在部门网络内的前置机（govshare-node）。前置机主动连接平台，平台从不进入部门网络；连续三次未收到心跳即为离线，并通知本单位前置机运维和管理员。'
      }
      extra={
        canCreate ? (
          <NewNodeButton
            onCreated={(node) => {
              setIssued(node)
              reload()
            }}
          />
        ) : null
      }
    >
      {issued ? <EnrolmentToken node={issued} onClose={() => setIssued(null)} /> : null}
      <Card size="small">
        <Space wrap>
          <DepartmentFilter value={orgId} onChange={setOrgId} />
          <FilterSelect label="状态" value={status} options={withAny(NODE_STATUS_LABELS)} onChange={setStatus} width={140} testId="node-status-filter" />
        </Space>
        {error ? (
          <LoadError error={error} onRetry={reload} />
        ) : (
          <Table<ExchangeNode>
            rowKey="id"
            size="small"
            loading={loading}
            dataSource={data?.items ?? []}
            pagination={false}
            data-testid="node-list"
            locale={{ emptyText: <span className="muted">{canCreate ? '还没有前置机，点击右上角「登记前置机」' : '没有前置机'}</span> }}
            columns={[
              {
                title: '前置机',
                dataIndex: 'name',
                render: (name: string, node) => (
                  <span>
                    {name}
                    {node.note ? <div className="muted">{node.note}</div> : null}
                  </span>
                ),
              },
              ...(all ? [{ title: '部门', dataIndex: 'orgName', width: 200 }] : []),
              { title: '状态', dataIndex: 'status', width: 90, render: (s: ExchangeNode['status']) => <NodeStatusTag status={s} /> },
              { title: '最后心跳', dataIndex: 'heartbeatAt', width: 170, render: (v: string | null) => formatDateTime(v) },
              {
                title: '数据库连接',
                dataIndex: 'connections',
                render: (c: ExchangeNode['connections']) =>
                  c.length ? c.map((x) => `${x.name}（${x.kind === 'mariadb' ? 'MariaDB' : 'PostgreSQL'}）`).join('、') : '—',
              },
              { title: '问题', dataIndex: 'problem', render: (p: string | null) => p ?? '—' },
              { title: '登记时间', dataIndex: 'createdAt', width: 170, render: (v: string) => formatDateTime(v) },
              ...(all
                ? []
                : [{ title: '操作', width: 200, render: (_: unknown, node: ExchangeNode) => <NodeActions node={node} onIssued={setIssued} done={reload} /> }]),
            ]}
          />
        )}
      </Card>
    </PageContainer>
  )
}

function NodeActions({ node, onIssued, done }: { node: ExchangeNode; onIssued: (node: CreatedNode) => void; done: () => void }) {
  const { message } = App.useApp()
  if (!node.actions.manage) return <span className="muted">—</span>
  const reissue = async () => {
    try {
      onIssued(await reissueEnrolment(node.id))
      done()
    } catch {
      // the client showed the message
    }
  }
  const revoke = async () => {
    try {
      await revokeNode(node.id)
      message.success(`已注销前置机「${node.name}」`)
      done()
    } catch {
      // the client showed the message
    }
  }
  return (
    <Space size={0}>
      <Popconfirm title="重新签发后，该前置机原有凭据立即失效，须用新注册令牌重新注册。确定重新签发？" okText="重新签发" cancelText="取消" onConfirm={reissue}>
        <Button type="link" size="small">
          重新签发令牌
        </Button>
      </Popconfirm>
      <Popconfirm title="注销后该前置机的凭据和注册令牌立即失效，不能恢复；运行记录保留。确定注销？" okText="注销" cancelText="取消" onConfirm={revoke}>
        <Button type="link" size="small" danger>
          注销
        </Button>
      </Popconfirm>
    </Space>
  )
}

interface NodeForm {
  name: string
  note?: string
  heartbeatSeconds?: number
}

function NewNodeButton({ onCreated }: { onCreated: (node: CreatedNode) => void }) {
  const [open, setOpen] = useState(false)
  const [confirming, setConfirming] = useState(false)
  const [saving, setSaving] = useState(false)
  const [form] = Form.useForm<NodeForm>()

  const review = async () => {
    if (await formValid(form)) setConfirming(true)
  }
  const save = async () => {
    setSaving(true)
    try {
      const values = form.getFieldsValue()
      const node = await createNode({ name: values.name, note: values.note || null, heartbeatSeconds: values.heartbeatSeconds ?? 30 })
      setConfirming(false)
      setOpen(false)
      form.resetFields()
      onCreated(node)
    } catch (e) {
      setConfirming(false)
      if (e instanceof ApiError) {
        const details = e.details.length ? e.details : e.code === 'CONFLICT' ? [{ field: 'name', message: e.message }] : []
        applyFieldErrors(form, details, (p) => FIELDS.has(String(p[0])))
      }
    } finally {
      setSaving(false)
    }
  }

  return (
    <>
      <Button type="primary" icon={<PlusOutlined />} onClick={() => setOpen(true)} data-testid="new-node">
        登记前置机
      </Button>
      <Modal title="登记前置机" open={open} onCancel={() => setOpen(false)} onOk={review} okText="下一步" cancelText="取消" destroyOnHidden>
        <Form form={form} layout="vertical" preserve={false} initialValues={{ heartbeatSeconds: 30 }}>
          <Form.Item name="name" label="前置机名称" rules={[{ required: true, whitespace: true, message: '前置机名称不能为空' }]}>
            <Input maxLength={50} placeholder="如：市民政局前置机（政务外网区）" data-testid="node-name" />
          </Form.Item>
          <Form.Item name="note" label="备注">
            <Input maxLength={200} placeholder="所在网络区域、机房等" />
          </Form.Item>
          <Form.Item name="heartbeatSeconds" label="心跳间隔（秒）" tooltip="连续三次未收到心跳视为离线">
            <InputNumber min={1} max={3600} precision={0} style={{ width: 160 }} />
          </Form.Item>
        </Form>
      </Modal>
      <Modal
        title="确认登记前置机"
        open={confirming}
        onCancel={() => setConfirming(false)}
        onOk={save}
        okText="登记并签发注册令牌"
        cancelText="返回修改"
        confirmLoading={saving}
      >
        <p>
          将登记前置机「{form.getFieldValue('name')}」，并签发一次性注册令牌。令牌 <strong>24 小时内有效、只能使用一次、只显示这一次</strong>，
          持有令牌即可以本单位名义注册前置机，请只交给负责部署前置机的人员。
        </p>
      </Modal>
    </>
  )
}

/** The one-time token, shown once with its expiry and how to run the agent with it. */
function EnrolmentToken({ node, onClose }: { node: CreatedNode; onClose: () => void }) {
  const platform = `${window.location.origin}/api/v1`
  return (
    <Alert
      type="warning"
      showIcon
      closable
      onClose={onClose}
      style={{ marginBottom: 12 }}
      data-testid="enrolment-token"
      message={`前置机「${node.name}」的注册令牌（只显示这一次）`}
      description={
        <>
          <Descriptions size="small" column={1}>
            <Descriptions.Item label="注册令牌">
              <Typography.Text code copyable className="mono" data-testid="enrolment-token-value">
                {node.enrolmentToken}
              </Typography.Text>
            </Descriptions.Item>
            <Descriptions.Item label="有效期至">{formatDateTime(node.enrolExpiresAt)}（24 小时内、仅可使用一次）</Descriptions.Item>
          </Descriptions>
          <p style={{ margin: '8px 0 4px' }}>在前置机上写好配置文件（数据库连接只在配置文件中命名，平台只看到连接名），然后运行：</p>
          <pre className="mono" style={{ whiteSpace: 'pre-wrap', margin: 0 }}>
            {`# /etc/govshare-node.json\n{ "platform": "${platform}", "stateDir": "/var/lib/govshare-node",\n  "enrolmentToken": "${node.enrolmentToken}",\n  "connections": { "staging": { "kind": "postgres", "url": "postgres://exchange@127.0.0.1/staging" } } }\n\nnpm run govshare-node -- --config /etc/govshare-node.json`}
          </pre>
          <p className="muted" style={{ margin: '4px 0 0' }}>
            关闭本提示后令牌不再显示；遗失时可「重新签发令牌」，原凭据随之失效。
          </p>
        </>
      }
    />
  )
}
