import assert from 'node:assert/strict'
import { randomBytes } from 'node:crypto'
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { after, describe, test } from 'node:test'
import { setTimeout as sleep } from 'node:timers/promises'
import { sql } from 'kysely'
import { type Server, http as request, scratchDatabase, startServer, stopServer } from '../../reliability/harness.ts'
import { buildWorld, resourceBody, tokenFor } from '../../testing/factories.ts'
import { cleanupStaleBatches } from './index.ts'
import { batchesOf, managedTablesOf, pullStream, tableMountOf, uploadForm, uploadTablePath } from './test-helpers.ts'

/**
 * Kill -9 during a big upload, on the real server (server/src/main.ts): the previous batch must
 * still be the one served after the restart, and start-up must have removed the half-loaded table.
 */

const MB = 1024 * 1024

/** An endless CSV upload (rows of the standard entry), counting what has been handed to the socket. */
function endlessUpload() {
  const boundary = `----govshare${randomBytes(8).toString('hex')}`
  const sent = { bytes: 0, stopped: false }
  async function* parts() {
    yield Buffer.from(`--${boundary}\r\nContent-Disposition: form-data; name="file"; filename="endless.csv"\r\nContent-Type: text/csv\r\n\r\nuscc,org_name\n`)
    // fetch keeps pulling (and buffering) the body after the connection dies: the test stops it at the kill.
    for (let i = 0; !sent.stopped; i += 1000) {
      let piece = ''
      for (let k = i; k < i + 1000; k++) piece += `91370700${String(k).padStart(10, '0')},潍坊市中断测试组织${k}\n`
      const bytes = Buffer.from(piece)
      sent.bytes += bytes.length
      yield bytes
    }
  }
  return { boundary, sent, body: pullStream(parts()) }
}

