import { type ChildProcess, spawn } from 'node:child_process'
import { randomBytes } from 'node:crypto'
import { rmSync } from 'node:fs'
import pg from 'pg'
import { type OpenDatabase, openDatabase } from '../platform/db/database.ts'
import { prepareTemplates } from '../testing/prepare.ts'
import { PROJECT_ROOT, postgresTemplateName, testDatabaseUrl, withDatabase } from '../testing/template.ts'

/**
 * Real server processes (server/src/main.ts) for the reliability tests: started, killed with -9,
 * restarted, on PostgreSQL or on a PGlite data directory.
 */

export interface Server {
  child: ChildProcess
  baseUrl: string
  exited: Promise<number | null>
  log: () => string
}

const START_TIMEOUT_MS = 120_000

/**
 * Starts `server/src/main.ts` (or `command` in `cwd`, e.g. a production install's start script) and
 * resolves once it listens (its log names the port).
 */
export async function startServer(
  env: Record<string, string | undefined>,
  { cwd = PROJECT_ROOT, command = [process.execPath, '--import', 'tsx', 'server/src/main.ts'] }: { cwd?: string; command?: readonly string[] } = {},
): Promise<Server> {
  const child = spawn(command[0], command.slice(1), {
    cwd,
    env: { ...process.env, HOST: '127.0.0.1', PORT: '0', GOVSHARE_DEMO: 'never', LOG_LEVEL: 'info', DATABASE_URL: '', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  })
  // 'close', not 'exit': by then its output has been read in full (for failure messages).
  const exited = new Promise<number | null>((resolve) => child.once('close', (code, signal) => resolve(code ?? (signal as unknown as number))))
  let log = ''
  const baseUrl = await new Promise<string>((resolve, reject) => {
    // A server that does not come up is killed: left running, it would outlive the test and open a data
    // directory the test's cleanup is removing (PGlite then fails with a bare ErrnoError 44).
    const timer = setTimeout(() => {
      child.kill('SIGKILL')
      reject(new Error(`server did not start:\n${log.slice(-4000)}`))
    }, START_TIMEOUT_MS)
    const onData = (data: Buffer) => {
      // Keep the tail only: request logs of a long run would otherwise pile up.
      log = (log + data.toString()).slice(-200_000)
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
  return { child, baseUrl, exited, log: () => log }
}

export async function stopServer(server: Server, signal: NodeJS.Signals) {
  if (server.child.exitCode === null && server.child.signalCode === null) server.child.kill(signal)
  await server.exited
}

export interface Response {
  status: number
  body: any
}

/** JSON over real HTTP; network errors (a killed server) resolve as status 0. */
export async function http(
  baseUrl: string,
  method: string,
  path: string,
  options: { token?: string; body?: unknown; form?: FormData } = {},
): Promise<Response> {
  const headers: Record<string, string> = {}
  if (options.token) headers.authorization = `Bearer ${options.token}`
  let body: RequestInit['body']
  if (options.form) body = options.form
  else if (options.body !== undefined) {
    body = JSON.stringify(options.body)
    headers['content-type'] = 'application/json'
  }
  try {
    const response = await fetch(baseUrl + path, { method, headers, body })
    const text = await response.text()
    let parsed: unknown = text
    if ((response.headers.get('content-type') ?? '').includes('json') && text) parsed = JSON.parse(text)
    return { status: response.status, body: parsed }
  } catch (error) {
    return { status: 0, body: { error: String(error) } }
  }
}

/** The factories' request shape (publishResource, mountSomething) against one server. */
export const clientOf = (baseUrl: string) => ({
  request: (method: string, path: string, options: { token?: string; body?: unknown } = {}) =>
    options.body instanceof FormData ? http(baseUrl, method, path, { token: options.token, form: options.body }) : http(baseUrl, method, path, options),
})

/**
 * A database for spawned servers: on PostgreSQL a fresh database cloned from the test template, on
 * PGlite a data directory (initialized by a first server run). `open` connects from the test; on PGlite
 * only while no server runs (one process per data directory).
 */
export async function scratchDatabase(scratchDir: string) {
  const url = testDatabaseUrl()
  const name = `govshare_t_rel_${randomBytes(4).toString('hex')}`
  const dataDir = `${scratchDir}/pglite`
  // The servers' audit checkpoints belong to this database only (never the checkout's data/ directory).
  const checkpoints = { GOVSHARE_AUDIT_CHECKPOINT_DIR: `${scratchDir}/audit-checkpoints` }
  if (url) {
    await prepareTemplates()
    const admin = new pg.Client({ connectionString: url })
    await admin.connect()
    await admin.query(`create database ${name} template ${postgresTemplateName()}`)
    await admin.end()
  } else {
    await stopServer(await startServer({ GOVSHARE_DATA_DIR: dataDir, ...checkpoints }), 'SIGTERM')
  }
  return {
    kind: url ? ('postgres' as const) : ('pglite' as const),
    env: (): Record<string, string> => ({ ...(url ? { DATABASE_URL: withDatabase(url, name) } : { GOVSHARE_DATA_DIR: dataDir }), ...checkpoints }),
    open: (): Promise<OpenDatabase> => (url ? openDatabase({ url: withDatabase(url, name), poolSize: 4 }) : openDatabase({ dataDir })),
    /** After a SIGKILL the server's lock stays behind (stale after 15 s): the test knows the process is gone. */
    releaseStaleLock: () => rmSync(`${dataDir}.lock`, { recursive: true, force: true }),
    async drop() {
      rmSync(`${dataDir}.lock`, { recursive: true, force: true })
      if (!url) return
      const admin = new pg.Client({ connectionString: url })
      await admin.connect()
      await admin.query(`drop database if exists ${name} with (force)`)
      await admin.end()
    },
  }
}

/** Runs `work` over `items` with at most `concurrency` at a time. */
export async function pool<T, R>(items: readonly T[], concurrency: number, work: (item: T, index: number) => Promise<R>): Promise<R[]> {
  const results: R[] = new Array(items.length)
  let next = 0
  await Promise.all(
    Array.from({ length: Math.min(concurrency, items.length) }, async () => {
      while (next < items.length) {
        const i = next++
        results[i] = await work(items[i], i)
      }
    }),
  )
  return results
}
