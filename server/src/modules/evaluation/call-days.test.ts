import assert from 'node:assert/strict'
import { randomUUID } from 'node:crypto'
import { after, before, describe, test } from 'node:test'
import { sql } from 'kysely'
import { buildWorld, refreshTokens } from '../../testing/factories.ts'
import { buildTestApp, type TestApp } from '../../testing/test-app.ts'
import { bj, recordCalls } from './fixtures.ts'

/**
 * M9 reads whole days from the call-log roll-up and the unfinished day from call_logs: its evidence
 * must be what grouping call_logs directly gives, for a period that has ended and for one computed
 * before it is over (mid-day, with calls recorded after the computation time).
 */
describe('M9 call days: roll-up and call logs agree', () => {
  let t: TestApp
  let world: Awaited<ReturnType<typeof buildWorld>>
  before(async () => {
    t = await buildTestApp()
    world = await buildWorld(t.db)
    const A = world.deptA.id
    const B = world.deptB.id
    const resourceId = randomUUID()
    const calls = (providerOrgId: string, consumerOrgId: string, at: string, count: number, result: 'success' | 'denied' = 'success') =>
      recordCalls(t.db, { providerOrgId, consumerOrgId, resourceId, at: bj(at), count, rows: 3, result })
    await calls(A, B, '2026-02-27T23:59:50', 3) // 23:59:50–52 on the 27th
    await calls(A, B, '2026-02-28T00:00:00', 2)
    await calls(B, A, '2026-03-01T08:00:00', 4)
    await calls(A, B, '2026-03-01T09:00:00', 2, 'denied')
    await calls(A, A, '2026-03-01T09:00:00', 2) // a department calling its own data is not counted
    await calls(A, B, '2026-03-02T09:59:00', 5) // today, before the computation time
    await calls(A, B, '2026-03-02T10:30:00', 7) // today, after it
    await calls(B, A, '2026-03-03T10:00:00', 1)
    // A late row: received on the 28th, written after everything else.
    await calls(A, B, '2026-02-28T18:00:00', 1)
    t.clock.set(bj('2026-03-02T10:00:00'))
    await refreshTokens(t.db, world, t.clock.now())
  })
  after(() => t.close())

  // M9 as it was computed before the roll-up: a grouping of the call logs themselves.
  const reference = (fromAt: Date, untilAt: Date) =>
    sql<{ row: string }>`
      select concat_ws('|', c.provider_org_id, c.consumer_org_id, ((c.request_in_at + interval '8 hours') at time zone 'UTC')::date, count(*), sum(c.rows_returned)) as row
      from call_logs c join orgs o on o.id = c.consumer_org_id
      where c.result = 'success' and c.request_in_at >= ${fromAt} and c.request_in_at < ${untilAt}
        and c.provider_org_id in (select id from orgs where kind = 'department') and c.consumer_org_id <> c.provider_org_id
      group by c.provider_org_id, c.consumer_org_id, ((c.request_in_at + interval '8 hours') at time zone 'UTC')::date order by 1`.execute(t.db)
  const evidence = (runId: string) =>
    sql<{ row: string }>`
      select concat_ws('|', org_id, object_id, day, amount, detail->>'rows') as row
      from evaluation_evidence where run_id = ${runId} and indicator = 'M9' order by 1`.execute(t.db)
  const run = async (body: { from: string; to: string }) => {
    const created = await t.request('POST', '/api/v1/evaluation/runs', { token: world.tokens.authAdmin, body })
    assert.equal(created.status, 201, JSON.stringify(created.body))
    return created.body.id as string
  }

  test('a period that has ended', async () => {
    const id = await run({ from: '2026-02-27', to: '2026-03-01' })
    const expected = (await reference(bj('2026-02-27T00:00:00'), bj('2026-03-02T00:00:00'))).rows
    assert.deepEqual(expected.map((r) => r.row.split('|').slice(2)).sort(), [
      ['2026-02-27', '3', '9'],
      ['2026-02-28', '3', '9'],
      ['2026-03-01', '4', '12'],
    ])
    assert.deepEqual((await evidence(id)).rows, expected)
  })

  test('a period computed before it is over counts today up to the computation time only', async () => {
    const id = await run({ from: '2026-02-28', to: '2026-03-31' })
    const expected = (await reference(bj('2026-02-28T00:00:00'), bj('2026-03-02T10:00:00'))).rows
    assert.deepEqual(expected.map((r) => r.row.split('|').slice(2)).sort(), [
      ['2026-02-28', '3', '9'],
      ['2026-03-01', '4', '12'],
      ['2026-03-02', '5', '15'],
    ])
    assert.deepEqual((await evidence(id)).rows, expected)
    // A period of today alone reads only call logs.
    const today = await run({ from: '2026-03-02', to: '2026-03-02' })
    assert.deepEqual((await evidence(today)).rows, (await reference(bj('2026-03-02T00:00:00'), bj('2026-03-02T10:00:00'))).rows)
    assert.equal((await evidence(today)).rows.length, 1)
  })
})