describe('an upload killed mid-load', () => {
  const scratch = mkdtempSync(join(tmpdir(), 'govshare-crash-'))
  const servers: Server[] = []
  let database: Awaited<ReturnType<typeof scratchDatabase>> | undefined

  after(async () => {
    for (const server of servers) await stopServer(server, 'SIGKILL')
    await database?.drop()
    rmSync(scratch, { recursive: true, force: true })
  })

  const launch = async () => {
    const server = await startServer(database!.env())
    servers.push(server)
    return server
  }
  const http = (baseUrl: string, method: string, path: string, token: string, body?: FormData | object) =>
    request(baseUrl, method, path, body instanceof FormData ? { token, form: body } : { token, body })

  test('keeps the previous batch, and start-up drops the half-loaded table', async (ctx) => {
    // 1. A database with users: PGlite is initialized by a first server run, PostgreSQL cloned from the template.
    database = await scratchDatabase(scratch)
    const url = database.kind === 'postgres'
    const openDirect = database.open
    let direct = await openDirect()
    const world = await buildWorld(direct.db)
    // The child runs on the real clock.
    const token = await tokenFor(direct.db, world.users.cataloger, new Date())
    if (!url) await direct.close()

    // 2. A first batch of 3 rows.
    let server = await launch()
    const created = await http(server.baseUrl, 'POST', '/api/v1/catalog/resources', token, resourceBody())
    assert.equal(created.status, 201, JSON.stringify(created.body))
    const id = created.body.id as string
    const csv = 'uscc,org_name\n91370700MA3C000001,甲\n91370700MA3C000002,乙\n91370700MA3C000003,丙\n'
    const first = await http(server.baseUrl, 'POST', uploadTablePath(id), token, uploadForm(csv))
    assert.equal(first.status, 201, JSON.stringify(first.body))

    // 3. An endless upload; once the server is loading it (a 'loading' batch, megabytes consumed), kill -9.
    const upload = endlessUpload()
    const pending = fetch(server.baseUrl + uploadTablePath(id), {
      method: 'POST',
      headers: { authorization: `Bearer ${token}`, 'content-type': `multipart/form-data; boundary=${upload.boundary}` },
      body: upload.body,
      duplex: 'half',
    } as RequestInit).then(
      (response) => ({ status: response.status }),
      (error: Error) => ({ error }),
    )
    const deadline = Date.now() + 120_000
    for (;;) {
      assert.ok(Date.now() < deadline, 'the big upload never got going')
      await sleep(200)
      if (upload.sent.bytes < 4 * MB) continue
      const listed = await http(server.baseUrl, 'GET', `/api/v1/catalog/resources/${id}/mounts`, token)
      if (listed.body.items[0]?.batches?.[0]?.status === 'loading') break
    }
    if (url) {
      // On PostgreSQL the loading batch is visible from outside (its COPY connection holds the batch's advisory lock).
      const batch = await direct.db.selectFrom('mountBatches').select('tableName').where('status', '=', 'loading').executeTakeFirstOrThrow()
      ctx.diagnostic(`killing while ${batch.tableName} loads`)
    }
    const sentAtKill = upload.sent.bytes
    // Stop generating in the same tick as the kill: the body ends only after the server is gone.
    upload.sent.stopped = true
    await stopServer(server, 'SIGKILL')
    const outcome = await pending
    assert.ok('error' in outcome, `the killed upload must not succeed: ${JSON.stringify(outcome)}`)
    ctx.diagnostic(`killed after ${(sentAtKill / MB).toFixed(1)} MB sent`)

    // 4. After the kill: the orphan is there, still 'loading'.
    if (url) {
      // Wait until PostgreSQL has noticed the dead connection (its advisory lock goes with it).
      for (let i = 0; i < 100; i++) {
        const copying = await sql<{
          n: number
        }>`select count(*)::int as n from pg_stat_activity where datname = current_database() and query ilike 'copy %'`.execute(direct.db)
        if (copying.rows[0].n === 0) break
        await sleep(100)
      }
    } else {
      database.releaseStaleLock()
      direct = await openDirect()
    }
    const mountBefore = (await tableMountOf(direct.db, id))!
    const batchesBefore = await batchesOf(direct.db, mountBefore.id)
    assert.deepEqual(
      batchesBefore.map((b) => b.status),
      ['active', 'loading'],
    )
    const orphan = batchesBefore[1].tableName
    assert.deepEqual(await managedTablesOf(direct.db, id), [mountBefore.activeTable!.split('.')[1], orphan].sort())
    if (!url) await direct.close()

    // 5. Restart: start-up cleanup marks the batch failed and drops its table; readers still get batch 1.
    server = await launch()
    const listed = await http(server.baseUrl, 'GET', `/api/v1/catalog/resources/${id}/mounts`, token)
    assert.equal(listed.status, 200, `${JSON.stringify(listed.body)}\n${server.log().slice(-2000)}`)
    const table = listed.body.items.find((m: { kind: string }) => m.kind === 'table')
    assert.equal(table.rowCount, 3)
    assert.equal(table.activeBatchId, first.body.batchId)
    assert.deepEqual(
      table.batches.map((b: { status: string }) => b.status),
      ['failed', 'active'],
    )
    // And a new upload works after the crash.
    const again = await http(
      server.baseUrl,
      'POST',
      uploadTablePath(id),
      token,
      uploadForm('uscc,org_name\n91370700MA3C000009,丁\n', 'data.csv', { confirm: 'true' }),
    )
    assert.equal(again.status, 201, JSON.stringify(again.body))
    await stopServer(server, 'SIGTERM')

    if (!url) direct = await openDirect()
    const mount = (await tableMountOf(direct.db, id))!
    assert.equal(mount.rowCount, 1)
    const batches = await batchesOf(direct.db, mount.id)
    assert.deepEqual(
      batches.map((b) => b.status),
      ['replaced', 'failed', 'active'],
    )
    // The replaced batch keeps its table for the restore period; the failed batch's table is gone.
    assert.deepEqual(await managedTablesOf(direct.db, id), [mount.activeTable!.split('.')[1], batches[0].tableName].sort())
    assert.deepEqual(await cleanupStaleBatches(direct.db), { failedBatches: [], droppedTables: [] })
    await direct.close()
  })
})
