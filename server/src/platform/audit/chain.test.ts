import assert from 'node:assert/strict'
import { after, before, describe, test } from 'node:test'
import { sql } from 'kysely'
import { buildWorld } from '../../testing/factories.ts'
import { type TestApp, buildTestApp } from '../../testing/test-app.ts'
import { appendAudit, canonicalJson } from './chain.ts'

describe('SM3 audit chain', () => {
  let t: TestApp
  let world: Awaited<ReturnType<typeof buildWorld>>
  before(async () => {
    t = await buildTestApp()
    world = await buildWorld(t.db)
  })
  after(() => t.close())

  const source = () => ({ actorId: null, orgId: null, roles: [], ip: '127.0.0.1', requestId: null, at: new Date() })
  const verify = () => t.request('GET', '/api/v1/audit/verify', { token: world.tokens.auditor })

  test('canonical JSON does not depend on key order', () => {
    assert.equal(canonicalJson({ b: 1, a: { d: [1, { y: 2, x: 1 }], c: null } }), canonicalJson({ a: { c: null, d: [1, { x: 1, y: 2 }] }, b: 1 }))
  })

  test('concurrent appends form one unbroken chain', async () => {
    await Promise.all(Array.from({ length: 40 }, (_, i) => appendAudit(t.db, source(), { action: 'test.chain.append', detail: { i, 名称: '测试' } })))
    const res = await verify()
    assert.equal(res.status, 200)
    assert.equal(res.body.ok, true)
    assert.equal(res.body.firstBadId, null)
    assert.ok(res.body.count >= 40)
    const head = await t.db.selectFrom('auditEvents').select('hash').orderBy('id', 'desc').limit(1).executeTakeFirstOrThrow()
    assert.equal(res.body.headHash, head.hash)
  })

  test('auditors search events, newest first, filtered', async () => {
    const res = await t.request('GET', '/api/v1/audit/events?action=test.chain.append&pageSize=5', { token: world.tokens.auditor })
    assert.equal(res.status, 200)
    assert.equal(res.body.items.length, 5)
    assert.ok(res.body.total >= 40)
    assert.ok(res.body.items[0].id > res.body.items[4].id)
    const forbidden = await t.request('GET', '/api/v1/audit/events', { token: world.tokens.sysAdmin })
    assert.equal(forbidden.status, 403)
  })

  test('editing a row directly in the database breaks verification at that row', async () => {
    const victim = await t.db.selectFrom('auditEvents').select('id').where('action', '=', 'test.chain.append').orderBy('id').offset(10).limit(1).executeTakeFirstOrThrow()
    await sql`update audit_events set detail = '{"i": 999}'::jsonb where id = ${victim.id}`.execute(t.db)
    const res = await verify()
    assert.equal(res.body.ok, false)
    assert.equal(res.body.firstBadId, victim.id)
  })

  test('deleting a row breaks the link of the next one', async () => {
    // Start from an empty chain so the earlier tampering does not mask this one.
    await sql`delete from audit_events`.execute(t.db)
    for (let i = 0; i < 5; i++) await appendAudit(t.db, source(), { action: 'test.chain.delete', detail: { i } })
    const ids = (await t.db.selectFrom('auditEvents').select('id').orderBy('id').execute()).map((r) => r.id)
    assert.equal((await verify()).body.ok, true)
    await sql`delete from audit_events where id = ${ids[2]}`.execute(t.db)
    const res = await verify()
    assert.equal(res.body.ok, false)
    assert.equal(res.body.firstBadId, ids[3])
  })
})
