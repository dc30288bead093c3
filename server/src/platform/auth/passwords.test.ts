import assert from 'node:assert/strict'
import { describe, test } from 'node:test'
import { hash } from '@node-rs/argon2'
import { PASSWORD_HASH_PROFILE, passwordHashProfile, passwordPolicyViolation } from './passwords.ts'

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

describe('password hashing profile', () => {
  test('production hashes with OWASP’s argon2id minimum (19 MiB, t=2) whatever the environment asks, outside the test runner', () => {
    const { memoryCost, timeCost, parallelism } = PASSWORD_HASH_PROFILE
    assert.deepEqual({ memoryCost, timeCost, parallelism }, { memoryCost: 19_456, timeCost: 2, parallelism: 1 })
    for (const env of [{}, { GOVSHARE_TEST_FAST_HASH: '1' }, { NODE_TEST_CONTEXT: 'child' }, { NODE_ENV: 'test', GOVSHARE_TEST_FAST_HASH: '1' }]) {
      assert.equal(passwordHashProfile(env), PASSWORD_HASH_PROFILE, JSON.stringify(env))
    }
    const fast = passwordHashProfile({ NODE_TEST_CONTEXT: 'child', GOVSHARE_TEST_FAST_HASH: '1' })
    assert.equal(fast.algorithm, PASSWORD_HASH_PROFILE.algorithm, 'the fast suite still hashes with argon2id')
    assert.ok(fast.memoryCost < PASSWORD_HASH_PROFILE.memoryCost)
  })

  test('the production profile makes argon2id hashes with m=19456, t=2, p=1 (what a stored hash records)', async () => {
    assert.match(await hash('Abcdefg1!', PASSWORD_HASH_PROFILE), /^\$argon2id\$v=19\$m=19456,t=2,p=1\$/)
    assert.match(await hash('Abcdefg1!', passwordHashProfile({ NODE_TEST_CONTEXT: 'child', GOVSHARE_TEST_FAST_HASH: '1' })), /^\$argon2id\$/)
  })
})
