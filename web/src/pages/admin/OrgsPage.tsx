import { PlusOutlined } from '@ant-design/icons'
import { App, Button, Card, Form, Input, Modal, Select, Space, Table, Tag } from 'antd'
import { useMemo, useState } from 'react'
import { CITY_REGION, COUNTIES, regionName } from '../../../../common/regions.ts'
import type { ORG_TYPES as ServerOrgTypes } from '../../../../server/src/modules/orgs/schemas.ts'
import { ApiError } from '../../api/client.ts'
import { ORG_KIND_LABELS, type NewOrg, type Org, createOrg, forgetOrganisations, listOrgs } from '../../api/orgs.ts'
import { PageContainer } from '../../components/PageContainer.tsx'
import { LoadError } from '../../components/States.tsx'
import { useAsync } from '../../hooks/useAsync.ts'
import { applyFieldErrors, formValid } from '../../lib/fieldErrors.ts'

// The server's list (type-checked to be the same, so the bundle need not carry zod for six words).
const ORG_TYPES = ['党委', '人大', '政府部门', '政协', '法院', '检察院', '事业单位', '其他'] as const satisfies typeof ServerOrgTypes
const REGIONS = [CITY_REGION, ...COUNTIES].map((r) => ({ value: r.code, label: `${r.name}（${r.code}）` }))
const ORG_FIELDS = new Set(['name', 'shortName', 'code', 'regionCode', 'parentId', 'kind', 'orgType'])

