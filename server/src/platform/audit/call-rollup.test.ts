import assert from 'node:assert/strict'
import { randomUUID } from 'node:crypto'
import { after, before, describe, test } from 'node:test'
import { sql } from 'kysely'
import { type TestApp, buildTestApp } from '../../testing/test-app.ts'
import { CallJournal } from './call-journal.ts'
import type { CallLog } from './call-seal.ts'

/**
 * The daily roll-up of call logs (migration 0046) must equal a direct count of call_logs whatever wrote
 * them: the call journal's batches, single calls, plain multi-row inserts, late rows, rolled-back and
 * concurrent writers, across Beijing midnight.
 */
describe('call_log_daily: the daily roll-up of call logs', () => {
  let t: TestApp
  before(async () => {
    t = await buildTestApp()
  })
  after(() => t.close())

  // A small deterministic generator, so a failure can be replayed.
  let seed = 20261207
  const rand = () => {
    seed = (seed * 1103515245 + 12345) % 2 ** 31
    return seed / 2 ** 31
  }
  const pick = <T>(xs: readonly T[]) => xs[Math.floor(rand() * xs.length)]!
  const orgs = [randomUUID(), randomUUID(), randomUUID(), null] as const
  const apps = [randomUUID(), randomUUID(), null] as const
  const resources = [randomUUID(), randomUUID(), null] as const
  // 2026-03-01 16:00Z is 2026-03-02 00:00 in Beijing: calls fall on both sides of it, to the millisecond.
  const midnight = Date.parse('2026-03-01T16:00:00Z')
  const randomCall = (): CallLog => {
    const at = new Date(midnight + Math.round((rand() - 0.5) * 3 * 86_400_000))
    const result = pick(['success', 'success', 'success', 'denied', 'error'] as const)
    return {
      requestInAt: at,
      upstreamOutAt: null,
      upstreamInAt: null,
      responseOutAt: at,
      requestBytes: 0,
      responseBytes: 0,
      consumerOrgId: pick(orgs),
      appId: pick(apps),
      resourceId: pick(resources),
      providerOrgId: pick(orgs),
      grantId: null,
      requestId: null,
      ip: null,
      paramsDigest: null,
      rowsReturned: result === 'success' ? Math.floor(rand() * 50) : 0,
      result,
      errorClass: null,
      errorCode: null,
      businessRef: null,
    }
  }
  const insertDirect = (db: typeof t.db, calls: CallLog[]) => db.insertInto('callLogs').values(calls).execute()

  const direct = async () =>
    (
      await sql<Record<string, unknown>>`
        select ((request_in_at + interval '8 hours') at time zone 'UTC')::date::text as day, provider_org_id, consumer_org_id, app_id, resource_id, result,
               count(*)::bigint as calls, sum(rows_returned)::bigint as rows, min(id) as first_id
        from call_logs group by 1, 2, 3, 4, 5, 6 order by 1, 2, 3, 4, 5, 6`.execute(t.db)
    ).rows
  const rolledUp = async () =>
    (
      await sql<Record<string, unknown>>`
        select day::text as day, provider_org_id, consumer_org_id, app_id, resource_id, result, calls, rows_returned as rows, first_id
        from call_log_daily order by 1, 2, 3, 4, 5, 6`.execute(t.db)
    ).rows

  test('calls written through the journal, in batches and alone, and by plain inserts roll up to a direct count', async () => {
    const journal = new CallJournal(t.db)
    // Batches: calls queued in the same tick are written together.
    for (let round = 0; round < 5; round++) {
      await Promise.all(Array.from({ length: 40 + round * 30 }, () => journal.record(randomCall())))
    }
    // Alone: one call per commit.
    for (let i = 0; i < 10; i++) await journal.record(randomCall())
    await journal.idle()
    await insertDirect(t.db, Array.from({ length: 300 }, randomCall))
    const expected = await direct()
    assert.ok(expected.length > 30, `enough groups to mean something (${expected.length})`)
    assert.ok(new Set(expected.map((r) => r.day)).size >= 3, 'calls on both sides of Beijing midnight')
    assert.ok(
      expected.some((r) => r.consumerOrgId === null && r.appId === null),
      'NULL keys are grouped too',
    )
    assert.deepEqual(await rolledUp(), expected)
  })

  test('a late row adds to its own closed day, and the millisecond before Beijing midnight is the day before', async () => {
    const consumer = randomUUID()
    const base = {
      ...randomCall(),
      consumerOrgId: consumer,
      providerOrgId: orgs[0],
      appId: null,
      resourceId: null,
      result: 'success' as const,
      rowsReturned: 2,
    }
    await insertDirect(t.db, [
      { ...base, requestInAt: new Date(midnight - 1) },
      { ...base, requestInAt: new Date(midnight) },
    ])
    // Journaled a day later, for a call received before midnight.
    await insertDirect(t.db, [{ ...base, requestInAt: new Date(midnight - 60_000), responseOutAt: new Date(midnight + 86_400_000) }])
    const days = await t.db.selectFrom('callLogDaily').select(['day', 'calls', 'rowsReturned']).where('consumerOrgId', '=', consumer).orderBy('day').execute()
    assert.deepEqual(
      days.map((d) => [String(d.day).slice(0, 10), Number(d.calls), Number(d.rowsReturned)]),
      [
        ['2026-03-01', 2, 4],
        ['2026-03-02', 1, 2],
      ],
    )
    assert.deepEqual(await rolledUp(), await direct())
  })

  test('a rolled-back insert leaves no trace, and concurrent writers of the same groups all count', async () => {
    const before = await rolledUp()
    await assert.rejects(
      t.db.transaction().execute(async (trx) => {
        await insertDirect(trx, Array.from({ length: 50 }, randomCall))
        throw new Error('rolled back')
      }),
      /rolled back/,
    )
    assert.deepEqual(await rolledUp(), before)
    // The same few groups from several transactions at once (on PostgreSQL they really overlap).
    const same = () =>
      Array.from({ length: 30 }, () => ({ ...randomCall(), consumerOrgId: pick(orgs.slice(0, 2)), appId: null, resourceId: null, providerOrgId: orgs[2] }))
    await Promise.all(Array.from({ length: 6 }, () => t.db.transaction().execute((trx) => insertDirect(trx, same()))))
    assert.deepEqual(await rolledUp(), await direct())
  })
})
