import assert from 'node:assert/strict'
import { after, before, describe, test } from 'node:test'
import { buildWorld } from '../../testing/factories.ts'
import { type TestApp, buildTestApp } from '../../testing/test-app.ts'
import { verifyAuditChain } from './chain.ts'
import { DENIAL_WINDOW_MS, DenialLog } from './denials.ts'

type Repeated = { count: number; firstAt: string; lastAt: string; subjects?: string[]; moreSubjects?: number }
const repeatedOf = (detail: unknown) => (detail as { repeated?: Repeated }).repeated

/** Issue 13 §8: repeated denials are summed in the audit chain, so a flood cannot fill it. */
describe('repeated denials in the audit chain', () => {
  let t: TestApp
  let world: Awaited<ReturnType<typeof buildWorld>>
  before(async () => {
    t = await buildTestApp()
    world = await buildWorld(t.db)
  })
  after(() => t.close())

  const deniedCreates = () =>
    t.db
      .selectFrom('auditEvents')
      .select(['id', 'at', 'detail', 'requestId'])
      .where('action', '=', 'orgs.org.create')
      .where('actorId', '=', world.users.requester.id)
      .orderBy('id')
      .execute()

  test('50 refused requests of one user on one route: one event at once, one with the count at the end of the window', async () => {
    t.clock.set('2026-03-02T02:00:00Z')
    for (let i = 0; i < 50; i++) {
      const res = await t.request('POST', '/api/v1/orgs', { token: world.tokens.requester, body: { name: '不该建的单位', kind: 'department' } })
      assert.equal(res.status, 403)
      if (i === 29) t.clock.advanceMinutes(1)
    }
    const atOnce = await deniedCreates()
    assert.equal(atOnce.length, 1, 'the first refusal is written at once, the repeats are only counted')
    assert.ok(atOnce[0].requestId)

    // The window ends: the next refusal first writes the count of the one before.
    t.clock.advanceMinutes(DENIAL_WINDOW_MS / 60_000)
    assert.equal((await t.request('POST', '/api/v1/orgs', { token: world.tokens.requester, body: { name: '不该建的单位', kind: 'department' } })).status, 403)
    const events = await deniedCreates()
    assert.equal(events.length, 3)
    const summary = repeatedOf(events[1].detail)
    assert.deepEqual(summary && { count: summary.count, firstAt: summary.firstAt, lastAt: summary.lastAt }, {
      count: 49,
      firstAt: '2026-03-02T02:00:00.000Z',
      lastAt: '2026-03-02T02:01:00.000Z',
    })
    assert.equal(events[1].requestId, null, 'many requests: none named')
    assert.equal(repeatedOf(events[2].detail), undefined, 'a new window starts with a plain event')
    assert.equal((await verifyAuditChain(t.db)).ok, true)
  })

  test('refusals of different kinds (users, routes) are not merged; subjects are listed', async () => {
    const log = new DenialLog(t.db, t.clock.now, (error) => assert.fail(String(error)))
    try {
      const source = (ip: string) => ({ actorId: null, orgId: null, roles: [], ip, requestId: null, at: t.clock.now() })
      const event = { action: 'test.denials.kind', result: 'denied' as const, detail: { reason: 'x' } }
      // Concurrent repeats: only the first is written, whatever the interleaving.
      await Promise.all(Array.from({ length: 25 }, (_, i) => log.record(source('10.0.0.1'), event, { kind: 'x', subject: `user${i}` })))
      await log.record(source('10.0.0.2'), event, { kind: 'x', subject: 'other' })
      await log.record(source('10.0.0.1'), event, { kind: 'y', subject: 'other' })
      const written = () => t.db.selectFrom('auditEvents').select(['ip', 'detail']).where('action', '=', 'test.denials.kind').orderBy('id').execute()
      assert.equal((await written()).length, 3)
      await log.flush()
      const all = await written()
      assert.equal(all.length, 4)
      const summary = repeatedOf(all[3].detail)!
      assert.equal(summary.count, 24)
      assert.equal(summary.subjects!.length, 20)
      assert.equal(summary.moreSubjects, 4)
      await log.flush()
      assert.equal((await written()).length, 4, 'nothing more to write')
    } finally {
      await log.close()
    }
  })
})
