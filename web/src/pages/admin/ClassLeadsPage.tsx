import { App, Button, Card, Form, Modal, Select, Table } from 'antd'
import { useMemo, useState } from 'react'
import { ApiError } from '../../api/client.ts'
import { type ClassNode, getClassTree, setClassLead } from '../../api/catalog.ts'
import { allOrganisations } from '../../api/orgs.ts'
import { PageContainer } from '../../components/PageContainer.tsx'
import { LoadError } from '../../components/States.tsx'
import { useAsync } from '../../hooks/useAsync.ts'
import { applyFieldErrors } from '../../lib/fieldErrors.ts'

interface Row {
  code: string
  name: string
  leadOrgId: string | null
  children?: Row[]
}

// Empty children would draw an expand arrow on every leaf.
const toRows = (nodes: ClassNode[]): Row[] =>
  nodes.map((n) => ({ code: n.code, name: n.name, leadOrgId: n.leadOrgId, children: n.children.length > 0 ? toRows(n.children) : undefined }))

/**
 * 分类牵头部门 (AUTH_ADMIN): which department leads each class node. A department catalogs its own entries
 * under the 部门 node it leads, and only a library's lead catalogs under a 基础/主题 node.
 */
export default function ClassLeadsPage() {
  const { message, modal } = App.useApp()
  const tree = useAsync(() => getClassTree(), [])
  const orgs = useAsync(() => allOrganisations(), [])
  const [editing, setEditing] = useState<Row | null>(null)
  const [saving, setSaving] = useState(false)
  const [form] = Form.useForm<{ leadOrgId?: string }>()
  const orgName = useMemo(() => new Map((orgs.data ?? []).map((o) => [o.id, o.name])), [orgs.data])
  const rows = useMemo(() => toRows(tree.data ?? []), [tree.data])

  const save = async (node: Row, leadOrgId: string | null) => {
    setSaving(true)
    try {
      await setClassLead(node.code, leadOrgId)
      message.success(leadOrgId ? `「${node.name}」的牵头部门已设为 ${orgName.get(leadOrgId) ?? ''}` : `已清除「${node.name}」的牵头部门`)
      setEditing(null)
      tree.reload()
    } catch (e) {
      if (e instanceof ApiError) applyFieldErrors(form, e.details, (p) => p[0] === 'leadOrgId')
    } finally {
      setSaving(false)
    }
  }

  // Replacing a lead moves who may catalog under the node: ask first.
  const confirmSave = () => {
    if (!editing) return
    const leadOrgId = form.getFieldValue('leadOrgId') ?? null
    if (leadOrgId === editing.leadOrgId) return setEditing(null)
    const before = editing.leadOrgId ? orgName.get(editing.leadOrgId) : null
    const after = leadOrgId ? orgName.get(leadOrgId) : null
    modal.confirm({
      title: before ? '更换牵头部门' : '设置牵头部门',
      content: `「${editing.name}」的牵头部门将${before ? `由 ${before} ` : ''}${after ? `改为 ${after}` : '清除（由上级分类的牵头部门负责）'}。此后只有牵头部门能在该分类下编目。确定吗？`,
      okText: '确定',
      cancelText: '取消',
      onOk: () => save(editing, leadOrgId),
    })
  }

  const error = tree.error ?? orgs.error
  return (
    <PageContainer
      title="分类牵头部门"
      description="设置各分类节点的牵头部门：部门信息资源在本部门牵头的分类下编目，基础库、主题库只能由其牵头部门编目。每次修改都记入审计日志。"
    >
      <Card size="small">
        {error ? (
          <LoadError
            error={error}
            onRetry={() => {
              tree.reload()
              orgs.reload()
            }}
          />
        ) : (
          <Table<Row>
            rowKey="code"
            size="small"
            loading={tree.loading || orgs.loading}
            dataSource={rows}
            pagination={false}
            expandable={{ defaultExpandedRowKeys: ['1', '2', '3'] }}
            data-testid="class-leads-table"
            columns={[
              { title: '分类', dataIndex: 'name' },
              { title: '分类码', dataIndex: 'code', width: 120, render: (v: string) => <span className="mono">{v}</span> },
              {
                title: '牵头部门',
                dataIndex: 'leadOrgId',
                render: (v: string | null) => (v ? (orgName.get(v) ?? '（未知单位）') : <span className="muted">未设置</span>),
              },
              {
                title: '操作',
                width: 120,
                render: (_: unknown, row) => (
                  <Button
                    type="link"
                    size="small"
                    // The visible words first, then the node (axe-core: the name contains the label).
                    aria-label={`设置牵头部门：${row.name}`}
                    onClick={() => {
                      form.setFieldsValue({ leadOrgId: row.leadOrgId ?? undefined })
                      setEditing(row)
                    }}
                  >
                    设置牵头部门
                  </Button>
                ),
              },
            ]}
          />
        )}
      </Card>
      <Modal
        title={editing ? `设置「${editing.name}」的牵头部门` : ''}
        open={!!editing}
        onCancel={() => setEditing(null)}
        onOk={confirmSave}
        okText="保存"
        confirmLoading={saving}
        destroyOnHidden
      >
        <Form form={form} layout="vertical" preserve={false}>
          <Form.Item name="leadOrgId" label="牵头部门" extra="清空表示不设牵头部门，由上级分类的牵头部门负责">
            <Select
              allowClear
              showSearch
              optionFilterProp="label"
              placeholder="选择单位"
              options={(orgs.data ?? []).map((o) => ({ value: o.id, label: o.name }))}
              data-testid="class-lead-select"
            />
          </Form.Item>
        </Form>
      </Modal>
    </PageContainer>
  )
}
