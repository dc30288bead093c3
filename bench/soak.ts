/**
 * Soak test: the real server (server/src/main.ts) on loopback under minutes of mixed traffic — catalog
 * search and detail, logins, share requests, decisions, gateway calls — with some concurrency. Reports
 * errors, p50/p99 per kind, throughput and the server's memory (RSS and heap) over time, and writes
 * bench/results/soak.md and soak.json.
 *
 *   npm run bench:soak -- --minutes=5                      # embedded PGlite (a temporary data directory)
 *   DATABASE_URL=postgres://postgres@127.0.0.1:5432/postgres npm run bench:soak -- --minutes=5
 *
 * With DATABASE_URL a throw-away database govshare_soak_<random> is created on that server, loaded with
 * the Weifang demo, and dropped afterwards (--keep keeps it). Options: --minutes=N (default 5),
 * --concurrency=N (default 8), --out=path (default bench/results/soak).
 */
import { type ChildProcess, spawn } from 'node:child_process'
import { randomBytes } from 'node:crypto'
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { cpus, loadavg, tmpdir, totalmem } from 'node:os'
import { dirname, join } from 'node:path'
import { setTimeout as sleep } from 'node:timers/promises'
import pg from 'pg'
import { loadDemo } from '../server/src/demo/load-demo.ts'
import { loadConfig } from '../server/src/platform/config/config.ts'
import { prepareDatabase } from '../server/src/platform/db/bootstrap.ts'
import { openDatabase } from '../server/src/platform/db/database.ts'

const ROOT = join(import.meta.dirname, '..')
const args = Object.fromEntries(process.argv.slice(2).map((a) => a.replace(/^--/, '').split('=') as [string, string]))
const MINUTES = Number(args.minutes ?? 5)
const CONCURRENCY = Number(args.concurrency ?? 8)
const OUT = args.out ?? join(ROOT, 'bench/results/soak')
const PASSWORD = 'Govshare@2026'

type Kind = 'search' | 'detail' | 'login' | 'request' | 'decision' | 'gateway'
// Weights of the mix (per 100 operations).
const MIX: [Kind, number][] = [
  ['search', 30],
  ['detail', 25],
  ['gateway', 20],
  ['request', 10],
  ['decision', 10],
  ['login', 5],
]
const TERMS = ['人口', '企业', '登记', '社会保险', '不动产', '医疗', '婚姻', '营业执照', '公积金', '车辆', '学校', '低保', '户籍', '纳税', '养老']

interface Memory {
  rss: number
  heapUsed: number
  heapTotal: number
  external: number
}

// ---- the server ----

/** Preloaded into the server: reports its memory to the parent once a second (IPC), nothing else. */
const MEMORY_PROBE = `data:text/javascript,${encodeURIComponent('setInterval(() => process.send && process.send({ memory: process.memoryUsage() }), 1000).unref()')}`

interface ServerProcess {
  child: ChildProcess
  baseUrl: string
  memory: { at: number; m: Memory }[]
}

async function startServer(env: Record<string, string>): Promise<ServerProcess> {
  const port = 20000 + Math.floor(Math.random() * 20000)
  const child = spawn(process.execPath, ['--import', 'tsx', '--import', MEMORY_PROBE, 'server/src/main.ts'], {
    cwd: ROOT,
    env: { ...process.env, HOST: '127.0.0.1', PORT: String(port), LOG_LEVEL: 'warn', ...env },
    stdio: ['ignore', 'pipe', 'pipe', 'ipc'],
  })
  let log = ''
  child.stdout!.on('data', (d: Buffer) => (log = (log + d).slice(-20_000)))
  child.stderr!.on('data', (d: Buffer) => (log = (log + d).slice(-20_000)))
  const server: ServerProcess = { child, baseUrl: `http://127.0.0.1:${port}`, memory: [] }
  child.on('message', (message: { memory?: Memory }) => message.memory && server.memory.push({ at: Date.now(), m: message.memory }))
  const deadline = Date.now() + 600_000 // the embedded demo load takes a while on a busy machine
  for (;;) {
    if (child.exitCode !== null) throw new Error(`server exited:\n${log}`)
    if (Date.now() > deadline) throw new Error(`server did not start:\n${log}`)
    try {
      if ((await fetch(`${server.baseUrl}/api/health`)).ok) return server
    } catch {}
    await sleep(500)
  }
}

// ---- HTTP ----

