import { type ChildProcess, fork } from 'node:child_process'
import { randomBytes } from 'node:crypto'
import { readdirSync, readFileSync } from 'node:fs'
import { cpus, loadavg, release, totalmem } from 'node:os'
import { join } from 'node:path'
import pg from 'pg'

/** Helpers shared by bench/gateway.ts and bench/mount.ts. */

export const started = performance.now()
export const log = (message: string) => console.log(`${((performance.now() - started) / 1000).toFixed(0).padStart(5)} s  ${message}`)

export function argOf(argv: string[], name: string): string | undefined {
  return argv.find((a) => a.startsWith(`--${name}=`))?.slice(name.length + 3)
}

/** A throw-away PostgreSQL database on the server of `url`; drop() removes it. */
export async function freshPostgres(url: string, prefix: string) {
  const name = `${prefix}_${randomBytes(5).toString('hex')}`
  const admin = async (statement: string) => {
    const client = new pg.Client({ connectionString: url })
    await client.connect()
    try {
      return await client.query(statement)
    } finally {
      await client.end()
    }
  }
  await admin(`create database ${name}`)
  const target = new URL(url)
  target.pathname = `/${name}`
  return { name, url: target.toString(), drop: () => admin(`drop database if exists ${name} with (force)`) }
}

export interface ServerProcess {
  child: ChildProcess
  baseUrl: string
  /** Current and peak resident set size of the server process, in MiB (from /proc). */
  memory(): { rssMiB: number; peakRssMiB: number }
  stop(): Promise<void>
}

/** Starts bench/data-path/serve.ts (the production app plus the bare baseline route) as a child process. */
export async function startServer(databaseUrl: string, env: Record<string, string> = {}): Promise<ServerProcess> {
  const child = fork(join(import.meta.dirname, 'serve.ts'), [], {
    // BENCH_SERVER_NODE_ARGS, e.g. "--cpu-prof --cpu-prof-dir=bench/.tmp", profiles the server.
    execArgv: ['--import', 'tsx', ...(process.env.BENCH_SERVER_NODE_ARGS?.split(' ').filter(Boolean) ?? [])],
    env: { ...process.env, ...env, BENCH_SERVER_DATABASE_URL: databaseUrl },
    stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
  })
  const port = await new Promise<number>((resolve, reject) => {
    child.once('message', (m) => resolve((m as { port: number }).port))
    child.once('exit', (code) => reject(new Error(`server exited with ${code}`)))
  })
  const status = (field: string) => Number(new RegExp(`${field}:\\s+(\\d+) kB`).exec(readFileSync(`/proc/${child.pid}/status`, 'utf8'))?.[1] ?? 0) / 1024
  return {
    child,
    baseUrl: `http://127.0.0.1:${port}`,
    memory: () => ({ rssMiB: Math.round(status('VmRSS')), peakRssMiB: Math.round(status('VmHWM')) }),
    async stop() {
      const exited = new Promise((resolve) => child.once('exit', resolve))
      child.send('stop')
      await exited
    },
  }
}

/** Samples the server's RSS every `ms` until stopped; returns the highest sample (VmHWM is the true peak). */
export function sampleMemory(server: ServerProcess, ms = 100) {
  let max = 0
  const timer = setInterval(() => {
    try {
      max = Math.max(max, server.memory().rssMiB)
    } catch {}
  }, ms)
  return () => {
    clearInterval(timer)
    return max
  }
}

export interface Requester {
  request(method: string, path: string, options?: { token?: string; body?: unknown; headers?: Record<string, string> }): Promise<{ status: number; body: any }>
}

