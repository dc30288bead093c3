import assert from 'node:assert/strict'
import { randomUUID } from 'node:crypto'
import { after, before, describe, test } from 'node:test'
import { verifyAuditChain } from '../../platform/audit/chain.ts'
import { buildWorld } from '../../testing/factories.ts'
import { type TestApp, buildTestApp } from '../../testing/test-app.ts'
import { CallJournal } from './call-journal.ts'
import { type CallLog, verifyCallLogSeals } from './call-seal.ts'

describe('call journal: group commit and seals', () => {
  let t: TestApp
  let auditorToken: string
  before(async () => {
    t = await buildTestApp()
    auditorToken = (await buildWorld(t.db)).tokens.auditor
  })
  after(() => t.close())

  const at = new Date('2026-03-02T02:00:00.123Z')
  const callLog = (overrides: Partial<CallLog>): CallLog => ({
    requestInAt: at,
    upstreamOutAt: at,
    upstreamInAt: at,
    responseOutAt: at,
    requestBytes: 0,
    responseBytes: 120,
    consumerOrgId: null,
    appId: null,
    resourceId: null,
    providerOrgId: null,
    grantId: null,
    requestId: `req-${randomUUID()}`,
    ip: '10.1.2.3',
    paramsDigest: 'ab'.repeat(32),
    rowsReturned: 1,
    result: 'success',
    errorClass: null,
    errorCode: null,
    businessRef: 'BJ2026030200001',
    ...overrides,
  })

  test('calls queued together commit in one batch, sealed by one event per app, resource and outcome', async () => {
    const journal = new CallJournal(t.db)
    const appA = randomUUID()
    const appB = randomUUID()
    // Upper-case ids, null times and text with quotes and commas go through the array parameters unchanged.
    const resource = randomUUID().toUpperCase()
    const calls = [
      ...Array.from({ length: 5 }, (_, i) => callLog({ appId: appA, resourceId: resource, rowsReturned: i, businessRef: `办件,"${i}"` })),
      ...Array.from({ length: 3 }, () => callLog({ appId: appA, resourceId: resource, result: 'denied', errorClass: '超限', errorCode: 'RATE_LIMITED', upstreamInAt: null, rowsReturned: 0 })),
      callLog({ appId: appB, resourceId: resource, upstreamOutAt: null, upstreamInAt: null }),
    ]
    await Promise.all(calls.map((c) => journal.record(c)))
    await journal.idle()

    const rows = await t.db.selectFrom('callLogs').selectAll().where('resourceId', '=', resource.toLowerCase()).orderBy('id').execute()
    assert.deepEqual(
      rows.map((r) => [r.appId, r.result, r.businessRef, r.rowsReturned, r.upstreamInAt && new Date(r.upstreamInAt).toISOString()]),
      calls.map((c) => [c.appId, c.result, c.businessRef, c.rowsReturned, c.upstreamInAt ? at.toISOString() : null]),
    )
    const events = await t.db
      .selectFrom('auditEvents')
      .select(['appId', 'result', 'requestId', 'ip', 'detail'])
      .where('action', '=', 'gateway.records.read')
      .where('objectId', '=', resource.toLowerCase())
      .orderBy('id')
      .execute()
    assert.deepEqual(
      events.map((e) => [e.appId, e.result, (e.detail as { calls: number }).calls, (e.detail as { rows: number }).rows, (e.detail as { code?: string }).code]),
      [
        [appA, 'success', 5, 10, undefined],
        [appA, 'denied', 3, 0, 'RATE_LIMITED'],
        [appB, 'success', 1, 1, undefined],
      ],
    )
    const ids = rows.map((r) => Number(r.id))
    assert.deepEqual((events[0].detail as { callLogIds: number[] }).callLogIds, ids.slice(0, 5))
    assert.deepEqual((events[0].detail as { requestIds: string[] }).requestIds, calls.slice(0, 5).map((c) => c.requestId))
    // A group of one keeps the call's own request id, as an event per call always did.
    assert.equal(events[2].requestId, calls[8].requestId)
    assert.equal(events[0].requestId, null)
    assert.equal(events[0].ip, '10.1.2.3')

    // The audit search by request id finds a call sealed in a group too.
    const byRequest = (await t.request('GET', `/api/v1/audit/events?requestId=${calls[3].requestId}`, { token: auditorToken })).body
    assert.equal(byRequest.total, 1, JSON.stringify(byRequest))
    assert.deepEqual(byRequest.items[0].detail.callLogIds, ids.slice(0, 5))

    assert.equal((await verifyAuditChain(t.db)).ok, true)
    const seals = await verifyCallLogSeals(t.db)
    assert.deepEqual(seals, { ok: true, sealEvents: 3, sealedCalls: 9, firstBadEventId: null, unsealedCalls: 0 })
  })

  test('a record the database refuses fails its own call only; the rest of the batch commits and is sealed', async () => {
    const journal = new CallJournal(t.db)
    const resource = randomUUID()
    const good = Array.from({ length: 4 }, () => callLog({ resourceId: resource }))
    const bad = callLog({ resourceId: resource, rowsReturned: 2 ** 40 })
    const outcomes = await Promise.allSettled([...good.slice(0, 2), bad, ...good.slice(2)].map((c) => journal.record(c)))
    assert.deepEqual(
      outcomes.map((o) => o.status),
      ['fulfilled', 'fulfilled', 'rejected', 'fulfilled', 'fulfilled'],
    )
    const rows = await t.db.selectFrom('callLogs').select('requestId').where('resourceId', '=', resource).execute()
    assert.deepEqual(new Set(rows.map((r) => r.requestId)), new Set(good.map((c) => c.requestId)))
    assert.equal((await verifyCallLogSeals(t.db)).ok, true)
  })
})
