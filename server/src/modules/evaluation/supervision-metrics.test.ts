import assert from 'node:assert/strict'
import { after, before, describe, test } from 'node:test'
import { buildWorld, publishResource } from '../../testing/factories.ts'
import { buildTestApp, type TestApp } from '../../testing/test-app.ts'
import { bj, recordCalls, recordDemand, recordObjection } from './fixtures.ts'

/**
 * M6 (异议处理及时率, with the data error rate beside it) and M10 (需求满足率), SPEC §9, on a small
 * world whose figures are worked out by hand below; each drills down to its objections and demands.
 */

let t: TestApp
let world: Awaited<ReturnType<typeof buildWorld>>
let demandLateFulfilled: string
const PERIOD = { from: '2026-01-01', to: '2026-01-31', label: '2026年1月考核' }

before(async () => {
  t = await buildTestApp()
  world = await buildWorld(t.db)
  const entry = await publishResource(t, { cataloger: world.tokens.cataloger, authAdmin: world.tokens.authAdmin })
  const A = world.deptA.id
  const B = world.deptB.id
  const raised = { resourceId: entry.id, providerOrgId: A, raiserOrgId: B, raisedBy: world.users.requester.id }
  await recordObjection(t.db, {
    ...raised,
    recordKeys: ['91370700MA00000001', '91370700MA00000002'],
    verifyDueAt: bj('2026-01-12T23:59:59'),
    verifiedAt: bj('2026-01-10T09:00:00'),
    confirmed: true,
  }) // on time, 2 records wrong
  await recordObjection(t.db, { ...raised, recordKeys: ['91370700MA00000003'], verifyDueAt: bj('2026-01-20T23:59:59'), verifiedAt: bj('2026-01-22T09:00:00') }) // late, explained
  await recordObjection(t.db, { ...raised, recordKeys: ['91370700MA00000004'], verifyDueAt: bj('2026-01-28T23:59:59') }) // never answered
  await recordObjection(t.db, {
    ...raised,
    recordKeys: ['91370700MA00000005', '91370700MA00000006', '91370700MA00000007'],
    verifyDueAt: bj('2026-01-25T23:59:59'),
    verifiedAt: bj('2026-02-03T09:00:00'),
    confirmed: true,
  }) // late; confirmed after the period
  await recordObjection(t.db, {
    ...raised,
    recordKeys: ['91370700MA00000008'],
    verifyDueAt: bj('2026-02-05T23:59:59'),
    verifiedAt: bj('2026-01-30T09:00:00'),
    confirmed: true,
  }) // due after: not counted
  // Records delivered to consumers in January: 4 calls × 5 rows.
  await recordCalls(t.db, { providerOrgId: A, consumerOrgId: B, resourceId: entry.id, at: bj('2026-01-15T10:00:00'), count: 4, rows: 5 })

  const demand = { requesterOrgId: B, createdBy: world.users.requester.id, providerOrgId: A }
  await recordDemand(t.db, { ...demand, providerDueAt: bj('2026-01-15T23:59:59'), outcome: 'fulfilled', doneAt: bj('2026-01-14T09:00:00') }) // met, on time
  await recordDemand(t.db, { ...demand, providerDueAt: bj('2026-01-16T23:59:59'), outcome: 'fulfilled', doneAt: bj('2026-01-19T09:00:00') }) // met, late
  await recordDemand(t.db, { ...demand, providerDueAt: bj('2026-01-20T23:59:59'), outcome: 'declined', doneAt: bj('2026-01-18T09:00:00') }) // not met
  demandLateFulfilled = await recordDemand(t.db, { ...demand, providerDueAt: bj('2026-01-30T23:59:59'), outcome: 'accepted' }) // open at the end
  await recordDemand(t.db, { ...demand, providerDueAt: bj('2026-01-29T23:59:59'), outcome: 'fulfilled', doneAt: bj('2026-02-02T09:00:00') }) // fulfilled after the period
  await recordDemand(t.db, { ...demand, providerDueAt: bj('2026-02-10T23:59:59') }) // due after: not counted
})
after(() => t.close())

