import { Alert, Button, Card, Form, Input, Modal, Popconfirm, Space, Table, Tag, Typography } from 'antd'
import { useState } from 'react'
import { type AppWithSecret, type GatewayApp, createApp, disableApp, listApps, rotateSecret } from '../../api/gateway.ts'
import { ApiError } from '../../api/client.ts'
import { PageContainer } from '../../components/PageContainer.tsx'
import { LoadError } from '../../components/States.tsx'
import { useAsync } from '../../hooks/useAsync.ts'
import { formatDateTime } from '../../lib/dates.ts'
import { applyFieldErrors } from '../../lib/fieldErrors.ts'

interface AppForm {
  name: string
  ipAllowList?: string
}

/** 调用应用: the department's app credentials; a secret is shown once, on creation or reset. */
export default function AppsPage() {
  const { data, error, loading, reload } = useAsync(() => listApps(), [])
  const [creating, setCreating] = useState(false)
  const [secret, setSecret] = useState<AppWithSecret | null>(null)
  const [form] = Form.useForm<AppForm>()
  const [saving, setSaving] = useState(false)
  const [formError, setFormError] = useState<string | null>(null)

  const create = async (values: AppForm) => {
    setSaving(true)
    setFormError(null)
    const ipAllowList = (values.ipAllowList ?? '')
      .split(/[\s,，]+/)
      .map((s) => s.trim())
      .filter(Boolean)
    try {
      const created = await createApp({ name: values.name, ipAllowList })
      setCreating(false)
      form.resetFields()
      setSecret(created)
      reload()
    } catch (e) {
      if (e instanceof ApiError) {
        // ipAllowList[2] → the one text area holding the list
        const details = e.details.map((d) => ({ ...d, field: d.field.replace(/^ipAllowList\[\d+\]$/, 'ipAllowList') }))
        const rest = applyFieldErrors(form, details, (path) => path[0] === 'name' || path[0] === 'ipAllowList')
        setFormError(rest.length > 0 || details.length === 0 ? e.message : null)
      }
    } finally {
      setSaving(false)
    }
  }

  const act = async (run: () => Promise<unknown>, showSecret = false) => {
    try {
      const result = await run()
      if (showSecret) setSecret(result as AppWithSecret)
      reload()
    } catch {
      // the client showed the message
    }
  }

  return (
    <PageContainer
      title="调用应用"
      description="本单位调用数据接口所用的应用凭证。应用以标识和密钥换取访问令牌，只能读取本单位已获授权的数据。"
      extra={
        <Button type="primary" onClick={() => setCreating(true)} data-testid="new-app">
          创建应用
        </Button>
      }
    >
      <Card size="small">
        {error ? (
          <LoadError error={error} onRetry={reload} />
        ) : (
          <Table<GatewayApp>
            rowKey="id"
            size="small"
            loading={loading}
            dataSource={data?.items ?? []}
            pagination={false}
            data-testid="app-list"
            locale={{ emptyText: <span className="muted">本单位还没有应用，点击“创建应用”</span> }}
            columns={[
              { title: '应用名称', dataIndex: 'name' },
              {
                title: '应用标识',
                dataIndex: 'appKey',
                render: (v: string) => (
                  <Typography.Text className="mono" copyable>
                    {v}
                  </Typography.Text>
                ),
              },
              {
                title: 'IP 白名单',
                dataIndex: 'ipAllowList',
                render: (list: string[]) => (list.length === 0 ? <span className="muted">不限</span> : list.join('，')),
              },
              { title: '状态', dataIndex: 'status', width: 90, render: (s: string) => (s === 'active' ? <Tag color="green">启用</Tag> : <Tag>已停用</Tag>) },
              { title: '创建时间', dataIndex: 'createdAt', width: 170, render: formatDateTime },
              {
                title: '操作',
                key: 'op',
                width: 190,
                render: (_: unknown, app) =>
                  app.status === 'active' ? (
                    <Space>
                      <Popconfirm
                        title="重置密钥后旧密钥立即失效，确定重置？"
                        okText="重置"
                        cancelText="取消"
                        onConfirm={() => act(() => rotateSecret(app.id), true)}
                      >
                        <Button size="small">重置密钥</Button>
                      </Popconfirm>
                      <Popconfirm
                        title="停用后该应用的访问令牌立即失效，确定停用？"
                        okText="停用"
                        okButtonProps={{ danger: true }}
                        cancelText="取消"
                        onConfirm={() => act(() => disableApp(app.id))}
                      >
                        <Button size="small" danger>
                          停用
                        </Button>
                      </Popconfirm>
                    </Space>
                  ) : (
                    <span className="muted">—</span>
                  ),
              },
            ]}
          />
        )}
      </Card>
      <Modal
        title="创建应用"
        open={creating}
        onCancel={() => setCreating(false)}
        onOk={() => form.submit()}
        okText="创建"
        confirmLoading={saving}
        destroyOnHidden
      >
        {formError ? <Alert type="error" showIcon style={{ marginBottom: 12 }} message={formError} /> : null}
        <Form<AppForm> form={form} layout="vertical" onFinish={create} preserve={false}>
          <Form.Item name="name" label="应用名称" rules={[{ required: true, whitespace: true, message: '请填写应用名称' }]}>
            <Input maxLength={50} placeholder="如：低保资格核对系统" data-testid="app-name" />
          </Form.Item>
          <Form.Item name="ipAllowList" label="IP 白名单" extra="每行一个 IPv4/IPv6 地址或 CIDR 网段；留空表示不限来源地址。">
            <Input.TextArea rows={3} placeholder={'10.37.1.0/24\n10.37.2.15'} />
          </Form.Item>
        </Form>
      </Modal>
      <SecretModal app={secret} onClose={() => setSecret(null)} />
    </PageContainer>
  )
}

/** The secret, shown this one time: the platform keeps only its hash. */
function SecretModal({ app, onClose }: { app: AppWithSecret | null; onClose: () => void }) {
  return (
    <Modal
      title="请立即保存应用密钥"
      open={!!app}
      onCancel={onClose}
      maskClosable={false}
      // Gone from the page once closed, not merely hidden.
      destroyOnHidden
      footer={
        <Button type="primary" onClick={onClose} data-testid="secret-saved">
          我已妥善保存
        </Button>
      }
    >
      {app ? (
        <div data-testid="app-secret">
          <Alert
            type="warning"
            showIcon
            style={{ marginBottom: 16 }}
            message="密钥只显示这一次"
            description="关闭本窗口后无法再次查看。如遗失，只能重置密钥（旧密钥随即失效）。请勿通过聊天工具或邮件明文传送。"
          />
          <Typography.Paragraph>
            应用名称：<strong>{app.name}</strong>
          </Typography.Paragraph>
          <Typography.Paragraph>
            应用标识（appKey）：
            <Typography.Text className="mono" copyable data-testid="app-key">
              {app.appKey}
            </Typography.Text>
          </Typography.Paragraph>
          <Typography.Paragraph>
            应用密钥（appSecret）：
            <Typography.Text className="mono" copyable data-testid="app-secret-value">
              {app.appSecret}
            </Typography.Text>
          </Typography.Paragraph>
        </div>
      ) : null}
    </Modal>
  )
}