async function call(baseUrl: string, method: string, path: string, token?: string, body?: unknown) {
  const headers: Record<string, string> = {}
  if (token) headers.authorization = `Bearer ${token}`
  if (body !== undefined) headers['content-type'] = 'application/json'
  const response = await fetch(baseUrl + path, { method, headers, body: body === undefined ? undefined : JSON.stringify(body) })
  const text = await response.text()
  return { status: response.status, body: text && (response.headers.get('content-type') ?? '').includes('json') ? JSON.parse(text) : text }
}

async function login(baseUrl: string, username: string) {
  const res = await call(baseUrl, 'POST', '/api/v1/auth/login', undefined, { username, password: PASSWORD })
  if (res.status !== 200) throw new Error(`login ${username}: ${res.status} ${JSON.stringify(res.body)}`)
  return res.body.token as string
}

// ---- setup through the API (the same on both databases) ----

interface Setup {
  tokens: Record<string, string>
  resourceIds: string[]
  /** Conditional entries with an API mode another department can request, with their provider's approver. */
  requestable: { id: string; itemIds: string[]; approver: string }[]
  requester: string
  /** The requester's app, named by every 接口 request (SPEC §7.6). */
  appId: string
  gateway: { resourceId: string; token: string }[]
}

async function setup(baseUrl: string): Promise<Setup> {
  const requester = 'mzj_user'
  const tokens: Record<string, string> = { [requester]: await login(baseUrl, requester), admin: await login(baseUrl, 'admin') }
  const list = await call(baseUrl, 'GET', '/api/v1/catalog/resources?pageSize=200', tokens[requester])
  const resources = list.body.items as { id: string; providerOrgId: string; shareType: number; shareModes: string[] }[]
  const me = await call(baseUrl, 'GET', '/api/v1/auth/me', tokens[requester])
  const myOrg = me.body.user?.orgId ?? me.body.orgId
  const requestable: Setup['requestable'] = []
  for (const r of resources.filter((r) => r.shareType === 2 && r.shareModes.includes('api') && r.providerOrgId !== myOrg)) {
    const users = await call(baseUrl, 'GET', `/api/v1/users?orgId=${r.providerOrgId}&pageSize=100`, tokens.admin)
    const approver = (users.body.items as { username: string; roles: string[] }[]).find((u) => u.roles.includes('APPROVER'))
    if (!approver) continue
    const detail = await call(baseUrl, 'GET', `/api/v1/catalog/resources/${r.id}`, tokens[requester])
    const itemIds = (detail.body.items as { id: string; shareType: number }[]).filter((i) => i.shareType !== 3).map((i) => i.id)
    if (itemIds.length === 0) continue
    tokens[approver.username] ??= await login(baseUrl, approver.username)
    requestable.push({ id: r.id, itemIds, approver: approver.username })
  }
  if (requestable.length === 0) throw new Error('no requestable conditional entry in the demo')
  // Gateway: grants with a generous rate limit on entries that have mounted rows, and one app.
  const app = await call(baseUrl, 'POST', '/api/v1/apps', tokens[requester], { name: `压测应用${Date.now()}`, ipAllowList: [] })
  const issued = await call(baseUrl, 'POST', '/api/v1/gateway/token', undefined, { appKey: app.body.appKey, appSecret: app.body.appSecret })
  const appToken = issued.body.accessToken as string
  const gateway: Setup['gateway'] = []
  for (const r of requestable) {
    if (gateway.length >= 4) break
    const created = await call(baseUrl, 'POST', '/api/v1/share-requests', tokens[requester], {
      resourceId: r.id,
      itemIds: r.itemIds,
      purpose: '行政依据',
      dutyBasis: '压测：业务协同核验',
      mode: 'api',
      appIds: [app.body.id],
    })
    if (created.status !== 201) continue
    const decided = await call(baseUrl, 'POST', `/api/v1/share-requests/${created.body.id}/decision`, tokens[r.approver], {
      decision: 'approve',
      rateLimitPerMinute: 100_000,
      dailyQuota: 10_000_000,
    })
    if (decided.status !== 200) continue
    const probe = await call(baseUrl, 'GET', `/api/v1/gateway/resources/${r.id}/records?limit=5`, appToken)
    if (probe.status === 200) gateway.push({ resourceId: r.id, token: appToken })
  }
  if (gateway.length === 0) throw new Error('no gateway-readable grant could be set up')
  return { tokens, resourceIds: resources.map((r) => r.id), requestable, requester, appId: app.body.id, gateway }
}

