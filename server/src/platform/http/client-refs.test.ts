import assert from 'node:assert/strict'
import { randomBytes, randomUUID } from 'node:crypto'
import { after, before, describe, test } from 'node:test'
import { type TestApp, buildTestApp } from '../../testing/test-app.ts'
import { businessRefOf, looksLikeSecret, requestIdOf, secretDigest } from './client-refs.ts'

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/

describe('client references', () => {
  test('secrets and tokens look like secrets; request ids, trace ids and 办件号 do not', () => {
    const token = randomBytes(32).toString('base64url')
    assert.equal(looksLikeSecret(token), true)
    assert.equal(looksLikeSecret(`Bearer ${token}`), true)
    for (const value of [
      randomUUID(),
      randomBytes(16).toString('hex'),
      'MZ2026110500031',
      'host-1:4242:17',
      '潍民办-2026-0001',
      'gs0123456789abcdef01234567',
    ]) {
      assert.equal(looksLikeSecret(value), false, value)
    }
  })

  test('a request id is kept when it has the shape of one, digested when it looks like a secret, else replaced', () => {
    assert.equal(requestIdOf('req-2026.03.02:0001'), 'req-2026.03.02:0001')
    for (const bad of [undefined, '', 'a b', 'x'.repeat(65), '<script>', '请求1', ['a', 'b']]) assert.match(requestIdOf(bad as never), UUID, String(bad))
    const token = randomBytes(32).toString('base64url')
    assert.equal(requestIdOf(token), secretDigest(token))
  })

  test('a 办件号 is at most 64 printable characters', () => {
    assert.deepEqual(businessRefOf(undefined, 'BJ-1'), { value: 'BJ-1', problem: null })
    assert.deepEqual(businessRefOf('BJ-H', 'BJ-Q'), { value: 'BJ-H', problem: null })
    assert.deepEqual(businessRefOf(undefined, undefined), { value: null, problem: null })
    assert.equal(businessRefOf(undefined, '办'.repeat(64)).value, '办'.repeat(64))
    assert.match(businessRefOf(undefined, '办'.repeat(65)).problem!, /不能超过 64 个字符/)
    for (const bad of ['a\tb', 'a\u202eb', 'a\u0000b', 'a\u0085b', 'a\u200bb']) {
      assert.match(businessRefOf(undefined, bad).problem!, /查询参数 businessRef.*控制字符/, JSON.stringify(bad))
      // Node hands header bytes over as Latin-1 text.
      assert.match(businessRefOf(Buffer.from(bad).toString('latin1'), undefined).problem!, /请求头 X-Business-Ref.*控制字符/, JSON.stringify(bad))
    }
  })
})

describe('X-Request-Id over HTTP', () => {
  let t: TestApp
  before(async () => {
    t = await buildTestApp()
  })
  after(() => t.close())

  test('a valid id is echoed; an invalid one is replaced by a new id and not echoed', async () => {
    assert.equal((await t.request('GET', '/api/health', { headers: { 'x-request-id': 'trace-42' } })).headers.get('x-request-id'), 'trace-42')
    for (const bad of ['bad id <script>', 'x'.repeat(65)]) {
      const res = await t.request('GET', '/api/health', { headers: { 'x-request-id': bad } })
      assert.match(res.headers.get('x-request-id')!, UUID)
    }
  })

  test('a secret sent as the request id reaches the audit log only as its digest', async () => {
    const secret = randomBytes(32).toString('base64url')
    const res = await t.request('POST', '/api/v1/gateway/token', { body: { appKey: 'gs-unknown', appSecret: 'wrong' }, headers: { 'x-request-id': secret } })
    assert.equal(res.status, 401)
    assert.equal(res.headers.get('x-request-id'), secretDigest(secret))
    const events = await t.db.selectFrom('auditEvents').select('requestId').where('action', '=', 'gateway.token.issue').execute()
    assert.ok(events.some((e) => e.requestId === secretDigest(secret)))
    assert.ok(!events.some((e) => e.requestId === secret))
  })
})
