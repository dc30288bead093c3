import assert from 'node:assert/strict'
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { after, before, describe, test } from 'node:test'
import { setTimeout as sleep } from 'node:timers/promises'
import { verifyAuditChain } from '../platform/audit/chain.ts'
import { verifyCallLogSeals } from '../platform/audit/call-seal.ts'
import type { OpenDatabase } from '../platform/db/database.ts'
import { type World, appToken, approve, conditionalResource, pendingRequest, readRecords, worldAt } from './fixtures.ts'
import { type Server, http, pool, scratchDatabase, startServer, stopServer } from './harness.ts'

/**
 * kill -9 of the real server during share decisions and during a burst of audited gateway calls, on
 * PostgreSQL and on PGlite: after the restart nothing is half-written (a request is either decided with
 * its grant, timeline entry and audit events, or untouched), every answered call is in the call log and
 * sealed into the audit chain, and the chain and the seals verify.
 */
describe('crash safety (kill -9 of the server)', () => {
  const scratch = mkdtempSync(join(tmpdir(), 'govshare-rel-crash-'))
  let database: Awaited<ReturnType<typeof scratchDatabase>>
  let world: World
  let server: Server
  let resource: { id: string; itemIds: string[] }
  const running: Server[] = []

  const launch = async () => {
    server = await startServer(database.env())
    running.push(server)
    return server
  }
  /** After a kill: the database from the test (on PGlite only once the server is gone). */
  const openAfterKill = async (): Promise<OpenDatabase> => {
    if (database.kind === 'pglite') database.releaseStaleLock()
    return database.open()
  }
  const count = async (db: OpenDatabase['db'], table: 'callLogs', grantId: string) =>
    Number(
      (
        await db
          .selectFrom(table)
          .select((eb) => eb.fn.countAll<number>().as('n'))
          .where('grantId', '=', grantId)
          .executeTakeFirstOrThrow()
      ).n,
    )

  before(async () => {
    database = await scratchDatabase(scratch)
    const direct = await database.open()
    // The child servers run on the real clock.
    world = await worldAt(direct.db, new Date())
    await direct.close()
    await launch()
    resource = await conditionalResource(server.baseUrl, world)
  })
  after(async () => {
    for (const s of running) await stopServer(s, 'SIGKILL')
    await database?.drop()
    rmSync(scratch, { recursive: true, force: true })
  })

  test('killed during share decisions: each request is decided completely or not at all', async (ctx) => {
    const ids = await pool(Array.from({ length: 60 }), 6, () => pendingRequest(server.baseUrl, world, resource))
    let answered = 0
    const decisions = pool(ids, 10, async (id) => {
      const res = await approve(server.baseUrl, world, id)
      if (res.status !== 0) answered++
      return res
    })
    while (answered < 5) await sleep(5)
    await stopServer(server, 'SIGKILL')
    const results = await decisions
    const ok = new Set(ids.filter((_, i) => results[i].status === 200))
    ctx.diagnostic(`killed after ${ok.size} of ${ids.length} decisions were answered`)

    const direct = await openAfterKill()
    try {
      let granted = 0
      for (const id of ids) {
        const request = await direct.db.selectFrom('shareRequests').select(['status', 'grantId']).where('id', '=', id).executeTakeFirstOrThrow()
        const grants = await direct.db.selectFrom('grants').select('id').where('requestId', '=', id).execute()
        const timeline = await direct.db.selectFrom('shareRequestEvents').select('action').where('requestId', '=', id).where('action', '=', 'decide').execute()
        const audited = await direct.db
          .selectFrom('auditEvents')
          .select('action')
          .where('objectId', 'in', [id, ...grants.map((g) => g.id)])
          .where('action', 'in', ['sharing.request.decide', 'sharing.grant.create'])
          .execute()
        if (request.status === 'granted') {
          granted++
          assert.equal(grants.length, 1, id)
          assert.equal(request.grantId, grants[0].id)
          assert.equal(timeline.length, 1, id)
          assert.deepEqual(audited.map((a) => a.action).sort(), ['sharing.grant.create', 'sharing.request.decide'], id)
        } else {
          assert.equal(request.status, 'pending', id)
          assert.deepEqual([grants.length, timeline.length, audited.length], [0, 0, 0], id)
          assert.ok(!ok.has(id), `request ${id} was answered 200 but is not granted after the crash`)
        }
      }
      ctx.diagnostic(`${granted} granted, ${ids.length - granted} untouched`)
      assert.ok(granted >= ok.size)
      assert.ok(granted < ids.length, 'the kill came after every decision: nothing was interrupted')
      const chain = await verifyAuditChain(direct.db)
      assert.equal(chain.ok, true, JSON.stringify(chain))
    } finally {
      await direct.close()
    }
  })

  test('killed during a burst of audited gateway calls: every answered call is recorded, the chain verifies', async (ctx) => {
    await launch()
    const { appId, token } = await appToken(server.baseUrl, world, `崩溃测试应用${Date.now()}`)
    const id = await pendingRequest(server.baseUrl, world, resource, [appId])
    const decided = await approve(server.baseUrl, world, id, { rateLimitPerMinute: 100_000, dailyQuota: 10_000_000 })
    assert.equal(decided.status, 200, JSON.stringify(decided.body))
    const grantId = decided.body.grantId as string
    let answered = 0
    let stop = false
    const workers = Array.from({ length: 12 }, async () => {
      while (!stop) {
        const res = await readRecords(server.baseUrl, resource.id, token)
        if (res.status === 0) return
        assert.equal(res.status, 200, JSON.stringify(res.body))
        answered++
      }
    })
    const deadline = Date.now() + 60_000
    while (answered < 150 && Date.now() < deadline) await sleep(5)
    await stopServer(server, 'SIGKILL')
    stop = true
    await Promise.all(workers)
    ctx.diagnostic(`killed after ${answered} answered calls`)
    assert.ok(answered >= 150)

    const direct = await openAfterKill()
    try {
      const logged = await count(direct.db, 'callLogs', grantId)
      const seals = await direct.db
        .selectFrom('auditEvents')
        .select('detail')
        .where('action', '=', 'gateway.records.read')
        .where('grantId', '=', grantId)
        .execute()
      const sealed = seals.reduce((n, e) => n + (e.detail as { calls: number }).calls, 0)
      ctx.diagnostic(`after restart: ${logged} call logs sealed by ${seals.length} audit events`)
      // Answered ⇒ committed (a call answers only after its record commits); committed ⇒ sealed in the same transaction.
      assert.ok(logged >= answered, `${answered} calls answered but ${logged} logged`)
      assert.equal(sealed, logged)
      const seal = await verifyCallLogSeals(direct.db)
      assert.equal(seal.ok, true, JSON.stringify(seal))
      const chain = await verifyAuditChain(direct.db)
      assert.equal(chain.ok, true, JSON.stringify(chain))
    } finally {
      await direct.close()
    }

    // The restarted server carries on: verification over HTTP, a call, a decision.
    await launch()
    const verify = await http(server.baseUrl, 'GET', '/api/v1/audit/verify', { token: world.tokens.auditor })
    assert.equal(verify.status, 200, server.log().slice(-2000))
    assert.equal(verify.body.ok, true)
    assert.equal((await readRecords(server.baseUrl, resource.id, token)).status, 200)
    const next = await pendingRequest(server.baseUrl, world, resource)
    assert.equal((await approve(server.baseUrl, world, next)).status, 200)
    await stopServer(server, 'SIGTERM')
  })
})
