import assert from 'node:assert/strict'
import { test } from 'node:test'
import { redactedUrl } from './request-log.ts'

test('redactedUrl keeps the path and parameter names, never a value', () => {
  assert.equal(redactedUrl('/api/v1/catalog/resources'), '/api/v1/catalog/resources')
  assert.equal(redactedUrl('/api/v1/gateway/resources/x/records?id_no=370702199003071234&limit=5'), '/api/v1/gateway/resources/x/records?id_no=*&limit=*')
  assert.equal(redactedUrl('/a?'), '/a?')
  assert.equal(redactedUrl('/a?flag&&q=%E4%BD%8E'), '/a?*&q=*')
  // A bare value, a "name" that is really data, or a name and value run together is not kept either.
  assert.equal(redactedUrl('/a?370702199003071234'), '/a?*')
  assert.equal(redactedUrl('/a?id_no370702199003071234'), '/a?*')
  assert.equal(redactedUrl('/a?%E5%BC%A0%E4%B8%89=1'), '/a?*')
})
