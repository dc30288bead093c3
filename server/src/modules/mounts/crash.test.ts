import assert from 'node:assert/strict'
import { type ChildProcess, spawn } from 'node:child_process'
import { randomBytes } from 'node:crypto'
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { after, describe, test } from 'node:test'
import { setTimeout as sleep } from 'node:timers/promises'
import { sql } from 'kysely'
import pg from 'pg'
import { type OpenDatabase, openDatabase } from '../../platform/db/database.ts'
import { buildWorld, resourceBody, tokenFor } from '../../testing/factories.ts'
import { PROJECT_ROOT, postgresTemplateName, testDatabaseUrl, withDatabase } from '../../testing/template.ts'
import { prepareTemplates } from '../../testing/prepare.ts'
import { cleanupStaleBatches } from './index.ts'
import { batchesOf, managedTablesOf, pullStream, tableMountOf, uploadForm, uploadTablePath } from './test-helpers.ts'

/**
 * Kill -9 during a big upload, on the real server (server/src/main.ts): the previous batch must
 * still be the one served after the restart, and start-up must have removed the half-loaded table.
 */

interface Server {
  child: ChildProcess
  log: () => string
  baseUrl: string
  exited: Promise<number | null>
}

const START_TIMEOUT_MS = 120_000

/** Starts `server/src/main.ts` and resolves once it listens (its log names the port). */
async function startServer(env: Record<string, string | undefined>): Promise<Server> {
  const child = spawn(process.execPath, ['--import', 'tsx', 'server/src/main.ts'], {
    cwd: PROJECT_ROOT,
    env: { ...process.env, HOST: '127.0.0.1', PORT: '0', GOVSHARE_DEMO: 'never', LOG_LEVEL: 'info', DATABASE_URL: '', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  })
  // 'close', not 'exit': by then its output has been read in full (for the failure message).
  const exited = new Promise<number | null>((resolve) => child.once('close', (code, signal) => resolve(code ?? (signal as unknown as number))))
  let log = ''
  const baseUrl = await new Promise<string>((resolve, reject) => {
    // Killed when it does not come up: an orphan would open the data dir while after() removes it (ErrnoError 44).
    const timer = setTimeout(() => {
      child.kill('SIGKILL')
      reject(new Error(`server did not start:\n${log}`))
    }, START_TIMEOUT_MS)
    const onData = (data: Buffer) => {
      log += data.toString()
      const match = /listening[^\n]*?(http:\/\/127\.0\.0\.1:\d+)/i.exec(log)
      if (match) {
        clearTimeout(timer)
        resolve(match[1])
      }
    }
    child.stdout!.on('data', onData)
    child.stderr!.on('data', onData)
    void exited.then((code) => {
      clearTimeout(timer)
      reject(new Error(`server exited (${code}) before listening:\n${log.slice(-4000)}`))
    })
  })
  // Keep draining its output (kept for failure messages) so a chatty log never blocks the child.
  return { child, baseUrl, exited, log: () => log }
}

async function stopServer(server: Server, signal: NodeJS.Signals) {
  if (server.child.exitCode === null && server.child.signalCode === null) server.child.kill(signal)
  await server.exited
}

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

async function http(baseUrl: string, method: string, path: string, token: string, body?: FormData | object) {
  const init: RequestInit = { method, headers: { authorization: `Bearer ${token}` } }
  if (body instanceof FormData) init.body = body
  else if (body) {
    init.body = JSON.stringify(body)
    ;(init.headers as Record<string, string>)['content-type'] = 'application/json'
  }
  const response = await fetch(baseUrl + path, init)
  return { status: response.status, body: (await response.json()) as any }
}

describe('an upload killed mid-load', () => {
  const scratch = mkdtempSync(join(tmpdir(), 'govshare-crash-'))
  const url = testDatabaseUrl()
  const databaseName = `govshare_t_crash_${randomBytes(4).toString('hex')}`
  const servers: Server[] = []

  after(async () => {
    for (const server of servers) await stopServer(server, 'SIGKILL')
    rmSync(scratch, { recursive: true, force: true })
    rmSync(`${join(scratch, 'pglite')}.lock`, { recursive: true, force: true })
    if (url) {
      const admin = new pg.Client({ connectionString: url })
      await admin.connect()
      await admin.query(`drop database if exists ${databaseName} with (force)`)
      await admin.end()
    }
  })

  /** The database the child servers use: a data dir (PGlite) or a fresh database (PostgreSQL). */
  const serverEnv = () => (url ? { DATABASE_URL: withDatabase(url, databaseName) } : { GOVSHARE_DATA_DIR: join(scratch, 'pglite') })
  /** Opens it from the test; on PGlite only while no server runs (one process per data dir). */
  const openDirect = (): Promise<OpenDatabase> => (url ? openDatabase({ url: withDatabase(url, databaseName), poolSize: 2 }) : openDatabase({ dataDir: join(scratch, 'pglite') }))
  const launch = async () => {
    const server = await startServer(serverEnv())
    servers.push(server)
    return server
  }

  test('keeps the previous batch, and start-up drops the half-loaded table', async (ctx) => {
    // 1. A database with users: PGlite is initialized by a first server run, PostgreSQL cloned from the template.
    if (url) {
      await prepareTemplates()
      const admin = new pg.Client({ connectionString: url })
      await admin.connect()
      await admin.query(`create database ${databaseName} template ${postgresTemplateName()}`)
      await admin.end()
    } else {
      await stopServer(await launch(), 'SIGTERM')
    }
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
        const copying = await sql<{ n: number }>`select count(*)::int as n from pg_stat_activity where datname = ${databaseName} and query ilike 'copy %'`.execute(direct.db)
        if (copying.rows[0].n === 0) break
        await sleep(100)
      }
    } else {
      // A SIGKILLed server leaves its lock behind (stale after 15 s): this test knows the process is gone.
      rmSync(`${join(scratch, 'pglite')}.lock`, { recursive: true, force: true })
      direct = await openDirect()
    }
    const mountBefore = (await tableMountOf(direct.db, id))!
    const batchesBefore = await batchesOf(direct.db, mountBefore.id)
    assert.deepEqual(batchesBefore.map((b) => b.status), ['active', 'loading'])
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
    assert.deepEqual(table.batches.map((b: { status: string }) => b.status), ['failed', 'active'])
    // And a new upload works after the crash.
    const again = await http(server.baseUrl, 'POST', uploadTablePath(id), token, uploadForm('uscc,org_name\n91370700MA3C000009,丁\n'))
    assert.equal(again.status, 201, JSON.stringify(again.body))
    await stopServer(server, 'SIGTERM')

    if (!url) direct = await openDirect()
    const mount = (await tableMountOf(direct.db, id))!
    assert.equal(mount.rowCount, 1)
    assert.deepEqual(await managedTablesOf(direct.db, id), [mount.activeTable!.split('.')[1]])
    assert.deepEqual((await batchesOf(direct.db, mount.id)).map((b) => b.status), ['replaced', 'failed', 'active'])
    assert.deepEqual(await cleanupStaleBatches(direct.db), { failedBatches: [], droppedTables: [] })
    await direct.close()
  })
})
