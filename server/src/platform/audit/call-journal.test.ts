import assert from 'node:assert/strict'
import { randomUUID } from 'node:crypto'
import { after, before, describe, test } from 'node:test'
import { setTimeout as sleep } from 'node:timers/promises'
import { sql } from 'kysely'
import { appendAudit, lockChainHead, verifyAuditChain } from './chain.ts'
import { buildWorld } from '../../testing/factories.ts'
import { testDatabaseUrl } from '../../testing/template.ts'
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
      ...Array.from({ length: 3 }, () =>
        callLog({ appId: appA, resourceId: resource, result: 'denied', errorClass: '超限', errorCode: 'RATE_LIMITED', upstreamInAt: null, rowsReturned: 0 }),
      ),
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
    assert.deepEqual(
      (events[0].detail as { requestIds: string[] }).requestIds,
      calls.slice(0, 5).map((c) => c.requestId),
    )
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

  /** The call logs of `resource` and the events sealing them, with each event's link. */
  const sealedCalls = async (resource: string) => {
    const logs = await t.db.selectFrom('callLogs').select(['id', 'requestId']).where('resourceId', '=', resource).orderBy('id').execute()
    const seals = await t.db.selectFrom('auditEvents').select(['id', 'at', 'prevHash', 'detail']).where('objectId', '=', resource).orderBy('id').execute()
    return { logs, seals }
  }

  /**
   * Records `calls` while another transaction holds the chain lock and then appends an event; returns the
   * statement the journal was waiting in and that event's hash.
   */
  async function recordBehindAnotherAppend(journal: CallJournal, calls: CallLog[]) {
    let recorded: Promise<unknown> = Promise.resolve()
    let waitingIn = ''
    let otherHash = ''
    await t.db.transaction().execute(async (trx) => {
      await lockChainHead(trx)
      recorded = Promise.all(calls.map((c) => journal.record(c)))
      const waiting = async () =>
        (
          await sql<{ query: string }>`select a.query from pg_locks l join pg_stat_activity a on a.pid = l.pid
            where l.locktype = 'advisory' and l.objid = 7370701 and not l.granted`.execute(t.db)
        ).rows
      for (let i = 0; i < 200 && (await waiting()).length === 0; i++) await sleep(25)
      const waiters = await waiting()
      assert.equal(waiters.length, 1, 'the journal should be waiting for the chain lock')
      waitingIn = waiters[0].query
      await appendAudit(trx, { actorId: null, orgId: null, roles: [], ip: null, requestId: null, at: new Date() }, { action: 'test.chain.meanwhile' })
      otherHash = (await trx.selectFrom('auditEvents').select('hash').orderBy('id', 'desc').limit(1).executeTakeFirstOrThrow()).hash
    })
    await recorded
    return { waitingIn, otherHash }
  }

  test('an append between reading the chain head and committing: the batch is sealed again after it, and the next one under the lock (PostgreSQL)', {
    skip: testDatabaseUrl() ? false : 'needs a second connection',
  }, async () => {
    const journal = new CallJournal(t.db)
    for (const [round, expected] of [
      ['optimistic commit', /call_journal_commit/],
      // Within a second of a lost race, the journal takes the lock first, as every other append does.
      ['after a lost race', /audit_chain_lock_head/],
    ] as const) {
      const resource = randomUUID()
      const calls = Array.from({ length: 3 }, () => callLog({ resourceId: resource }))
      const { waitingIn, otherHash } = await recordBehindAnotherAppend(journal, calls)
      assert.match(waitingIn, expected, round)
      const { logs, seals } = await sealedCalls(resource)
      assert.deepEqual(new Set(logs.map((l) => l.requestId)), new Set(calls.map((c) => c.requestId)), round)
      assert.equal(seals.length, 1, round)
      // Chained after the event that committed first, not after the head the journal read.
      assert.equal(seals[0].prevHash, otherHash, round)
      assert.deepEqual(
        (seals[0].detail as { callLogIds: number[] }).callLogIds,
        logs.map((l) => Number(l.id)),
        round,
      )
    }
    assert.equal((await verifyAuditChain(t.db)).ok, true)
    assert.equal((await verifyCallLogSeals(t.db)).ok, true)
  })

  test('after a batch under the lock the journal knows where the chain ends: the next batch is one statement', async () => {
    const sent: string[] = []
    const watched = t.db.withPlugin({
      transformQuery(args) {
        sent.push(JSON.stringify(args.node))
        return args.node
      },
      async transformResult(args) {
        return args.result
      },
    })
    const journal = new CallJournal(watched)
    // A month with no partition yet: its first batch goes under the lock.
    const later = new Date('2030-02-11T04:00:00.000Z')
    const first = Array.from({ length: 2 }, () => callLog({ resourceId: randomUUID(), requestInAt: later, responseOutAt: later }))
    await Promise.all(first.map((c) => journal.record(c)))
    assert.ok(sent.some((q) => q.includes('audit_chain_lock_head')))
    sent.length = 0
    await journal.record(callLog({ resourceId: randomUUID(), requestInAt: later, responseOutAt: later }))
    assert.deepEqual(
      sent.map((q) =>
        q.includes('call_journal_commit') ? 'commit' : q.includes('call_journal_reserve') ? 'reserve' : q.includes('audit_chain_lock_head') ? 'lock' : 'other',
      ),
      ['commit'],
    )
    assert.equal((await verifyAuditChain(t.db)).ok, true)
    assert.equal((await verifyCallLogSeals(t.db)).ok, true)
  })

  // Last here: the chain's head moves to a later month.
  test('a batch in a month with no audit partition yet creates it, under the chain lock', async () => {
    const journal = new CallJournal(t.db)
    const resource = randomUUID()
    const later = new Date('2031-05-20T04:00:00.000Z')
    const partition = async () =>
      (await sql<{ name: string | null }>`select to_regclass('audit_partitions.audit_events_203105')::text as name`.execute(t.db)).rows[0].name
    assert.equal(await partition(), null)
    const calls = Array.from({ length: 2 }, () => callLog({ resourceId: resource, requestInAt: later, responseOutAt: later }))
    await Promise.all(calls.map((c) => journal.record(c)))
    assert.equal(await partition(), 'audit_partitions.audit_events_203105')
    const { logs, seals } = await sealedCalls(resource)
    assert.equal(logs.length, 2)
    assert.deepEqual(
      seals.map((e) => new Date(e.at).toISOString()),
      [later.toISOString()],
    )
    assert.equal((await verifyAuditChain(t.db)).ok, true)
    assert.equal((await verifyCallLogSeals(t.db)).ok, true)
  })
})
