import assert from 'node:assert/strict'
import { describe, test } from 'node:test'
import { ITEM_COLUMNS, RESOURCE_COLUMNS, columnForPath, parserOf } from './columns.ts'
import { UPDATE_CYCLES } from '../../../../../common/catalog.ts'
import { choice, date, decimal, flag, integer, list, normalize, readCell, textOf } from './values.ts'

const valueIn = <T>(result: { value: T } | { error: string }) => {
  assert.ok('value' in result, `expected a value, got ${JSON.stringify(result)}`)
  return result.value
}
const errorOf = (result: { value: unknown } | { error: string }) => {
  assert.ok('error' in result, `expected an error, got ${JSON.stringify(result)}`)
  return result.error
}

describe('cell values', () => {
  test('plain, rich text, hyperlink and formula cells read as one value; blanks as null', () => {
    assert.equal(valueIn(readCell('  典当行许可信息 ')), '典当行许可信息')
    assert.equal(valueIn(readCell('   ')), null)
    assert.equal(valueIn(readCell(null)), null)
    assert.equal(valueIn(readCell({ richText: [{ text: '网吧' }, { text: '分布信息' }] })), '网吧分布信息')
    assert.equal(valueIn(readCell({ text: '0536-8231234', hyperlink: 'tel:0536-8231234' })), '0536-8231234')
    assert.equal(valueIn(readCell({ formula: 'B2*2', result: 36 })), 36)
    assert.equal(valueIn(readCell({ sharedFormula: 'F2', result: '字符型' })), '字符型')
    assert.equal(valueIn(readCell(true)), true)
  })

  test('error values and formulas saved without a result are problems, not crashes', () => {
    assert.match(errorOf(readCell({ error: '#N/A' })), /#N\/A/)
    assert.match(errorOf(readCell({ formula: 'A1+1' })), /公式/)
    assert.match(errorOf(readCell({ formula: 'A1+1', result: { error: '#REF!' } })), /#REF!/)
    assert.match(errorOf(readCell(Number.NaN)), /数值/)
    assert.match(errorOf(readCell(Symbol('x'))), /无法识别/)
  })

  test('text of numbers has no float noise or exponent; dates are calendar days', () => {
    assert.equal(textOf(13800138000), '13800138000')
    assert.equal(textOf(0.1 + 0.2), '0.3')
    assert.equal(textOf(new Date(Date.UTC(2026, 2, 2))), '2026-03-02')
    assert.equal(textOf(false), '否')
  })

  test('headers and labels match without spaces, full-width brackets or required marks', () => {
    assert.equal(normalize(' 数据存储总量（G）* '), normalize('数据存储总量(g)'))
    assert.equal(normalize('共享条件／不予共享依据'), normalize('共享条件/不予共享依据'))
  })
})

describe('template labels', () => {
  const cycle = choice(UPDATE_CYCLES, { numeric: true, aliases: { 每天: 2 } })

  test('a coded value accepts its code, its label and the aliases', () => {
    assert.equal(valueIn(cycle('每季度', '更新周期')), 5)
    assert.equal(valueIn(cycle(5, '更新周期')), 5)
    assert.equal(valueIn(cycle('每天', '更新周期')), 2)
    assert.equal(valueIn(cycle('其他/不定期', '更新周期')), 8)
  })

  test('an unknown label names the column and lists the accepted labels', () => {
    const message = errorOf(cycle('每两年', '更新周期'))
    assert.match(message, /更新周期「每两年」/)
    assert.match(message, /每季度/)
  })

  test('flags accept 是/否, booleans and the two words of the attribute', () => {
    const secret = flag({ yes: ['涉密'], no: ['非涉密'] })
    assert.equal(valueIn(secret('涉密', '涉密属性')), true)
    assert.equal(valueIn(secret('非涉密', '涉密属性')), false)
    assert.equal(valueIn(secret('否', '涉密属性')), false)
    assert.equal(valueIn(secret(true, '涉密属性')), true)
    assert.match(errorOf(secret('可能', '涉密属性')), /涉密\/非涉密/)
  })

  test('numbers, dates and lists', () => {
    assert.equal(valueIn(integer(18, '数据长度')), 18)
    assert.equal(valueIn(integer('18', '数据长度')), 18)
    assert.match(errorOf(integer(18.5, '数据长度')), /整数/)
    assert.equal(valueIn(decimal('1,234.5', '数据存储总量')), 1234.5)
    assert.match(errorOf(decimal('约10G', '数据存储总量')), /数字/)
    assert.equal(valueIn(date('2025年1月5日', '数据时间范围')), '2025-01-05')
    assert.equal(valueIn(date(45658, '数据时间范围')), '2025-01-01')
    assert.deepEqual(valueIn(list(choice({ table: '库表', api: '接口' }))('库表、接口', '共享方式类型')), ['table', 'api'])
    assert.match(errorOf(list(choice({ table: '库表', api: '接口' }))('库表；邮件', '共享方式类型')), /邮件/)
  })
})

describe('column tables', () => {
  for (const [sheet, columns] of [
    ['信息资源', RESOURCE_COLUMNS],
    ['信息项', ITEM_COLUMNS],
  ] as const) {
    test(`「${sheet}」: every header and alias names one column`, () => {
      const names = columns.flatMap((c) => [c.header, ...(c.aliases ?? [])].map(normalize))
      assert.equal(new Set(names).size, names.length)
    })

    test(`「${sheet}」: every drop-down value the export offers is read back by import`, () => {
      for (const column of columns) {
        for (const value of column.choices ?? []) {
          assert.ok(column.field, `${column.header} offers choices but is not imported`)
          assert.ok('value' in parserOf(column)(value, column.header), `${column.header}: ${value}`)
        }
      }
    })
  }

  test('a problem on a body path is shown on the column of the longest matching field', () => {
    assert.equal(columnForPath(RESOURCE_COLUMNS, ['survey', 'storageGb'])?.header, '数据存储总量（G）')
    assert.equal(columnForPath(RESOURCE_COLUMNS, ['shareModes', 1])?.header, '共享方式类型')
    assert.equal(columnForPath(RESOURCE_COLUMNS, ['timeRange', 'to'])?.header, '数据时间范围(止)')
    assert.equal(columnForPath(ITEM_COLUMNS, ['shareCondition'])?.header, '共享条件')
  })
})
