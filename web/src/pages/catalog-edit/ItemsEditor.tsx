import { DeleteOutlined, PlusOutlined } from '@ant-design/icons'
import { Button, Checkbox, Form, Input, InputNumber, Select, Table } from 'antd'
import { DATA_TYPES, PI_CATEGORIES, SHARE_TYPES } from '../../../../common/catalog.ts'
import { LIMITS } from '../../../../common/limits.ts'
import type { ItemInputValue } from '../../api/catalog.ts'

/** Item fields the editor has a cell for: API problems on other item fields go to the list above the form. */
export const EDITOR_ITEM_FIELDS = new Set([
  'name',
  'nameEn',
  'dataType',
  'length',
  'shareType',
  'shareCondition',
  'sensitive',
  'piCategory',
  'isPrimaryKey',
  'basicItem',
  'isTimestamp',
])

const DATA_TYPE_OPTIONS = Object.entries(DATA_TYPES).map(([value, label]) => ({ value, label: `${value} ${label}` }))
const SHARE_TYPE_OPTIONS = Object.entries(SHARE_TYPES).map(([value, label]) => ({ value: Number(value), label }))
const PI_OPTIONS = Object.entries(PI_CATEGORIES).map(([value, label]) => ({ value, label }))

// A cell's input is named by its row and column: the column title alone is not a label (axe-core).
const itemLabel = (index: number, column: string) => `第 ${index + 1} 个信息项的${column}`

export const newItem = (): ItemInputValue => ({
  name: '',
  dataType: 'C',
  shareType: 1,
  sensitive: false,
  piCategory: 'none',
  isPrimaryKey: false,
  isTimestamp: false,
  basicItem: false,
})

/**
 * The items (信息项) of an entry as an editable table. Every cell is a form field named
 * `items[i].<field>`, so the API's `details[].field` lands on the cell it names.
 */
export function ItemsEditor() {
  return (
    <Form.List name="items">
      {(fields, { add, remove }) => (
        <div className="items-editor" data-testid="items-editor">
          <Table
            size="small"
            rowKey="key"
            dataSource={fields}
            pagination={false}
            scroll={{ x: 1120 }}
            locale={{ emptyText: <span className="muted">还没有信息项，点击下方「添加信息项」登记</span> }}
            columns={[
              { title: '序号', key: 'no', width: 44, fixed: 'left', render: (_v, _f, i) => i + 1 },
              {
                title: '信息项名称',
                key: 'name',
                width: 144,
                fixed: 'left',
                render: (_v, field) => (
                  <>
                    <Form.Item name={[field.name, 'id']} hidden>
                      <Input />
                    </Form.Item>
                    <Form.Item name={[field.name, 'name']}>
                      <Input
                        placeholder="如：身份证号"
                        maxLength={LIMITS.itemName}
                        aria-label={itemLabel(field.name, '信息项名称')}
                        data-testid={`item-${field.name}-name`}
                      />
                    </Form.Item>
                  </>
                ),
              },
              {
                title: '英文名（字段名）',
                key: 'nameEn',
                width: 124,
                render: (_v, field) => (
                  <Form.Item name={[field.name, 'nameEn']}>
                    <Input placeholder="如：id_card_no" aria-label={itemLabel(field.name, '英文名（字段名）')} data-testid={`item-${field.name}-nameEn`} />
                  </Form.Item>
                ),
              },
              {
                title: '数据类型',
                key: 'dataType',
                width: 112,
                render: (_v, field) => (
                  <Form.Item name={[field.name, 'dataType']}>
                    <Select options={DATA_TYPE_OPTIONS} popupMatchSelectWidth={false} />
                  </Form.Item>
                ),
              },
              {
                title: '长度',
                key: 'length',
                width: 72,
                render: (_v, field) => (
                  <Form.Item name={[field.name, 'length']}>
                    <InputNumber
                      min={1}
                      max={100000}
                      style={{ width: '100%' }}
                      aria-label={itemLabel(field.name, '长度')}
                      data-testid={`item-${field.name}-length`}
                    />
                  </Form.Item>
                ),
              },
              {
                title: '共享类型',
                key: 'shareType',
                width: 136,
                render: (_v, field) => (
                  <Form.Item name={[field.name, 'shareType']}>
                    <Select options={SHARE_TYPE_OPTIONS} data-testid={`item-${field.name}-shareType`} />
                  </Form.Item>
                ),
              },
              {
                title: '共享条件',
                key: 'shareCondition',
                width: 170,
                render: (_v, field) => (
                  <Form.Item name={[field.name, 'shareCondition']}>
                    <Input placeholder="非无条件共享时必填" aria-label={itemLabel(field.name, '共享条件')} data-testid={`item-${field.name}-shareCondition`} />
                  </Form.Item>
                ),
              },
              {
                title: '个人信息',
                key: 'piCategory',
                width: 112,
                render: (_v, field) => (
                  <Form.Item name={[field.name, 'piCategory']}>
                    <Select options={PI_OPTIONS} popupMatchSelectWidth={false} />
                  </Form.Item>
                ),
              },
              {
                title: '标记',
                key: 'flags',
                width: 160,
                render: (_v, field) => (
                  <div style={{ display: 'grid', gridTemplateColumns: '1fr 1fr', rowGap: 2, whiteSpace: 'nowrap' }}>
                    {(
                      [
                        ['sensitive', '敏感'],
                        ['isPrimaryKey', '主键'],
                        ['basicItem', '基础项'],
                        ['isTimestamp', '时间戳'],
                      ] as const
                    ).map(([name, label]) => (
                      <Form.Item key={name} name={[field.name, name]} valuePropName="checked">
                        <Checkbox style={{ fontSize: 12 }}>{label}</Checkbox>
                      </Form.Item>
                    ))}
                  </div>
                ),
              },
              {
                title: '操作',
                key: 'op',
                width: 48,
                fixed: 'right',
                render: (_v, field) => <Button type="text" danger icon={<DeleteOutlined />} aria-label="删除信息项" onClick={() => remove(field.name)} />,
              },
            ]}
          />
          <Button type="dashed" block icon={<PlusOutlined />} style={{ marginTop: 8 }} onClick={() => add(newItem())} data-testid="add-item">
            添加信息项
          </Button>
        </div>
      )}
    </Form.List>
  )
}