type Line = { id: string; numerator: number; denominator: number; value: number | null; score: number | null; detail?: Record<string, number> }
const line = (row: { indicators: Line[] }, id: string) => row.indicators.find((i) => i.id === id)!

async function run() {
  const created = await t.request('POST', '/api/v1/evaluation/runs', { token: world.tokens.authAdmin, body: PERIOD })
  assert.equal(created.status, 201, JSON.stringify(created.body))
  const scores = await t.request('GET', `/api/v1/evaluation/runs/${created.body.id}/scores`, { token: world.tokens.authAdmin })
  assert.equal(scores.status, 200)
  const of = (orgId: string) => scores.body.items.find((i: { orgId: string }) => i.orgId === orgId)
  return { runId: created.body.id as string, a: of(world.deptA.id), b: of(world.deptB.id) }
}

describe('M6 and M10 from the recorded objections and demands', () => {
  let first: Awaited<ReturnType<typeof run>>

  test('hand-computed figures', async () => {
    first = await run()
    // M6: verifications due in January 4 (12th answered on the 10th ✓, 20th answered 22nd ✗, 28th never ✗,
    // 25th answered in February ✗) → 1/4 = 25. Error rate: 2 records confirmed by the end / 20 delivered.
    const m6 = line(first.a, 'M6')
    assert.deepEqual([m6.numerator, m6.denominator, m6.score], [1, 4, 25])
    assert.deepEqual(m6.detail, { confirmedRecords: 2, recordsDelivered: 20 })
    // M10: responses due in January 5 (fulfilled 14th ✓, fulfilled late 19th ✓, declined ✗, open ✗, fulfilled in February ✗) → 2/5 = 40.
    const m10 = line(first.a, 'M10')
    assert.deepEqual([m10.numerator, m10.denominator, m10.score], [2, 5, 40])
    // The requesting department had none to answer: not applicable, left out of its total.
    assert.deepEqual([line(first.b, 'M6').score, line(first.b, 'M10').score], [null, null])
  })

  test('each figure drills down to the objections and demands it counts', async () => {
    const evidence = async (id: string) => {
      const res = await t.request('GET', `/api/v1/evaluation/runs/${first.runId}/scores/${world.deptA.id}/indicators/${id}/evidence?pageSize=50`, {
        token: world.tokens.authAdmin,
      })
      assert.equal(res.status, 200, JSON.stringify(res.body))
      return res.body.items as { objectType: string; day: string; ok: boolean; amount: number | null; detail: Record<string, unknown> }[]
    }
    const m6 = await evidence('M6')
    assert.deepEqual(m6.map((e) => [e.objectType, e.day, e.ok, e.amount]).sort(), [
      ['objection', '2026-01-12', true, 2],
      ['objection', '2026-01-20', false, 0],
      ['objection', '2026-01-25', false, 0],
      ['objection', '2026-01-28', false, 0],
    ])
    // A fact after the period is not shown in it: the February answer reads as none.
    assert.equal(m6.find((e) => e.day === '2026-01-25')!.detail.verifiedAt, null)
    const m10 = await evidence('M10')
    assert.deepEqual(m10.map((e) => [e.objectType, e.day, e.ok, e.detail.onTime]).sort(), [
      ['demand', '2026-01-15', true, true],
      ['demand', '2026-01-16', true, false],
      ['demand', '2026-01-20', false, false],
      ['demand', '2026-01-29', false, false],
      ['demand', '2026-01-30', false, false],
    ])
  })

  test('a later fulfilment does not change January: recomputing gives the same figures', async () => {
    await t.db
      .updateTable('demands')
      .set({ status: 'fulfilled', providerDoneAt: bj('2026-02-20T09:00:00') })
      .where('id', '=', demandLateFulfilled)
      .execute()
    const again = await run()
    for (const id of ['M6', 'M10']) assert.deepEqual(line(again.a, id), line(first.a, id), id)
  })
})
