import assert from 'node:assert/strict'
import { test } from 'node:test'
import type { MaskingRule } from './masking.ts'
import { reidentificationWarnings } from './reidentification.ts'

const item = (id: string, name: string, rule: MaskingRule) => ({ id, name, rule })
const codes = (items: Parameters<typeof reidentificationWarnings>[0]) => reidentificationWarnings(items).map((w) => w.code)

test('a masked 身份证号 with the birth date in clear is recoverable: the warning names the items and explains the digits', () => {
  const [warning, ...rest] = reidentificationWarnings([item('a', '公民身份号码', 'id_card'), item('b', '出生日期', 'none'), item('c', '姓名', 'name')])
  assert.equal(rest.length, 0)
  assert.equal(warning.code, 'ID_RECOVERABLE')
  assert.deepEqual(warning.itemIds, ['a', 'b'])
  assert.match(warning.message, /「公民身份号码」按「身份证号（保留前6后4）」保留第1–6、15–18位/)
  assert.match(warning.message, /「出生日期」给出第7–14位/)
  assert.match(warning.message, /校验码/)
})

test('only the last four kept: recoverable when an address (kept to its 区县) gives the region code too', () => {
  assert.deepEqual(codes([item('a', '身份证号', 'bank_card'), item('b', '出生日期', 'none')]), [])
  assert.deepEqual(codes([item('a', '身份证号', 'bank_card'), item('b', '出生日期', 'none'), item('c', '户籍地址', 'address')]), ['ID_RECOVERABLE'])
  assert.deepEqual(codes([item('a', '身份证号', 'bank_card'), item('b', '出生日期', 'none'), item('c', '户籍地址', 'suppress')]), [])
})

test('the defaults are safe: birth year only, or the number pseudonymised or withheld', () => {
  assert.deepEqual(codes([item('a', '公民身份号码', 'id_card'), item('b', '出生日期', 'birth_year'), item('c', '户籍地址', 'address')]), [])
  for (const rule of ['sm3', 'suppress'] as const) {
    assert.deepEqual(codes([item('a', '公民身份号码', rule), item('b', '出生日期', 'none'), item('c', '居住地址', 'none')]), [], rule)
  }
  // Nothing to protect when the number itself is granted in clear.
  assert.deepEqual(codes([item('a', '公民身份号码', 'none'), item('b', '出生日期', 'none')]), [])
})

test('the same number masked under one item and in clear under another', () => {
  const warnings = reidentificationWarnings([item('a', '公民身份号码', 'sm3'), item('b', '证件号码', 'none')])
  assert.deepEqual(
    warnings.map((w) => [w.code, w.itemIds]),
    [['SAME_ID_IN_CLEAR', ['a', 'b']]],
  )
  assert.match(warnings[0].message, /「公民身份号码」已脱敏，但「证件号码」以明文提供/)
})