// ---- the load ----

const pick = <T>(items: readonly T[]) => items[Math.floor(Math.random() * items.length)]

function pickKind(): Kind {
  let roll = Math.random() * 100
  for (const [kind, weight] of MIX) if ((roll -= weight) < 0) return kind
  return 'search'
}

interface Stats {
  latencies: Record<Kind, number[]>
  errors: Record<Kind, number>
  refusals: Record<Kind, number>
  samples: Record<Kind, string[]>
}

async function run(baseUrl: string, s: Setup, until: number, stats: Stats) {
  const pending: { id: string; approver: string }[] = []
  const worker = async () => {
    while (Date.now() < until) {
      let kind = pickKind()
      if (kind === 'decision' && pending.length === 0) kind = 'request'
      const started = performance.now()
      let status = 0
      let detail = ''
      try {
        if (kind === 'search')
          status = (await call(baseUrl, 'GET', `/api/v1/catalog/resources?q=${encodeURIComponent(pick(TERMS))}`, s.tokens[s.requester])).status
        else if (kind === 'detail') status = (await call(baseUrl, 'GET', `/api/v1/catalog/resources/${pick(s.resourceIds)}`, s.tokens[s.requester])).status
        else if (kind === 'login')
          status = (
            await call(baseUrl, 'POST', '/api/v1/auth/login', undefined, {
              username: pick(['auditor', 'authority', s.requester, ...s.requestable.map((r) => r.approver)]),
              password: PASSWORD,
            })
          ).status
        else if (kind === 'gateway') {
          const g = pick(s.gateway)
          status = (await call(baseUrl, 'GET', `/api/v1/gateway/resources/${g.resourceId}/records?limit=20`, g.token)).status
        } else if (kind === 'request') {
          const r = pick(s.requestable)
          const res = await call(baseUrl, 'POST', '/api/v1/share-requests', s.tokens[s.requester], {
            resourceId: r.id,
            itemIds: r.itemIds,
            purpose: '行政依据',
            dutyBasis: '压测：业务协同核验',
            mode: 'api',
            appIds: [s.appId],
          })
          status = res.status
          if (status === 201) pending.push({ id: res.body.id, approver: r.approver })
          else detail = JSON.stringify(res.body).slice(0, 200)
        } else {
          const p = pending.shift()!
          const res = await call(
            baseUrl,
            'POST',
            `/api/v1/share-requests/${p.id}/decision`,
            s.tokens[p.approver],
            Math.random() < 0.8 ? { decision: 'approve' } : { decision: 'reject', reason: '压测：不符合共享条件' },
          )
          status = res.status
          if (status !== 200) detail = JSON.stringify(res.body).slice(0, 200)
        }
      } catch (error) {
        detail = String(error)
      }
      const ms = performance.now() - started
      if (status >= 200 && status < 300) stats.latencies[kind].push(ms)
      else if (status >= 400 && status < 500) stats.refusals[kind]++
      else stats.errors[kind]++
      if ((status === 0 || status >= 400) && stats.samples[kind].length < 5) stats.samples[kind].push(`${status} ${detail}`)
    }
  }
  await Promise.all(Array.from({ length: CONCURRENCY }, worker))
}

const percentile = (sorted: number[], p: number) => (sorted.length ? sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] : NaN)
const mb = (bytes: number) => Math.round((bytes / 1024 / 1024) * 10) / 10

