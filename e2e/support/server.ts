import { existsSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, renameSync, rmSync, writeFileSync } from 'node:fs'
import type { AddressInfo } from 'node:net'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { type App, buildApp } from '../../server/src/app.ts'
import { loadDemo } from '../../server/src/demo/load-demo.ts'
import { type Config, loadConfig } from '../../server/src/platform/config/config.ts'
import { type OpenDatabase, openDatabase } from '../../server/src/platform/db/database.ts'
import { openTestDatabase } from '../../server/src/testing/test-db.ts'
import { CACHE_DIR, sourceKey, templateKey, testDatabaseUrl } from '../../server/src/testing/template.ts'
import { ensureConsoleBuilt } from '../../web/build-if-stale.ts'

export interface ConsoleServer {
  app: App
  database: OpenDatabase
  config: Config
  baseUrl: string
  close(): Promise<void>
  /** JSON API call with an optional token (test setup and checks, not what the page does). */
  api<T = any>(method: string, path: string, options?: { token?: string; body?: unknown }): Promise<{ status: number; body: T }>
  /** A login token for a demo user. */
  tokenOf(username: string): Promise<string>
}

export const DEMO_PASSWORD = 'Govshare@2026'

/**
 * Every console server runs with a data key, as a deployment does: the demo's personal items are sealed with
 * it, and the loaded demo is cached and shared by all test files, so they must all hold the same key.
 */
export const E2E_DATA_KEY = '00112233445566778899aabbccddeeff'

/**
 * What the demo database depends on: the migrated template and the code the loader runs through, which
 * reaches into every module and the platform: all of server/src and common/, not a chosen list.
 */
const demoKey = () => `${templateKey()}-${sourceKey(['server/src', 'common'])}`

/**
 * A fresh database holding the Weifang demo. On PGlite the loaded demo is dumped once to .cache and
 * cloned for each test file (loading it takes tens of seconds, a clone about one); with
 * TEST_DATABASE_URL each file gets a new PostgreSQL database and loads the demo itself.
 */
async function demoDatabase(config: Config): Promise<OpenDatabase> {
  if (testDatabaseUrl()) {
    const database = await openTestDatabase()
    await loadDemo(database.db, config)
    return database
  }
  const cached = join(CACHE_DIR, `e2e-demo-${demoKey()}.tar.gz`)
  if (existsSync(cached)) {
    return openDatabase({ dataDir: 'memory://', loadDataDir: new Blob([readFileSync(cached)]) })
  }
  const database = await openTestDatabase()
  try {
    const summary = await loadDemo(database.db, config)
    if (summary.users === 0 || summary.resources === 0) throw new Error(`the demo loader created no users or entries: ${JSON.stringify(summary)}`)
  } catch (error) {
    // An open PGlite keeps the test process alive: close it so the failure is reported, not hung.
    await database.close()
    throw new Error(`loading the Weifang demo failed (server/src/demo): ${(error as Error).message}`, { cause: error })
  }
  const dump = await database.pglite!.dumpDataDir('gzip')
  mkdirSync(CACHE_DIR, { recursive: true })
  const partial = `${cached}.${process.pid}.tmp`
  writeFileSync(partial, Buffer.from(await dump.arrayBuffer()))
  renameSync(partial, cached)
  // Dumps of earlier demo versions are dead weight (~5 MB each).
  for (const old of readdirSync(CACHE_DIR).filter((f) => /^e2e-demo-[0-9a-f-]+\.tar\.gz$/.test(f) && join(CACHE_DIR, f) !== cached)) {
    rmSync(join(CACHE_DIR, old), { force: true })
  }
  return database
}

/**
 * The real server as `npm start` runs it (buildApp, the real clock, the built console at `/`) on a
 * random port, over its own demo database, with the default settings or those in `options.env`. Call
 * close() in the test file's `after`.
 */
export async function startConsoleServer(options: { env?: Record<string, string> } = {}): Promise<ConsoleServer> {
  ensureConsoleBuilt(() => undefined)
  // `env`: settings as the server reads them from its environment (e.g. GOVSHARE_TOTP_REQUIRED).
  // Audit checkpoints of this database only (a checkout's data/ may hold those of a demo server).
  const auditCheckpointDir = mkdtempSync(join(tmpdir(), 'govshare-e2e-checkpoints-'))
  const config: Config = Object.freeze({
    ...loadConfig({ GOVSHARE_DATA_KEY: E2E_DATA_KEY, ...options.env }),
    demo: 'never' as const,
    logLevel: 'warn',
    auditCheckpointDir,
  })
  const database = await demoDatabase(config)
  const app = await buildApp({ db: database.db, dbKind: database.kind, config })
  await app.listen({ host: '127.0.0.1', port: 0 })
  const baseUrl = `http://127.0.0.1:${(app.server.address() as AddressInfo).port}`
  const api: ConsoleServer['api'] = async (method, path, { token, body } = {}) => {
    const headers: Record<string, string> = {}
    if (token) headers.authorization = `Bearer ${token}`
    if (body !== undefined) headers['content-type'] = 'application/json'
    const response = await fetch(`${baseUrl}/api/v1${path}`, { method, headers, body: body === undefined ? undefined : JSON.stringify(body) })
    const text = await response.text()
    return { status: response.status, body: text ? JSON.parse(text) : undefined }
  }
  return {
    app,
    database,
    config,
    baseUrl,
    api,
    async tokenOf(username) {
      const { status, body } = await api('POST', '/auth/login', { body: { username, password: DEMO_PASSWORD } })
      if (status !== 200) throw new Error(`login ${username}: ${status} ${JSON.stringify(body)}`)
      return body.token
    },
    async close() {
      await app.close()
      await database.close()
      rmSync(auditCheckpointDir, { recursive: true, force: true })
    },
  }
}
