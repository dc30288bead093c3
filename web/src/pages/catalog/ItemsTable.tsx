import { Table, Tag, Tooltip } from 'antd'
import { PI_CATEGORIES } from '../../../../common/catalog.ts'
import type { Item } from '../../api/catalog.ts'
import { ShareTypeTag } from '../../components/Tags.tsx'

/** The information items (信息项) of an entry, with each item's share type and condition. */
export function ItemsTable({ items }: { items: Item[] }) {
  return (
    <Table<Item>
      rowKey="id"
      size="small"
      dataSource={items}
      pagination={items.length > 50 ? { pageSize: 50, showTotal: (t) => `共 ${t} 项` } : false}
      locale={{ emptyText: <span className="muted">该目录未登记信息项</span> }}
      scroll={{ x: 1000 }}
      data-testid="items-table"
      columns={[
        { title: '序号', key: 'no', width: 60, render: (_v, _r, i) => i + 1 },
        {
          title: '信息项名称',
          dataIndex: 'name',
          width: 180,
          render: (name: string, item) => (
            <span>
              {name}
              {item.isPrimaryKey ? <Tag style={{ marginInlineStart: 6 }}>主键</Tag> : null}
              {item.basicItem ? <Tag color="blue">基础项</Tag> : null}
            </span>
          ),
        },
        { title: '英文名', dataIndex: 'nameEn', width: 150, render: (v: string | null) => <span className="mono">{v ?? '—'}</span> },
        { title: '数据类型', dataIndex: 'dataTypeLabel', width: 100 },
        { title: '长度', dataIndex: 'length', width: 70, render: (v: number | null) => v ?? '—' },
        { title: '共享类型', dataIndex: 'shareType', width: 110, render: (v: number) => <ShareTypeTag value={v} /> },
        {
          title: '共享条件',
          dataIndex: 'shareCondition',
          render: (v: string | null) => (
            <Tooltip title={v}>
              <span>{v ?? '—'}</span>
            </Tooltip>
          ),
        },
        { title: '敏感', dataIndex: 'sensitive', width: 70, render: (v: boolean) => (v ? <Tag color="orange">敏感</Tag> : '否') },
        { title: '个人信息', dataIndex: 'piCategory', width: 110, render: (v: string) => PI_CATEGORIES[v as keyof typeof PI_CATEGORIES] ?? v },
        { title: '向社会开放', dataIndex: 'openFlag', width: 100, render: (v: boolean) => (v ? '开放' : '不开放') },
      ]}
    />
  )
}