/** Plain HTTP to the server (the same shape the test factories take). */
export function requester(baseUrl: string): Requester {
  return {
    async request(method, path, { token, body, headers = {} } = {}) {
      const init: RequestInit = { method, headers: { ...headers } }
      if (token) (init.headers as Record<string, string>).authorization = `Bearer ${token}`
      if (body instanceof FormData || typeof body === 'string') init.body = body as FormData | string
      else if (body !== undefined) {
        init.body = JSON.stringify(body)
        ;(init.headers as Record<string, string>)['content-type'] = 'application/json'
      }
      const response = await fetch(baseUrl + path, init)
      const text = await response.text()
      return { status: response.status, body: (response.headers.get('content-type') ?? '').includes('json') && text ? JSON.parse(text) : text }
    },
  }
}

/** Machine and database facts recorded with every result. */
export async function machineFacts(databaseUrl: string) {
  const pkg = (path: string) => JSON.parse(readFileSync(join(import.meta.dirname, '../../node_modules', path, 'package.json'), 'utf8')).version
  const client = new pg.Client({ connectionString: databaseUrl })
  await client.connect()
  const settings: Record<string, string> = {}
  try {
    settings.version = (await client.query('select version() as v')).rows[0].v
    for (const name of ['shared_buffers', 'synchronous_commit', 'fsync', 'max_connections', 'work_mem']) {
      settings[name] = (await client.query(`select current_setting('${name}') as v`)).rows[0].v
    }
  } finally {
    await client.end()
  }
  return {
    nproc: cpus().length,
    cpu: cpus()[0]?.model ?? 'unknown',
    memoryGiB: Math.round(totalmem() / 2 ** 30),
    node: process.version,
    kernel: release(),
    packages: { pg: pkg('pg'), kysely: pkg('kysely'), fastify: pkg('fastify'), autocannon: pkg('autocannon'), 'pg-copy-streams': pkg('pg-copy-streams') },
    postgres: settings,
    loadAverageAtStart: loadavg().map((x) => Number(x.toFixed(2))),
  }
}

export const load1 = () => Number(loadavg()[0].toFixed(2))

const USER_HZ = 100
// Fields of /proc/<pid>/stat after the command: [11] utime, [12] stime, [13] cutime, [14] cstime.
const statFields = (pid: number | string) => readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1].split(' ').map(Number)
const procTicks = (pid: number | string) => {
  const fields = statFields(pid)
  return fields[11] + fields[12]
}
const machineTicks = () => {
  const [user, nice, system, , , irq, softirq] = readFileSync('/proc/stat', 'utf8').split('\n')[0].split(/\s+/).slice(1).map(Number)
  return user + nice + system + irq + softirq
}
/**
 * CPU ticks of every PostgreSQL process on this machine, keyed by pid (backends come and go). Each
 * process's own ticks plus those of its children that have exited (cutime + cstime): for the postmaster
 * that is every backend gone since it started, so a backend that exits during a run (a COPY connection
 * destroyed at the end of an upload) is still counted.
 */
const postgresTicks = () => {
  const ticks = new Map<string, number>()
  for (const pid of readdirSync('/proc').filter((name) => /^\d+$/.test(name))) {
    try {
      if (!readFileSync(`/proc/${pid}/comm`, 'utf8').startsWith('postgres')) continue
      const fields = statFields(pid)
      ticks.set(pid, fields[11] + fields[12] + fields[13] + fields[14])
    } catch {} // exited meanwhile
  }
  return ticks
}

/**
 * CPU seconds used from now until the returned function is called: by the whole machine (all
 * cores, /proc/stat), by the server process and by PostgreSQL's processes. On 2 cores the server,
 * PostgreSQL and the load generator share the CPU: these show where a run's CPU went.
 */
export function cpuBusy(serverPid: number) {
  const seconds = (ticks: number) => Number((ticks / USER_HZ).toFixed(1))
  const [machine0, server0, postgres0] = [machineTicks(), procTicks(serverPid), postgresTicks()]
  return () => {
    const postgres1 = postgresTicks()
    let postgres = 0
    for (const [pid, ticks] of postgres1) postgres += ticks - (postgres0.get(pid) ?? 0)
    return { machine: seconds(machineTicks() - machine0), server: seconds(procTicks(serverPid) - server0), postgres: seconds(postgres) }
  }
}