async function main() {
  const url = process.env.DATABASE_URL
  const dbName = `govshare_soak_${randomBytes(4).toString('hex')}`
  let dataDir: string | null = null
  let env: Record<string, string>
  if (url) {
    const admin = new pg.Client({ connectionString: url })
    await admin.connect()
    await admin.query(`create database ${dbName}`)
    await admin.end()
    const target = new URL(url)
    target.pathname = `/${dbName}`
    const database = await openDatabase({ url: target.toString(), poolSize: 2 })
    await prepareDatabase(database.db)
    console.log('loading the demo into', dbName)
    await loadDemo(database.db, loadConfig({}))
    await database.close()
    env = { DATABASE_URL: target.toString() }
  } else {
    dataDir = join(mkdtempSync(join(tmpdir(), 'govshare-soak-')), 'pglite')
    env = { DATABASE_URL: '', GOVSHARE_DATA_DIR: dataDir, GOVSHARE_DEMO: 'auto' }
  }
  // Its audit checkpoints belong to this run's database, not in the checkout's data/ directory.
  env.GOVSHARE_AUDIT_CHECKPOINT_DIR = mkdtempSync(join(tmpdir(), 'govshare-soak-checkpoints-'))
  const loadBefore = loadavg()
  console.log('starting the server…')
  const server = await startServer(env)
  try {
    const s = await setup(server.baseUrl)
    console.log(`set up: ${s.requestable.length} requestable entries, ${s.gateway.length} gateway grants; warming up 10 s`)
    const empty = () => Object.fromEntries(MIX.map(([k]) => [k, 0])) as Record<Kind, number>
    const warm: Stats = {
      latencies: Object.fromEntries(MIX.map(([k]) => [k, []])) as unknown as Stats['latencies'],
      errors: empty(),
      refusals: empty(),
      samples: Object.fromEntries(MIX.map(([k]) => [k, []])) as unknown as Stats['samples'],
    }
    await run(server.baseUrl, s, Date.now() + 10_000, warm)
    await sleep(1500)
    const memStart = server.memory.at(-1)!.m
    const stats: Stats = {
      latencies: Object.fromEntries(MIX.map(([k]) => [k, []])) as unknown as Stats['latencies'],
      errors: empty(),
      refusals: empty(),
      samples: Object.fromEntries(MIX.map(([k]) => [k, []])) as unknown as Stats['samples'],
    }
    const started = Date.now()
    const loadSamples: number[] = []
    const loadTimer = setInterval(() => loadSamples.push(loadavg()[0]), 10_000)
    console.log(`running ${MINUTES} min with ${CONCURRENCY} concurrent clients…`)
    await run(server.baseUrl, s, started + MINUTES * 60_000, stats)
    clearInterval(loadTimer)
    const seconds = (Date.now() - started) / 1000
    await sleep(1500)
    const during = server.memory.filter((x) => x.at >= started)
    const memEnd = server.memory.at(-1)!.m
    const peakRss = Math.max(...during.map((x) => x.m.rss))
    const verify = await call(server.baseUrl, 'POST', '/api/v1/auth/login', undefined, { username: 'auditor', password: PASSWORD })
    const chain = await call(server.baseUrl, 'GET', '/api/v1/audit/verify', verify.body.token)

    const kinds = MIX.map(([kind]) => {
      const sorted = [...stats.latencies[kind]].sort((a, b) => a - b)
      return {
        kind,
        ok: sorted.length,
        refusals: stats.refusals[kind],
        errors: stats.errors[kind],
        p50: percentile(sorted, 50),
        p99: percentile(sorted, 99),
        max: sorted.at(-1) ?? NaN,
        perSecond: sorted.length / seconds,
        samples: stats.samples[kind],
      }
    })
    const total = kinds.reduce((n, k) => n + k.ok + k.refusals + k.errors, 0)
    const result = {
      at: new Date().toISOString(),
      database: url ? 'PostgreSQL' : 'PGlite (embedded)',
      minutes: MINUTES,
      concurrency: CONCURRENCY,
      seconds: Math.round(seconds),
      operations: total,
      throughput: total / seconds,
      errors: kinds.reduce((n, k) => n + k.errors, 0),
      refusals: kinds.reduce((n, k) => n + k.refusals, 0),
      kinds,
      memory: { start: memStart, end: memEnd, peakRss, growthRssMb: mb(memEnd.rss - memStart.rss), growthHeapMb: mb(memEnd.heapUsed - memStart.heapUsed) },
      auditChain: { ok: chain.body.ok, events: chain.body.count, sealedCalls: chain.body.callLogs.sealedCalls },
      machine: {
        cpus: cpus().length,
        cpuModel: cpus()[0]?.model,
        memoryGb: Math.round(totalmem() / 1024 ** 3),
        node: process.version,
        loadAverageBefore: loadBefore.map((x) => Math.round(x * 100) / 100),
        loadAverageDuring: loadSamples.length
          ? {
              min: Math.min(...loadSamples),
              max: Math.max(...loadSamples),
              mean: Math.round((loadSamples.reduce((a, b) => a + b, 0) / loadSamples.length) * 100) / 100,
            }
          : null,
        note: 'load generator, server and database share the same machine',
      },
    }
    mkdirSync(dirname(OUT), { recursive: true })
    writeFileSync(`${OUT}.json`, `${JSON.stringify(result, null, 2)}\n`)
    writeFileSync(`${OUT}.md`, markdown(result))
    console.log(markdown(result))
    if (result.errors > 0 || !chain.body.ok) process.exitCode = 1
  } finally {
    server.child.kill('SIGTERM')
    await new Promise((resolve) => server.child.once('close', resolve))
    if (url && args.keep === undefined) {
      const admin = new pg.Client({ connectionString: url })
      await admin.connect()
      await admin.query(`drop database if exists ${dbName} with (force)`)
      await admin.end()
    }
    if (dataDir) {
      rmSync(dirname(dataDir), { recursive: true, force: true })
      rmSync(`${dataDir}.lock`, { recursive: true, force: true })
    }
  }
}