/** 单位管理 (SYS_ADMIN): the authority, departments and county/district tenants. */
export default function OrgsPage() {
  const { message } = App.useApp()
  const [query, setQuery] = useState<{ q?: string; kind?: Org['kind']; regionCode?: string }>({})
  const [page, setPage] = useState(1)
  const { data, error, loading, reload } = useAsync(() => listOrgs({ ...query, page, pageSize: 20 }), [query, page])
  const all = useAsync(() => listOrgs({ kind: 'region', pageSize: 200 }), [])
  const [creating, setCreating] = useState(false)
  const [saving, setSaving] = useState(false)
  const [form] = Form.useForm<NewOrg>()
  const byId = useMemo(() => new Map((all.data?.items ?? []).map((o) => [o.id, o.name])), [all.data])
  const kind = Form.useWatch('kind', form)

  const create = async () => {
    if (!(await formValid(form))) return
    setSaving(true)
    try {
      const values = form.getFieldsValue()
      await createOrg({ ...values, shortName: values.shortName || undefined, code: values.code?.trim() || undefined, parentId: values.parentId || undefined })
      message.success('单位已创建')
      setCreating(false)
      form.resetFields()
      forgetOrganisations()
      reload()
    } catch (e) {
      if (e instanceof ApiError) {
        // A taken name or code comes back as 409 without details: show it on the field it is about.
        const details = e.details.length
          ? e.details
          : e.code === 'CONFLICT'
            ? [{ field: e.message.includes('信用代码') ? 'code' : 'name', message: e.message }]
            : []
        applyFieldErrors(form, details, (p) => ORG_FIELDS.has(String(p[0])))
      }
    } finally {
      setSaving(false)
    }
  }

  return (
    <PageContainer
      title="单位管理"
      description="主管部门、市直部门和各区县（市）及其部门；部门须登记统一社会信用代码。"
      extra={
        <Button type="primary" icon={<PlusOutlined />} onClick={() => setCreating(true)} data-testid="new-org">
          新增单位
        </Button>
      }
    >
      <Card size="small">
        <Space style={{ marginBottom: 12 }} wrap>
          <Input.Search
            placeholder="按名称查找"
            allowClear
            style={{ width: 240 }}
            onSearch={(q) => (setQuery((s) => ({ ...s, q: q || undefined })), setPage(1))}
          />
          <Select
            placeholder="单位类型"
            allowClear
            style={{ width: 140 }}
            options={Object.entries(ORG_KIND_LABELS).map(([value, label]) => ({ value, label }))}
            onChange={(kind) => (setQuery((s) => ({ ...s, kind })), setPage(1))}
          />
          <Select
            placeholder="行政区划"
            allowClear
            style={{ width: 200 }}
            options={REGIONS}
            onChange={(regionCode) => (setQuery((s) => ({ ...s, regionCode })), setPage(1))}
          />
        </Space>
        {error ? (
          <LoadError error={error} onRetry={reload} />
        ) : (
          <Table<Org>
            rowKey="id"
            size="small"
            loading={loading}
            dataSource={data?.items ?? []}
            locale={{ emptyText: <span className="muted">没有符合条件的单位</span> }}
            pagination={{ current: page, pageSize: 20, total: data?.total ?? 0, showTotal: (t) => `共 ${t} 个单位`, onChange: setPage }}
            data-testid="orgs-table"
            columns={[
              { title: '单位名称', dataIndex: 'name' },
              { title: '简称', dataIndex: 'shortName', width: 170, render: (v: string | null) => v ?? '—' },
              { title: '统一社会信用代码', dataIndex: 'code', width: 200, render: (v: string | null) => <span className="mono">{v ?? '—'}</span> },
              { title: '行政区划', dataIndex: 'regionCode', width: 110, render: (c: string) => regionName(c) ?? c },
              { title: '类型', dataIndex: 'kind', width: 110, render: (k: Org['kind']) => <Tag>{ORG_KIND_LABELS[k]}</Tag> },
              { title: '上级单位', dataIndex: 'parentId', width: 120, render: (id: string | null) => (id ? (byId.get(id) ?? '—') : '—') },
              { title: '状态', dataIndex: 'status', width: 80, render: (s: string) => (s === 'active' ? <Tag color="green">启用</Tag> : <Tag>停用</Tag>) },
            ]}
          />
        )}
      </Card>
      <Modal
        title="新增单位"
        open={creating}
        onCancel={() => setCreating(false)}
        onOk={create}
        okText="创建"
        confirmLoading={saving}
        width={600}
        destroyOnHidden
      >
        <Form form={form} layout="vertical" initialValues={{ kind: 'department', regionCode: CITY_REGION.code, orgType: '政府部门' }} preserve={false}>
          <Form.Item name="name" label="单位名称" rules={[{ required: true, whitespace: true, message: '单位名称不能为空' }]}>
            <Input placeholder="如：潍坊市水利局" data-testid="org-name" />
          </Form.Item>
          <Form.Item name="shortName" label="简称">
            <Input placeholder="如：市水利局" />
          </Form.Item>
          <Space.Compact block>
            <Form.Item name="kind" label="单位类型" rules={[{ required: true, whitespace: true, message: '单位类型不能为空' }]} style={{ width: '50%' }}>
              <Select options={Object.entries(ORG_KIND_LABELS).map(([value, label]) => ({ value, label }))} />
            </Form.Item>
            <Form.Item name="orgType" label="机构类别" style={{ width: '50%', paddingInlineStart: 12 }}>
              <Select options={ORG_TYPES.map((t) => ({ value: t, label: t }))} />
            </Form.Item>
          </Space.Compact>
          <Form.Item
            name="code"
            label="统一社会信用代码"
            rules={[{ required: kind !== 'region', whitespace: true, message: '统一社会信用代码不能为空' }]}
            tooltip="18 位，部门、主管部门必填；校验位按 GB 32100 计算"
          >
            <Input maxLength={18} placeholder="如：11370700MB2839281X" className="mono" data-testid="org-code" />
          </Form.Item>
          <Form.Item name="regionCode" label="行政区划" rules={[{ required: true, whitespace: true, message: '行政区划不能为空' }]}>
            <Select options={REGIONS} showSearch optionFilterProp="label" />
          </Form.Item>
          <Form.Item name="parentId" label="上级单位（区县部门选择所属区县）">
            <Select allowClear showSearch optionFilterProp="label" options={(all.data?.items ?? []).map((o) => ({ value: o.id, label: o.name }))} />
          </Form.Item>
        </Form>
      </Modal>
    </PageContainer>
  )
}
