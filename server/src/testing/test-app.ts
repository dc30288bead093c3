import { randomBytes } from 'node:crypto'
import { rm } from 'node:fs/promises'
import type { AddressInfo } from 'node:net'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { type App, type AppOptions, buildApp } from '../app.ts'
import { type Config, loadConfig } from '../platform/config/config.ts'
import type { Db, DbKind } from '../platform/db/database.ts'
import { openTestDatabase } from './test-db.ts'

/** A clock tests can set and move: deadlines are driven, never slept through. */
export class TestClock {
  constructor(private current = new Date('2026-03-02T02:00:00Z')) {}
  now = () => new Date(this.current)
  set(at: Date | string) {
    this.current = new Date(at)
  }
  advanceMinutes(minutes: number) {
    this.current = new Date(this.current.getTime() + minutes * 60_000)
  }
}

export interface ApiResponse<T = any> {
  status: number
  body: T
  headers: Headers
}

export interface TestApp {
  app: App
  db: Db
  dbKind: DbKind
  config: Config
  clock: TestClock
  baseUrl: string
  /** Stops the server and drops the database: call it from the test file's `after`. */
  close(): Promise<void>
  /** Real HTTP to the listening server. `body` is sent as JSON unless it is FormData or a string. */
  request<T = any>(method: string, path: string, options?: { token?: string; body?: unknown; headers?: Record<string, string> }): Promise<ApiResponse<T>>
}

/**
 * Starts the real server on a random port over a fresh cloned database.
 */
export async function buildTestApp(
  options: { config?: Partial<Config>; clock?: TestClock; logger?: AppOptions['logger']; resolveHost?: AppOptions['resolveHost'] } = {},
): Promise<TestApp> {
  const database = await openTestDatabase()
  // Each app its own audit checkpoint directory (created on first write): a checkpoint of one test
  // database never judges another's chain.
  const checkpointDir = join(tmpdir(), `govshare-test-checkpoints-${randomBytes(6).toString('hex')}`)
  const config = Object.freeze({ ...loadConfig({}), auditCheckpointDir: checkpointDir, ...options.config })
  const clock = options.clock ?? new TestClock()
  const app = await buildApp({
    db: database.db,
    dbKind: database.kind,
    pgPool: database.pgPool,
    config,
    clock: clock.now,
    logger: options.logger,
    resolveHost: options.resolveHost,
  })
  await app.listen({ host: '127.0.0.1', port: 0 })
  const { port } = app.server.address() as AddressInfo
  const baseUrl = `http://127.0.0.1:${port}`
  return {
    app,
    db: database.db,
    dbKind: database.kind,
    config,
    clock,
    baseUrl,
    async close() {
      await app.close()
      await database.close()
      await rm(checkpointDir, { recursive: true, force: true })
    },
    async request(method, path, { token, body, headers = {} } = {}) {
      const init: RequestInit = { method, headers: { ...headers } }
      if (token) (init.headers as Record<string, string>).authorization = `Bearer ${token}`
      if (body instanceof FormData || typeof body === 'string') init.body = body as FormData | string
      else if (body !== undefined) {
        init.body = JSON.stringify(body)
        ;(init.headers as Record<string, string>)['content-type'] ??= 'application/json'
      }
      const response = await fetch(baseUrl + path, init)
      const text = await response.text()
      let parsed: unknown = text
      if ((response.headers.get('content-type') ?? '').includes('json') && text) parsed = JSON.parse(text)
      return { status: response.status, body: parsed as any, headers: response.headers }
    },
  }
}
