import { PlusOutlined } from '@ant-design/icons'
import { App, Button, Card, Form, Input, Modal, Popconfirm, Select, Table, Tag } from 'antd'
import { useState } from 'react'
import { type Synonym, listSynonyms, removeSynonym, saveSynonym } from '../../api/catalog.ts'
import { ApiError } from '../../api/client.ts'
import { PageContainer } from '../../components/PageContainer.tsx'
import { LoadError } from '../../components/States.tsx'
import { useAsync } from '../../hooks/useAsync.ts'
import { formatDateTime } from '../../lib/dates.ts'
import { applyFieldErrors } from '../../lib/fieldErrors.ts'

interface SynonymForm {
  term: string
  expansions: string[]
}
const FIELDS = new Set(['term', 'expansions'])

/** 检索同义词 (AUTH_ADMIN): the abbreviations catalog search widens to their full terms (社保 → 社会保险). */
export default function SynonymsPage() {
  const { message } = App.useApp()
  const { data, error, loading, reload } = useAsync(() => listSynonyms(), [])
  const [editing, setEditing] = useState<Synonym | 'new' | null>(null)
  const [saving, setSaving] = useState(false)
  const [form] = Form.useForm<SynonymForm>()

  const open = (entry: Synonym | 'new') => {
    setEditing(entry)
    form.setFieldsValue(entry === 'new' ? { term: '', expansions: [] } : { term: entry.term, expansions: entry.expansions })
  }

  const save = async () => {
    let values: SynonymForm
    try {
      values = await form.validateFields()
    } catch {
      return
    }
    setSaving(true)
    try {
      const saved = await saveSynonym(values.term.trim(), values.expansions.map((e) => e.trim()).filter(Boolean))
      message.success(`已保存「${saved.term}」`)
      setEditing(null)
      reload()
    } catch (e) {
      // The term travels in the path: its problems come back on the `term` field.
      if (e instanceof ApiError)
        applyFieldErrors(
          form,
          e.details.map((d) => ({ ...d, field: d.field.replace(/\[\d+\]$/, '') })),
          (p) => FIELDS.has(String(p[0])),
        )
    } finally {
      setSaving(false)
    }
  }

  const remove = async (entry: Synonym) => {
    try {
      await removeSynonym(entry.term)
      message.success(`已删除「${entry.term}」`)
      reload()
    } catch {
      // the client showed the message
    }
  }

  return (
    <PageContainer
      title="检索同义词"
      description="资源目录检索时，输入左列的简称也会检索右列的全称（如输入“社保”同时检索“社会保险”）。修改对下一次检索生效，每次修改都记入审计日志。"
      extra={
        <Button type="primary" icon={<PlusOutlined />} onClick={() => open('new')} data-testid="new-synonym">
          新增简称
        </Button>
      }
    >
      <Card size="small">
        {error ? (
          <LoadError error={error} onRetry={reload} />
        ) : (
          <Table<Synonym>
            rowKey="term"
            size="small"
            loading={loading}
            dataSource={data?.items ?? []}
            pagination={{ pageSize: 50, hideOnSinglePage: true }}
            data-testid="synonyms-table"
            columns={[
              { title: '简称（检索词）', dataIndex: 'term', width: 160 },
              { title: '同时检索的全称', dataIndex: 'expansions', render: (v: string[]) => v.map((e) => <Tag key={e}>{e}</Tag>) },
              {
                title: '最后修改',
                key: 'updated',
                width: 240,
                render: (_: unknown, s) => (s.updatedByName ? `${formatDateTime(s.updatedAt)}，${s.updatedByName}` : '预置'),
              },
              {
                title: '操作',
                width: 130,
                render: (_: unknown, entry) => (
                  <>
                    <Button type="link" size="small" onClick={() => open(entry)} aria-label={`修改「${entry.term}」`}>
                      修改
                    </Button>
                    <Popconfirm title={`删除后输入“${entry.term}”将只检索该词本身。确定删除？`} okText="删除" cancelText="取消" onConfirm={() => remove(entry)}>
                      <Button type="link" danger size="small" aria-label={`删除「${entry.term}」`}>
                        删除
                      </Button>
                    </Popconfirm>
                  </>
                ),
              },
            ]}
          />
        )}
      </Card>
      <Modal
        title={editing === 'new' ? '新增简称' : `修改「${editing?.term ?? ''}」`}
        open={!!editing}
        onCancel={() => setEditing(null)}
        onOk={save}
        okText="保存"
        cancelText="取消"
        confirmLoading={saving}
        okButtonProps={{ 'data-testid': 'synonym-save' } as never}
        forceRender
      >
        <Form form={form} layout="vertical">
          <Form.Item
            name="term"
            label="简称（检索词）"
            rules={[
              { required: true, whitespace: true, message: '简称不能为空' },
              { min: 2, message: '简称至少两个字' },
              { pattern: /^\S+$/, message: '简称不能含空格' },
            ]}
          >
            <Input maxLength={20} placeholder="如：社保" disabled={editing !== 'new'} data-testid="synonym-term" />
          </Form.Item>
          <Form.Item
            name="expansions"
            label="同时检索的全称（输入后按回车，可填多个）"
            rules={[{ required: true, type: 'array', min: 1, message: '至少填写一个对应的全称' }]}
          >
            <Select
              mode="tags"
              open={false}
              tokenSeparators={[',', '，', '、', ' ']}
              placeholder="如：社会保险"
              aria-label="同时检索的全称"
              data-testid="synonym-expansions"
            />
          </Form.Item>
        </Form>
      </Modal>
    </PageContainer>
  )
}
