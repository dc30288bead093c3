import assert from 'node:assert/strict'
import { describe, test } from 'node:test'
import { passwordPolicyViolation } from './passwords.ts'

describe('password policy', () => {
  test('at least 8 characters from three of four classes', () => {
    for (const good of ['Abcdefg1', 'abcdef1!', 'ABCDEF1!', 'Abcdefg!', '张三Ab1!xyz']) assert.equal(passwordPolicyViolation(good), null, good)
    assert.equal(passwordPolicyViolation('Ab1!xyz'), '密码至少 8 位')
    for (const weak of ['abcdefgh1', 'ABCDEFGH', 'abcdefgh!', '12345678!', 'Abcdefgh']) {
      assert.match(passwordPolicyViolation(weak) ?? '', /至少三类/, weak)
    }
    assert.match(passwordPolicyViolation(`Aa1!${'x'.repeat(130)}`) ?? '', /128/)
  })

  test('the password may not be the username in any letter case', () => {
    assert.equal(passwordPolicyViolation('Zhang.Wei1', 'zhang.wei1'), '密码不能与用户名相同')
    assert.equal(passwordPolicyViolation('Zhang.Wei1', 'zhang.wei'), null)
    assert.equal(passwordPolicyViolation('Zhang.Wei1'), null)
  })
})
