import assert from 'node:assert/strict'
import { createCipheriv } from 'node:crypto'
import { describe, test } from 'node:test'
import { parseDataKey, Sm4Error, sm4Box, sm4CompactBox } from './sm4.ts'

const KEY = Buffer.from('000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f', 'hex')

describe('SM4 sealing', () => {
  test('the runtime SM4 matches the GB/T 32907 example', () => {
    const key = Buffer.from('0123456789abcdeffedcba9876543210', 'hex')
    const cipher = createCipheriv('sm4-ecb', key, null).setAutoPadding(false)
    const out = Buffer.concat([cipher.update(key), cipher.final()])
    assert.equal(out.toString('hex'), '681edf34d206965e86b3e94f536e4246')
  })

  test('sealed text opens with the same key and context, and never repeats', () => {
    const box = sm4Box(KEY)
    const a = box.seal('JBSWY3DPEHPK3PXP', 'user_totp:1')
    const b = box.seal('JBSWY3DPEHPK3PXP', 'user_totp:1')
    assert.notEqual(a, b, 'a random IV per value')
    assert.match(a, /^v1\.[A-Za-z0-9_-]+$/)
    assert.ok(!a.includes('JBSWY3DP'))
    assert.equal(box.open(a, 'user_totp:1'), 'JBSWY3DPEHPK3PXP')
    assert.equal(box.open(box.seal('身份证号 370702199001011234'), ''), '身份证号 370702199001011234')
    assert.equal(box.open(box.seal('')), '')
  })

  test('a flipped bit, another context or another key is refused', () => {
    const box = sm4Box(KEY)
    const sealed = box.seal('secret value', 'row:1')
    const raw = Buffer.from(sealed.slice(3), 'base64url')
    for (const index of [0, 20, raw.length - 1]) {
      const tampered = Buffer.from(raw)
      tampered[index] ^= 1
      assert.throws(() => box.open(`v1.${tampered.toString('base64url')}`, 'row:1'), Sm4Error)
    }
    assert.throws(() => box.open(sealed, 'row:2'), Sm4Error)
    assert.throws(() => sm4Box(Buffer.alloc(32, 7)).open(sealed, 'row:1'), Sm4Error)
    assert.throws(() => box.open('v2.abc'), Sm4Error)
    assert.throws(() => box.open('v1.AAAA'), Sm4Error)
  })

  test('keys are read from hex or base64 configuration text, and short keys are refused', () => {
    assert.equal(parseDataKey(undefined), null)
    assert.equal(parseDataKey('  '), null)
    assert.deepEqual(parseDataKey(KEY.toString('hex')), KEY)
    assert.deepEqual(parseDataKey(KEY.toString('base64')), KEY)
    assert.equal(parseDataKey('00112233445566778899aabbccddeeff')?.length, 16)
    assert.throws(() => parseDataKey('c2hvcnQ='), Sm4Error)
    assert.throws(() => sm4Box(Buffer.alloc(8)), Sm4Error)
  })

  test('the compact form: 29 bytes over the value, opens only with its key and context, and a flipped bit is refused', () => {
    const box = sm4CompactBox(KEY)
    const a = box.seal('370702199001011234', 'mounted:r:i')
    const b = box.seal('370702199001011234', 'mounted:r:i')
    assert.equal(a.length, 18 + 29)
    assert.equal(a[0], 2, 'versioned')
    assert.notDeepEqual(a, b, 'a random nonce per value')
    assert.ok(!a.toString('latin1').includes('370702'))
    assert.equal(box.open(a, 'mounted:r:i').toString('utf8'), '370702199001011234')
    assert.equal(box.open(box.seal('山东省潍坊市奎文区', 'c'), 'c').toString('utf8'), '山东省潍坊市奎文区')
    assert.equal(box.open(box.seal('', 'c'), 'c').toString('utf8'), '')
    for (const index of [0, 1, 13, a.length - 1]) {
      const tampered = Buffer.from(a)
      tampered[index] ^= 1
      assert.throws(() => box.open(tampered, 'mounted:r:i'), Sm4Error)
    }
    assert.throws(() => box.open(a, 'mounted:r:other'), Sm4Error)
    assert.throws(() => sm4CompactBox(Buffer.alloc(32, 7)).open(a, 'mounted:r:i'), Sm4Error)
    assert.throws(() => box.open(a.subarray(0, 20), 'mounted:r:i'), Sm4Error)
    // The text form's keys are not the compact form's: one key is never used by two modes.
    const cbc = sm4Box(KEY).seal('370702199001011234', 'mounted:r:i')
    assert.throws(() => box.open(Buffer.from(cbc.slice(3), 'base64url'), 'mounted:r:i'), Sm4Error)
  })
})
