import assert from 'node:assert/strict'
import { createHmac, randomBytes, randomInt } from 'node:crypto'
import { test } from 'node:test'
import { sm3HmacHexer } from './sm3-hmac.ts'

test('sm3HmacHexer gives createHmac("sm3")\'s value for keys and messages around every block boundary', () => {
  const keys: (string | Buffer)[] = ['', 'k', 'x'.repeat(64), 'x'.repeat(65), `govshare-exchange-key:${'密'.repeat(40)}:org`, randomBytes(200)]
  const lengths = [0, 1, 55, 56, 63, 64, 65, 119, 120, 128, 1000]
  for (const key of keys) {
    const hmac = sm3HmacHexer(key)
    for (const length of lengths) {
      const message = 'a'.repeat(length)
      assert.equal(hmac(message), createHmac('sm3', key).update(message).digest('hex'), `key ${key.length}, message ${length}`)
    }
  }
})

test('sm3HmacHexer agrees with createHmac on random keys and random UTF-8 messages', () => {
  const alphabet = 'abc019\t\\\n人员编号𠀀é'
  for (let round = 0; round < 300; round++) {
    const key = randomBytes(randomInt(0, 150))
    const hmac = sm3HmacHexer(key)
    for (let i = 0; i < 5; i++) {
      const message = Array.from({ length: randomInt(0, 180) }, () => [...alphabet][randomInt(0, [...alphabet].length)]).join('')
      assert.equal(hmac(message), createHmac('sm3', key).update(message).digest('hex'))
    }
  }
})
