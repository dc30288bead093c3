import assert from 'node:assert/strict'
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { after, before, describe, test } from 'node:test'
import { setTimeout as sleep } from 'node:timers/promises'
import { verifyAuditChain } from '../platform/audit/chain.ts'
import type { OpenDatabase } from '../platform/db/database.ts'
import { TEST_PASSWORD } from '../testing/factories.ts'
import { testDatabaseUrl } from '../testing/template.ts'
import { type World, appToken, approve, conditionalResource, pendingRequest, readRecords, refreshTokensAt, worldAt } from './fixtures.ts'
import { type Server, http, pool, scratchDatabase, startServer, stopServer } from './harness.ts'

/**
 * Two server processes on one PostgreSQL, both running the background tasks, under concurrent load:
 * every guarantee that must hold across processes (SPEC §7.5 escalation once, one decision per request,
 * the gateway's shared rate limit, one audit chain). PGlite is one process by design: skipped there.
 */
describe('two server processes on one PostgreSQL', { skip: testDatabaseUrl() ? false : 'PGlite serves one process by design' }, () => {
  const scratch = mkdtempSync(join(tmpdir(), 'govshare-two-'))
  const clockFile = join(scratch, 'clock-offset-ms')
  let database: Awaited<ReturnType<typeof scratchDatabase>>
  let direct: OpenDatabase
  let servers: Server[] = []
  let world: World
  let resource: { id: string; itemIds: string[] }
  let offsetMs = 0
  const serverNow = () => new Date(Date.now() + offsetMs)
  const setOffset = (ms: number) => {
    offsetMs = ms
    writeFileSync(clockFile, String(ms))
  }
  const [a, b] = [() => servers[0].baseUrl, () => servers[1].baseUrl]

  before(async () => {
    setOffset(0)
    database = await scratchDatabase(scratch)
    direct = await database.open()
    world = await worldAt(direct.db, serverNow())
    const env = { ...database.env(), NODE_ENV: 'test', GOVSHARE_TEST_CLOCK_FILE: clockFile, GOVSHARE_TEST_TASK_INTERVAL_MS: '250' }
    servers = await Promise.all([startServer(env), startServer(env)])
    resource = await conditionalResource(a(), world)
  })
  after(async () => {
    for (const server of servers) await stopServer(server, 'SIGTERM')
    await direct?.close()
    await database?.drop()
    rmSync(scratch, { recursive: true, force: true })
  })

  test('two concurrent decisions on one request, one per process: exactly one 200 and one 409', async () => {
    const ids = await Promise.all(Array.from({ length: 12 }, () => pendingRequest(a(), world, resource)))
    const outcomes = await Promise.all(
      ids.map(async (id, i) => {
        const [first, second] = i % 2 === 0 ? [a(), b()] : [b(), a()]
        const results = await Promise.all([
          approve(first, world, id),
          http(second, 'POST', `/api/v1/share-requests/${id}/decision`, {
            token: world.tokens.approver,
            body: { decision: 'reject', reason: '并发测试：另一进程' },
          }),
        ])
        return { id, statuses: results.map((r) => r.status).sort(), approved: results[0].status === 200 }
      }),
    )
    for (const outcome of outcomes) assert.deepEqual(outcome.statuses, [200, 409], `${outcome.id}: ${outcome.statuses}`)
    for (const outcome of outcomes) {
      const grants = await direct.db.selectFrom('grants').select('id').where('requestId', '=', outcome.id).execute()
      assert.equal(grants.length, outcome.approved ? 1 : 0)
      const decided = await direct.db
        .selectFrom('auditEvents')
        .select('id')
        .where('objectId', '=', outcome.id)
        .where('action', '=', 'sharing.request.decide')
        .where('result', '=', 'success')
        .execute()
      assert.equal(decided.length, 1)
    }
  })

  test('the gateway rate limit holds across both processes', async (ctx) => {
    const { appId, token } = await appToken(a(), world, '限流测试应用')
    const id = await pendingRequest(a(), world, resource, [appId])
    const decided = await approve(b(), world, id, { rateLimitPerMinute: 20 })
    assert.equal(decided.status, 200, JSON.stringify(decided.body))
    // One fixed one-minute window: start early in a minute so the burst does not straddle two.
    const intoMinute = serverNow().getTime() % 60_000
    if (intoMinute > 40_000) await sleep(60_000 - intoMinute + 200)
    const results = await Promise.all(Array.from({ length: 60 }, (_, i) => readRecords(i % 2 ? a() : b(), resource.id, token)))
    const statuses = results.map((r) => r.status)
    ctx.diagnostic(`60 calls: ${statuses.filter((s) => s === 200).length} × 200, ${statuses.filter((s) => s === 429).length} × 429`)
    assert.equal(statuses.filter((s) => s === 200).length, 20)
    assert.equal(statuses.filter((s) => s === 429).length, 40)
    for (const r of results.filter((r) => r.status === 429)) assert.equal(r.body.error.code, 'RATE_LIMITED')
    // Every call, allowed or refused, is in the call log and the audit chain.
    const logged = await direct.db
      .selectFrom('callLogs')
      .select((eb) => eb.fn.countAll<number>().as('n'))
      .where('grantId', '=', decided.body.grantId)
      .executeTakeFirstOrThrow()
    assert.equal(Number(logged.n), 60)
  })

  test('an overdue conditional request escalates exactly once with both schedulers running', async (ctx) => {
    // More than one batch of the task (100 rows), so both processes find work to claim.
    const ids = await pool(Array.from({ length: 150 }), 8, (_, i) => pendingRequest(i % 2 ? a() : b(), world, resource))
    // Thirty days later every one of them is past its 10-working-day deadline; both processes' tasks run every 250 ms.
    setOffset(30 * 86_400_000)
    const deadline = Date.now() + 60_000
    for (;;) {
      const pending = await direct.db.selectFrom('shareRequests').select('id').where('id', 'in', ids).where('status', '=', 'pending').execute()
      if (pending.length === 0) break
      assert.ok(Date.now() < deadline, `${pending.length} requests still pending`)
      await sleep(200)
    }
    // Let both schedulers run a few more rounds: nothing may escalate twice.
    await sleep(1_500)
    const events = await direct.db.selectFrom('shareRequestEvents').select('requestId').where('requestId', 'in', ids).where('action', '=', 'escalate').execute()
    assert.equal(events.length, ids.length)
    assert.equal(new Set(events.map((e) => e.requestId)).size, ids.length)
    const audited = await direct.db
      .selectFrom('auditEvents')
      .select('objectId')
      .where('objectId', 'in', ids)
      .where('action', '=', 'sharing.request.escalate')
      .execute()
    assert.equal(audited.length, ids.length)
    await refreshTokensAt(direct.db, world, serverNow())
    const escalatedBy = servers.map((s) => (s.log().match(/"task":"sharing.escalate-overdue","count":\d+/g) ?? []).length)
    ctx.diagnostic(`escalation batches per process: ${escalatedBy.join(' / ')}`)
    const view = await http(a(), 'GET', `/api/v1/share-requests/${ids[0]}`, { token: world.tokens.authAdmin })
    assert.equal(view.body.status, 'escalated')
  })

  test('the audit chain verifies after concurrent writes from both processes', async () => {
    // Logins (audited), refusals (audited) and requests, on both processes at once.
    const work = Array.from({ length: 40 }, (_, i) => {
      const base = i % 2 ? a() : b()
      if (i % 4 === 0) return http(base, 'POST', '/api/v1/auth/login', { body: { username: world.users.auditor.username, password: TEST_PASSWORD } })
      if (i % 4 === 1) return http(base, 'GET', '/api/v1/audit/events', { token: world.tokens.requester })
      if (i % 4 === 2) return pendingRequest(base, world, resource)
      return http(base, 'GET', `/api/v1/catalog/resources/${resource.id}`, { token: world.tokens.requester })
    })
    await Promise.all(work)
    const verification = await verifyAuditChain(direct.db)
    assert.equal(verification.ok, true, JSON.stringify(verification))
    const total = await direct.db
      .selectFrom('auditEvents')
      .select((eb) => eb.fn.countAll<number>().as('n'))
      .executeTakeFirstOrThrow()
    assert.equal(verification.count, Number(total.n))
    for (const base of [a(), b()]) {
      const res = await http(base, 'GET', '/api/v1/audit/verify', { token: world.tokens.auditor })
      assert.equal(res.status, 200)
      assert.equal(res.body.ok, true)
    }
  })
})
