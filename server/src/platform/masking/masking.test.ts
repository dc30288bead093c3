import assert from 'node:assert/strict'
import { test } from 'node:test'
import fc from 'fast-check'
import { MASKING_RULES, defaultMaskingFor, maskValue } from './masking.ts'

test('each rule keeps exactly what SPEC §8.3 allows', () => {
  assert.equal(maskValue('id_card', '370702199003071234'), '370702********1234')
  assert.equal(maskValue('phone', '13805361234'), '138****1234')
  assert.equal(maskValue('name', '张三'), '张*')
  assert.equal(maskValue('name', '张小明'), '张**')
  assert.equal(maskValue('name', '欧阳娜娜'), '欧阳**')
  assert.equal(maskValue('bank_card', '6222021234567890123'), '***************0123')
  assert.equal(maskValue('address', '山东省潍坊市奎文区东风东街123号'), '山东省潍坊市奎文区****')
  assert.equal(maskValue('address', '潍坊市寿光市圣城街道100号'), '潍坊市寿光市****')
  assert.equal(maskValue('birth_year', '1990-03-07'), '1990')
  assert.equal(maskValue('birth_year', new Date('1990-03-07T00:00:00Z')), '1990')
  assert.equal(maskValue('suppress', '任何值'), null)
  assert.equal(maskValue('none', 'x'), 'x')
  assert.equal(maskValue('id_card', null), null)
})

test('the SM3 pseudonym is stable per key and differs across keys', () => {
  const a = maskValue('sm3', '370702199003071234', 'consumer-a')
  assert.equal(a, maskValue('sm3', '370702199003071234', 'consumer-a'))
  assert.notEqual(a, maskValue('sm3', '370702199003071234', 'consumer-b'))
  assert.match(String(a), /^[0-9a-f]{64}$/)
})

test('no masked rule ever returns the raw value of a long enough input', () => {
  const masked = MASKING_RULES.filter((r) => r !== 'none')
  fc.assert(
    fc.property(fc.constantFrom(...masked), fc.string({ minLength: 12, maxLength: 40, unit: 'grapheme' }), (rule, value) => {
      const out = maskValue(rule, value, 'k')
      assert.notEqual(out, value)
      if (typeof out === 'string' && rule !== 'birth_year' && rule !== 'address') {
        // Never more than 10 original characters survive (身份证: 6 + 4).
        const kept = [...out].filter((c) => c !== '*').length
        assert.ok(rule === 'sm3' || kept <= 10, `${rule} kept ${kept}`)
      }
    }),
    { numRuns: 500 },
  )
})

test('default rules follow the item name and its personal-information class', () => {
  assert.equal(defaultMaskingFor({ name: '公民身份号码', sensitive: true, piCategory: 'sensitive_personal' }), 'id_card')
  assert.equal(defaultMaskingFor({ name: '联系电话', sensitive: true, piCategory: 'personal' }), 'phone')
  assert.equal(defaultMaskingFor({ name: '姓名', sensitive: true, piCategory: 'personal' }), 'name')
  assert.equal(defaultMaskingFor({ name: '户籍地址', sensitive: true, piCategory: 'personal' }), 'address')
  assert.equal(defaultMaskingFor({ name: '病历摘要', sensitive: true, piCategory: 'sensitive_personal' }), 'suppress')
  assert.equal(defaultMaskingFor({ name: '单位名称', sensitive: false, piCategory: 'none' }), 'none')
})

test('a personal item no default rule fits is suppressed, never shown in clear', () => {
  assert.equal(defaultMaskingFor({ name: '婚姻状况', sensitive: true, piCategory: 'personal' }), 'suppress')
  assert.equal(defaultMaskingFor({ name: '学历', sensitive: false, piCategory: 'personal' }), 'suppress')
  assert.equal(defaultMaskingFor({ name: '救助金额', sensitive: true, piCategory: 'none' }), 'suppress')
})
