import { PlusOutlined } from '@ant-design/icons'
import { App, Button, Card, Form, Input, InputNumber, Modal, Popconfirm, Table } from 'antd'
import { useState } from 'react'
import { ApiError } from '../../api/client.ts'
import { type NewUpstreamHost, type UpstreamHost, addUpstreamHost, listUpstreamHosts, removeUpstreamHost } from '../../api/security.ts'
import { PageContainer } from '../../components/PageContainer.tsx'
import { LoadError } from '../../components/States.tsx'
import { useAsync } from '../../hooks/useAsync.ts'
import { formatDateTime } from '../../lib/dates.ts'
import { applyFieldErrors, formValid } from '../../lib/fieldErrors.ts'

const FIELDS = new Set(['host', 'port', 'note'])

/** 上游接口白名单 (SEC_ADMIN): the hosts departments may register as upstream APIs (SSRF protection). */
export default function UpstreamHostsPage() {
  const { message } = App.useApp()
  const { data, error, loading, reload } = useAsync(() => listUpstreamHosts(), [])
  const [adding, setAdding] = useState(false)
  const [saving, setSaving] = useState(false)
  const [form] = Form.useForm<NewUpstreamHost>()

  const add = async () => {
    if (!(await formValid(form))) return
    setSaving(true)
    try {
      const values = form.getFieldsValue()
      const added = await addUpstreamHost({ host: values.host ?? '', port: values.port ?? null, note: values.note ?? '' })
      message.success(`已允许 ${added.host}`)
      setAdding(false)
      form.resetFields()
      reload()
    } catch (e) {
      if (e instanceof ApiError) {
        // A duplicate comes back as 409 without details: show it on the host field.
        const details = e.details.length ? e.details : e.code === 'CONFLICT' ? [{ field: 'host', message: e.message }] : []
        applyFieldErrors(form, details, (p) => FIELDS.has(String(p[0])))
      }
    } finally {
      setSaving(false)
    }
  }

  const remove = async (entry: UpstreamHost) => {
    try {
      await removeUpstreamHost(entry.id)
      message.success(`已移除 ${entry.host}`)
      reload()
    } catch {
      // the client showed the message
    }
  }

  return (
    <PageContainer
      title="上游接口白名单"
      description="部门登记的上游接口地址必须在此清单内；本机、链路本地、云平台元数据和组播地址始终禁止，内网地址须以 IP 或网段列入。每次修改都记入审计日志。"
      extra={
        <Button type="primary" icon={<PlusOutlined />} onClick={() => setAdding(true)} data-testid="new-upstream-host">
          添加
        </Button>
      }
    >
      <Card size="small">
        {error ? (
          <LoadError error={error} onRetry={reload} />
        ) : (
          <Table<UpstreamHost>
            rowKey="id"
            size="small"
            loading={loading}
            dataSource={data?.items ?? []}
            pagination={false}
            locale={{ emptyText: <span className="muted">清单为空：任何上游接口都不能登记或调用</span> }}
            data-testid="upstream-hosts-table"
            columns={[
              { title: '主机、域名或网段', dataIndex: 'host', render: (v: string) => <span className="mono">{v}</span> },
              { title: '端口', dataIndex: 'port', width: 90, render: (v: number | null) => v ?? '任意' },
              { title: '说明', dataIndex: 'note' },
              { title: '添加人', dataIndex: 'createdByName', width: 110, render: (v: string | null) => v ?? '—' },
              { title: '添加时间', dataIndex: 'createdAt', width: 170, render: (v: string) => formatDateTime(v) },
              {
                title: '操作',
                width: 80,
                render: (_: unknown, entry) => (
                  <Popconfirm title="移除后，该主机上的上游接口将立即不能调用。确定移除？" okText="移除" cancelText="取消" onConfirm={() => remove(entry)}>
                    <Button type="link" danger size="small">
                      移除
                    </Button>
                  </Popconfirm>
                ),
              },
            ]}
          />
        )}
      </Card>
      <Modal title="添加允许的上游主机" open={adding} onCancel={() => setAdding(false)} onOk={add} okText="添加" confirmLoading={saving} destroyOnHidden>
        <Form form={form} layout="vertical" preserve={false}>
          <Form.Item
            name="host"
            label="主机、域名或网段"
            rules={[{ required: true, whitespace: true, message: '主机、域名或网段不能为空' }]}
            tooltip="主机名（api.wf.gov.cn）、通配域名（*.wf.gov.cn，仅匹配其下级域名）、IP 地址或网段（10.37.0.0/16）"
          >
            <Input placeholder="如：api.wf.gov.cn 或 10.37.0.0/16" className="mono" data-testid="upstream-host" />
          </Form.Item>
          <Form.Item name="port" label="端口（不填表示任意端口）">
            <InputNumber min={1} max={65535} precision={0} style={{ width: 160 }} />
          </Form.Item>
          <Form.Item name="note" label="说明" rules={[{ required: true, whitespace: true, message: '说明不能为空' }]}>
            <Input maxLength={200} placeholder="用途或依据，如：市市场监管局企业登记接口" />
          </Form.Item>
        </Form>
      </Modal>
    </PageContainer>
  )
}