function markdown(r: any): string {
  const f = (n: number, d = 1) => (Number.isFinite(n) ? n.toFixed(d) : '–')
  const lines = [
    `# Soak test (${r.database})`,
    '',
    `${r.at.slice(0, 16).replace('T', ' ')} UTC · \`npm run bench:soak -- --minutes=${r.minutes}\` · ${r.concurrency} concurrent clients · ${r.seconds} s measured after a 10 s warm-up`,
    '',
    `**${r.operations} operations, ${f(r.throughput)} per second, ${r.errors} errors** (5xx or network), ${r.refusals} refusals (4xx). Audit chain and sealed call logs after the run: ${r.auditChain.ok ? 'verify' : 'BROKEN'} (${r.auditChain.events} events, ${r.auditChain.sealedCalls} call logs).`,
    '',
    '| kind | ok | 4xx | errors | per s | p50 ms | p99 ms | max ms |',
    '|---|---:|---:|---:|---:|---:|---:|---:|',
    ...r.kinds.map((k: any) => `| ${k.kind} | ${k.ok} | ${k.refusals} | ${k.errors} | ${f(k.perSecond)} | ${f(k.p50)} | ${f(k.p99)} | ${f(k.max)} |`),
    '',
    '## Server memory',
    '',
    '| | RSS MB | heap used MB | heap total MB |',
    '|---|---:|---:|---:|',
    `| start (after warm-up) | ${mb(r.memory.start.rss)} | ${mb(r.memory.start.heapUsed)} | ${mb(r.memory.start.heapTotal)} |`,
    `| end | ${mb(r.memory.end.rss)} | ${mb(r.memory.end.heapUsed)} | ${mb(r.memory.end.heapTotal)} |`,
    `| peak RSS during the run | ${mb(r.memory.peakRss)} | | |`,
    '',
    `Growth over the run: RSS ${r.memory.growthRssMb >= 0 ? '+' : ''}${r.memory.growthRssMb} MB, heap ${r.memory.growthHeapMb >= 0 ? '+' : ''}${r.memory.growthHeapMb} MB.`,
    '',
    '## Machine',
    '',
    `${r.machine.cpus} × ${r.machine.cpuModel}, ${r.machine.memoryGb} GB, Node ${r.machine.node}. Load average before: ${r.machine.loadAverageBefore.join(' / ')}` +
      (r.machine.loadAverageDuring
        ? `; during the run (1-minute, sampled every 10 s): ${f(r.machine.loadAverageDuring.min, 2)}–${f(r.machine.loadAverageDuring.max, 2)}, mean ${f(r.machine.loadAverageDuring.mean, 2)}`
        : '') +
      `. The ${r.machine.note}, so absolute figures are rough; other work on the machine shows in the load average.`,
    '',
    'Mix per 100 operations: ' +
      MIX.map(([k, w]) => `${k} ${w}`).join(', ') +
      '. Decisions take the requests made during the run (80 % approve, 20 % reject); gateway calls read 20 masked rows under a grant.',
    '',
  ]
  const samples = r.kinds.filter((k: any) => k.samples.length)
  if (samples.length) {
    lines.push('## Sample failures', '')
    for (const k of samples) for (const s of k.samples) lines.push(`- ${k.kind}: ${s.replace(/\|/g, '\\|')}`)
    lines.push('')
  }
  return lines.join('\n')
}

if (args.help !== undefined) {
  console.log(readFileSync(import.meta.filename, 'utf8').split('*/')[0])
} else {
  main().catch((error) => {
    console.error(error)
    process.exit(1)
  })
}
