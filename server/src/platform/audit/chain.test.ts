import assert from 'node:assert/strict'
import { after, before, describe, test } from 'node:test'
import { type RawBuilder, sql } from 'kysely'
import { buildWorld } from '../../testing/factories.ts'
import { asDba as asDbaOn } from '../../testing/insider.ts'
import { type TestApp, buildTestApp } from '../../testing/test-app.ts'
import { appendAudit, appendAuditBatch, canonicalJson } from './chain.ts'

describe('SM3 audit chain', () => {
  let t: TestApp
  let world: Awaited<ReturnType<typeof buildWorld>>
  before(async () => {
    t = await buildTestApp()
    world = await buildWorld(t.db)
  })
  after(() => t.close())

  const source = () => ({ actorId: null, orgId: null, roles: [], ip: '127.0.0.1', requestId: null, at: new Date() })
  const asDba = (statement: RawBuilder<unknown>) => asDbaOn(t.db, statement)
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
    // The head as the check found it: the last append (the check itself is recorded after it).
    const head = await t.db
      .selectFrom('auditEvents')
      .select('hash')
      .where('action', '=', 'test.chain.append')
      .orderBy('id', 'desc')
      .limit(1)
      .executeTakeFirstOrThrow()
    assert.equal(res.body.headHash, head.hash)
  })

  test('batches and single appends interleave into one chain, in the batch order', async () => {
    const batch = (k: number) => Array.from({ length: 25 }, (_, i) => ({ source: source(), event: { action: 'test.chain.batch', detail: { k, i } } }))
    await Promise.all([appendAuditBatch(t.db, batch(1)), appendAudit(t.db, source(), { action: 'test.chain.single' }), appendAuditBatch(t.db, batch(2))])
    const rows = await t.db.selectFrom('auditEvents').select(['id', 'detail']).where('action', '=', 'test.chain.batch').orderBy('id').execute()
    assert.equal(rows.length, 50)
    for (const k of [1, 2])
      assert.deepEqual(
        rows.filter((r) => r.detail.k === k).map((r) => r.detail.i),
        Array.from({ length: 25 }, (_, i) => i),
      )
    assert.equal((await verify()).body.ok, true)
  })

  test('an attempt that carries NUL bytes or a lone surrogate is recorded (shown as ␀ and �) and the chain still verifies', async () => {
    // PostgreSQL refuses NUL in text and jsonb: without care the event, or a whole batch of denials, is lost.
    const hostile = 'a\u0000b\uD800'
    await appendAuditBatch(t.db, [
      { source: source(), event: { action: 'test.chain.nul', objectId: hostile, detail: { path: `/x/${hostile}`, [hostile]: [hostile, 1] } } },
      { source: source(), event: { action: 'test.chain.nul', detail: { ok: true } } },
    ])
    const rows = await t.db.selectFrom('auditEvents').select(['objectId', 'detail']).where('action', '=', 'test.chain.nul').orderBy('id').execute()
    assert.equal(rows.length, 2)
    assert.equal(rows[0].objectId, 'a\u2400b\uFFFD')
    assert.deepEqual(rows[0].detail, { path: '/x/a\u2400b\uFFFD', 'a\u2400b\uFFFD': ['a\u2400b\uFFFD', 1] })
    assert.equal((await verify()).body.ok, true)
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

  test('the database refuses to change or delete audit events', async () => {
    const victim = await t.db.selectFrom('auditEvents').select('id').orderBy('id').limit(1).executeTakeFirstOrThrow()
    await assert.rejects(sql`update audit_events set detail = '{}'::jsonb where id = ${victim.id}`.execute(t.db), /只允许追加/)
    await assert.rejects(sql`delete from audit_events where id = ${victim.id}`.execute(t.db), /只允许追加/)
    await assert.rejects(sql`truncate audit_events`.execute(t.db), /只允许追加/)
    assert.equal((await verify()).body.ok, true)
  })

  test('editing a row directly in the database breaks verification at that row', async () => {
    const victim = await t.db
      .selectFrom('auditEvents')
      .select('id')
      .where('action', '=', 'test.chain.append')
      .orderBy('id')
      .offset(10)
      .limit(1)
      .executeTakeFirstOrThrow()
    await asDba(sql`update audit_events set detail = '{"i": 999}'::jsonb where id = ${victim.id}`)
    const res = await verify()
    assert.equal(res.body.ok, false)
    assert.equal(res.body.firstBadId, victim.id)
  })

  test('deleting a row breaks the link of the next one', async () => {
    // Start from an empty chain so the earlier tampering does not mask this one.
    await asDba(sql`delete from audit_events`)
    for (let i = 0; i < 5; i++) await appendAudit(t.db, source(), { action: 'test.chain.delete', detail: { i } })
    const ids = (await t.db.selectFrom('auditEvents').select('id').orderBy('id').execute()).map((r) => r.id)
    assert.equal((await verify()).body.ok, true)
    await asDba(sql`delete from audit_events where id = ${ids[2]}`)
    const res = await verify()
    assert.equal(res.body.ok, false)
    assert.equal(res.body.firstBadId, ids[3])
  })
})
