import assert from 'node:assert/strict'
import { describe, test } from 'node:test'
import { ipAllowed } from './ip-allow.ts'

describe('gateway IP allow-list', () => {
  test('answers stay right when asked again (remembered per list and address)', () => {
    const local = ['127.0.0.1']
    const intranet = ['10.0.0.0/8', '2001:db8::/32']
    for (let round = 0; round < 3; round++) {
      assert.equal(ipAllowed(local, '127.0.0.1'), true)
      assert.equal(ipAllowed(local, '::ffff:127.0.0.1'), true)
      assert.equal(ipAllowed(local, '127.0.0.2'), false)
      assert.equal(ipAllowed(intranet, '127.0.0.1'), false, 'another list does not share the first one’s answers')
      assert.equal(ipAllowed(intranet, '10.9.8.7'), true)
      assert.equal(ipAllowed(intranet, '::ffff:10.1.1.1'), true)
      assert.equal(ipAllowed(intranet, '11.0.0.1'), false)
      assert.equal(ipAllowed(intranet, '2001:db8::1'), true)
      assert.equal(ipAllowed(intranet, '2001:db9::1'), false)
      assert.equal(ipAllowed([], '203.0.113.9'), true)
    }
  })

  test('many caller addresses: the remembered answers are bounded and still right', () => {
    const list = ['192.168.0.0/16']
    for (let i = 0; i < 3000; i++) assert.equal(ipAllowed(list, `192.${168 + (i % 2)}.${(i >> 8) & 255}.${i & 255}`), i % 2 === 0)
  })
})
