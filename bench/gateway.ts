/**
 * Data gateway benchmark (not a test): GET /api/v1/gateway/resources/:id/records against a bare
 * Fastify + pg route, measured in the same run on PostgreSQL, in the configuration a deployment has
 * (issue 18) and in the configuration the benchmark measured before.
 *
 *   npm run bench:gateway                                   # 200,000 rows, 50 connections, 2 × 10 s rounds per variant
 *   npm run bench:gateway -- --rows=20000 --duration=5      # a quick run (written to results/gateway-quick.*)
 *
 * Options: --rows=N, --connections=N, --duration=S (per round), --rounds=N, --variants=sealed,plain,open,
 * --server=main|bench (main: server/src/main.ts with NODE_ENV=production LOG_LEVEL=warn, as deployed;
 * bench: the in-process app of bench/data-path/serve.ts the benchmark used before), --url=postgres://…,
 * --out=path (without extension). See bench/README.md.
 */
import { type ChildProcess, fork } from 'node:child_process'
import { randomBytes } from 'node:crypto'
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { request as httpRequest } from 'node:http'
import { createServer } from 'node:net'
import { tmpdir } from 'node:os'
import { dirname, join } from 'node:path'
import type autocannon from 'autocannon'
import pg from 'pg'
import { verifyCallLogSeals } from '../server/src/platform/audit/call-seal.ts'
import { verifyAuditChain } from '../server/src/platform/audit/chain.ts'
import { openDatabase } from '../server/src/platform/db/database.ts'
import { buildWorld, itemInput, publishResource, refreshTokens } from '../server/src/testing/factories.ts'
import { argOf, cpuBusy, freshPostgres, load1, log, machineFacts, requester, startServer } from './data-path/server-process.ts'

const argv = process.argv.slice(2)
const rows = Number(argOf(argv, 'rows') ?? 200_000)
const connections = Number(argOf(argv, 'connections') ?? 50)
const duration = Number(argOf(argv, 'duration') ?? 10)
const rounds = Number(argOf(argv, 'rounds') ?? 2)
const serverKind = argOf(argv, 'server') ?? 'main'
const url = argOf(argv, 'url') ?? process.env.BENCH_DATABASE_URL ?? process.env.DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres'
const ALL_VARIANTS = ['sealed', 'plain', 'open'] as const
type Variant = (typeof ALL_VARIANTS)[number]
const variants = (argOf(argv, 'variants')?.split(',') ?? [...ALL_VARIANTS]) as Variant[]
if (variants.some((v) => !ALL_VARIANTS.includes(v))) throw new Error(`--variants takes ${ALL_VARIANTS.join(',')}`)
if (serverKind !== 'main' && serverKind !== 'bench') throw new Error('--server must be main or bench')
const quick = rows < 200_000 || variants.length < ALL_VARIANTS.length || serverKind !== 'main'
const out = argOf(argv, 'out') ?? join(import.meta.dirname, 'results', quick ? 'gateway-quick' : 'gateway')
const TARGETS = { sealed: { ratio: 0.5, p99: 30 }, plain: { ratio: 0.6, p99: null }, open: { ratio: null, p99: null } } as const
const STORAGE_TARGET = 2.5
const LOOKUPS = 1000

const VARIANT_LABEL: Record<Variant, string> = {
  sealed: 'deployed: personal items sealed (SM4)',
  plain: 'deployed: nothing sealed',
  open: 'nothing sealed, no IP allow-list, no lookup keys (the previous benchmark configuration)',
}

// The entry of issue 18: 7 items, 公民身份号码 the primary key; the personal ones are flagged sensitive
// (and so sealed when the server has a data key) in the sealed variant only.
const item = (name: string, nameEn: string, personal: boolean, sealed: boolean, extra: Record<string, unknown> = {}) =>
  itemInput(name, nameEn, {
    length: 50,
    shareType: 2,
    shareCondition: '用于户籍信息核验',
    ...(personal && sealed ? { sensitive: true, piCategory: 'personal' } : {}),
    ...extra,
  })
const itemsOf = (sealed: boolean) => [
  item('记录编号', 'record_no', false, sealed, { length: 20 }),
  item('公民身份号码', 'id_no', true, sealed, { length: 18, isPrimaryKey: true, ...(sealed ? { piCategory: 'sensitive_personal' } : {}) }),
  item('姓名', 'full_name', true, sealed),
  item('性别', 'gender', false, sealed, { length: 2 }),
  item('出生日期', 'birth_date', true, sealed, { dataType: 'D', length: undefined }),
  item('户籍地址', 'address', true, sealed, { length: 100 }),
  item('联系电话', 'phone', true, sealed, { length: 20 }),
]
const COLUMNS = ['record_no', 'id_no', 'full_name', 'gender', 'birth_date', 'address', 'phone']
const GRANTED = ['id_no', 'full_name', 'gender', 'birth_date', 'address']
const SURNAMES = ['王', '李', '张', '刘', '陈', '杨', '赵', '黄', '周', '吴', '欧阳']
const GIVEN = ['伟', '芳', '娜', '秀英', '敏', '静', '丽', '强', '磊', '建国']
const COUNTIES = ['潍城区', '寒亭区', '坊子区', '奎文区', '青州市', '诸城市', '寿光市', '安丘市', '高密市', '昌邑市', '临朐县', '昌乐县']
const STREETS = ['东风街', '胜利街', '健康街', '福寿街', '北海路', '新华路', '白浪河路', '文化路']
const idOf = (i: number) => `3707${String(i).padStart(14, '0')}`
const birthOf = (i: number) => `19${50 + (i % 50)}-${String((i % 12) + 1).padStart(2, '0')}-${String((i % 28) + 1).padStart(2, '0')}`

function csvLines(n: number): string[] {
  const lines = [COLUMNS.join(',')]
  for (let i = 0; i < n; i++) {
    const address = `山东省潍坊市${COUNTIES[i % 12]}${STREETS[i % 8]}${(i % 300) + 1}号${(i % 6) + 1}单元${(i % 30) + 101}室`
    lines.push(
      `R${String(i).padStart(9, '0')},${idOf(i)},${SURNAMES[i % 11]}${GIVEN[(i * 7) % 10]},${i % 2 ? '男' : '女'},${birthOf(i)},${address},1${String(3e9 + i * 7919).slice(0, 10)}`,
    )
  }
  return lines
}

/** A free TCP port on 127.0.0.1 for main.ts, which listens on PORT. */
function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const probe = createServer().listen(0, '127.0.0.1', () => {
      const { port } = probe.address() as { port: number }
      probe.close(() => resolve(port))
    })
    probe.on('error', reject)
  })
}

interface Served {
  child: ChildProcess
  baseUrl: string
  statements(): Promise<number>
  stop(): Promise<void>
}

const stopChild = async (child: ChildProcess, how: () => void) => {
  const exited = new Promise((resolve) => child.once('exit', resolve))
  how()
  await Promise.race([exited, new Promise((resolve) => setTimeout(resolve, 10_000))])
  if (child.exitCode === null) child.kill('SIGKILL')
}

/**
 * The server as deployed: server/src/main.ts with NODE_ENV=production and LOG_LEVEL=warn, its background
 * tasks running, preloaded with nothing but the statement counter.
 */
async function startMain(databaseUrl: string, dataKey: string, checkpointDir: string): Promise<Served> {
  const port = await freePort()
  const child = fork(join(import.meta.dirname, '../server/src/main.ts'), [], {
    execArgv: [
      '--import',
      'tsx',
      '--import',
      join(import.meta.dirname, 'data-path/count-statements.ts'),
      ...(process.env.BENCH_SERVER_NODE_ARGS?.split(' ').filter(Boolean) ?? []),
    ],
    env: {
      ...process.env,
      NODE_ENV: 'production',
      LOG_LEVEL: 'warn',
      DATABASE_URL: databaseUrl,
      PORT: String(port),
      HOST: '127.0.0.1',
      GOVSHARE_DATA_KEY: dataKey,
      GOVSHARE_DEMO: 'never',
      GOVSHARE_AUDIT_CHECKPOINT_DIR: checkpointDir,
    },
    stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
  })
  const baseUrl = `http://127.0.0.1:${port}`
  let asked = 0
  for (let i = 0; ; i++) {
    if (child.exitCode !== null) throw new Error(`server exited with ${child.exitCode}`)
    const up = await fetch(`${baseUrl}/api/health`).then(
      (r) => r.ok,
      () => false,
    )
    if (up) break
    if (i > 600) throw new Error('server did not start in 60 s')
    await new Promise((resolve) => setTimeout(resolve, 100))
  }
  return {
    child,
    baseUrl,
    statements: () =>
      new Promise((resolve) => {
        const id = ++asked
        const answer = (m: unknown) => {
          if ((m as { id?: number }).id !== id) return
          child.off('message', answer)
          resolve((m as { statements: number }).statements)
        }
        child.on('message', answer)
        child.send({ statements: id })
      }),
    stop: () => stopChild(child, () => child.kill('SIGTERM')),
  }
}

async function startBench(databaseUrl: string, dataKey: string): Promise<Served> {
  const server = await startServer(databaseUrl, { GOVSHARE_DATA_KEY: dataKey })
  return {
    child: server.child,
    baseUrl: server.baseUrl,
    statements: async () => ((await (await fetch(`${server.baseUrl}/bench/stats`)).json()) as { statements: number }).statements,
    stop: () => server.stop(),
  }
}

async function startBare(databaseUrl: string, table: string): Promise<Served> {
  const child = fork(join(import.meta.dirname, 'data-path/bare-server.ts'), [], {
    execArgv: ['--import', 'tsx'],
    env: { ...process.env, BARE_DATABASE_URL: databaseUrl, BARE_TABLE: table, BARE_COLUMNS: GRANTED.join(','), BARE_KEY: 'id_no', BARE_MASK: 'id_no=id_card' },
    stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
  })
  const port = await new Promise<number>((resolve, reject) => {
    child.once('message', (m) => resolve((m as { port: number }).port))
    child.once('exit', (code) => reject(new Error(`bare server exited with ${code}`)))
  })
  return { child, baseUrl: `http://127.0.0.1:${port}`, statements: async () => 0, stop: () => stopChild(child, () => child.send('stop')) }
}

/** autocannon in a process of its own; `paths` are requested in rotation. */
/**
 * A multipart upload with node:http: a sealed 200,000-row upload on a loaded machine can take longer than
 * fetch() waits for response headers (300 s).
 */
function upload(baseUrl: string, path: string, token: string, csv: Buffer): Promise<{ status: number; body: any }> {
  const boundary = `----bench${randomBytes(8).toString('hex')}`
  const body = Buffer.concat([
    // Replacing the publication's one-row batch is a swing past 50 %: confirmed, as the console asks.
    Buffer.from(`--${boundary}\r\ncontent-disposition: form-data; name="confirm"\r\n\r\ntrue\r\n`),
    Buffer.from(`--${boundary}\r\ncontent-disposition: form-data; name="file"; filename="persons.csv"\r\ncontent-type: text/csv\r\n\r\n`),
    csv,
    Buffer.from(`\r\n--${boundary}--\r\n`),
  ])
  return new Promise((resolve, reject) => {
    const req = httpRequest(
      `${baseUrl}${path}`,
      {
        method: 'POST',
        headers: { authorization: `Bearer ${token}`, 'content-type': `multipart/form-data; boundary=${boundary}`, 'content-length': body.length },
      },
      (res) => {
        const chunks: Buffer[] = []
        res.on('data', (c) => chunks.push(c))
        res.on('end', () => resolve({ status: res.statusCode ?? 0, body: JSON.parse(Buffer.concat(chunks).toString('utf8') || 'null') }))
      },
    )
    req.on('error', reject)
    req.end(body)
  })
}

type Result = Awaited<ReturnType<typeof autocannon>>

function loadRun(baseUrl: string, seconds: number, headers: Record<string, string>, paths: string[]): Promise<Result> {
  const child = fork(join(import.meta.dirname, 'data-path/load.ts'), [], { execArgv: ['--import', 'tsx'], stdio: ['ignore', 'inherit', 'inherit', 'ipc'] })
  return new Promise((resolve, reject) => {
    child.once('message', (m) => resolve(m as Result))
    child.once('exit', (code) => code !== 0 && reject(new Error(`load generator exited with ${code}`)))
    child.send({ url: baseUrl, connections, duration: seconds, headers, paths })
  })
}

async function main() {
  log(`creating a throw-away database on ${new URL(url).host}`)
  const database = await freshPostgres(url, 'govshare_bench_gw')
  const machine = await machineFacts(database.url)
  const dataKey = randomBytes(32).toString('hex')
  const checkpointDir = mkdtempSync(join(tmpdir(), 'govshare-bench-checkpoints-'))
  const server = serverKind === 'main' ? await startMain(database.url, dataKey, checkpointDir) : await startBench(database.url, dataKey)
  let bare: Served | null = null
  const db = (await openDatabase({ url: database.url, poolSize: 2 })).db
  const admin = new pg.Client({ connectionString: database.url })
  await admin.connect()
  try {
    const http = requester(server.baseUrl)
    const w = await buildWorld(db)
    await refreshTokens(db, w, new Date())
    const lines = csvLines(rows)
    const csv = Buffer.from(`${lines.join('\n')}\n`, 'utf8')

    // The baseline's plain table: the same rows, the same column types, the same unique index.
    await admin.query(
      `create table bare_persons (record_no text, id_no text collate "C" not null, full_name text, gender text, birth_date date, address text, phone text, _line bigint generated always as identity)`,
    )
    const copy = (await import('pg-copy-streams')).from
    await new Promise<void>((resolve, reject) => {
      const stream = admin.query(copy(`copy bare_persons (${COLUMNS.join(', ')}) from stdin (format csv, header true)`))
      stream.on('finish', () => resolve())
      stream.on('error', reject)
      stream.end(csv)
    })
    await admin.query('create unique index on bare_persons (id_no)')
    await admin.query('vacuum analyze bare_persons')
    bare = await startBare(database.url, 'bare_persons')

    const apps = {
      allowListed: await http.request('POST', '/api/v1/apps', { token: w.tokens.requester, body: { name: '户籍核验应用', ipAllowList: ['127.0.0.1'] } }),
      open: await http.request('POST', '/api/v1/apps', { token: w.tokens.requester, body: { name: '基准测试应用' } }),
    }
    const setups = new Map<Variant, { resourceId: string; token: string; table: string }>()
    for (const variant of variants) {
      const sealed = variant === 'sealed'
      const resource = await publishResource(http, w.tokens, {
        name: `常住人口基本信息（基准，${variant}）`,
        shareModes: ['api', 'table'],
        items: itemsOf(sealed) as never,
      })
      const itemId = (nameEn: string) => resource.items.find((i: { nameEn: string }) => i.nameEn === nameEn).id as string
      log(`${variant}: uploading ${rows.toLocaleString('en')} rows through the upload endpoint`)
      const uploaded = await upload(server.baseUrl, `/api/v1/catalog/resources/${resource.id}/mounts/table`, w.tokens.cataloger, csv)
      if (uploaded.status !== 201) throw new Error(`upload → ${uploaded.status} ${JSON.stringify(uploaded.body)}`)
      const app = variant === 'open' ? apps.open : apps.allowListed
      const request = await http.request('POST', '/api/v1/share-requests', {
        token: w.tokens.requester,
        body: { resourceId: resource.id, itemIds: GRANTED.map(itemId), purpose: '数据校核', dutyBasis: '依法办理户籍业务', mode: 'api', appIds: [app.body.id] },
      })
      if (request.status !== 201) throw new Error(`request → ${request.status} ${JSON.stringify(request.body)}`)
      // Deployed: 公民身份号码 masked id_card and declared the lookup key. Before: one masked item, no lookup key.
      const masked = variant === 'open' ? 'full_name' : 'id_no'
      const masking = Object.fromEntries(GRANTED.map((k) => [itemId(k), k === masked ? (variant === 'open' ? 'name' : 'id_card') : 'none']))
      const decided = await http.request('POST', `/api/v1/share-requests/${request.body.id}/decision`, {
        token: w.tokens.approver,
        body: {
          decision: 'approve',
          itemIds: GRANTED.map(itemId),
          masking,
          rateLimitPerMinute: 100_000,
          dailyQuota: 10_000_000,
          ...(variant === 'open' ? {} : { lookupKeys: ['id_no'] }),
        },
      })
      if (decided.body.status !== 'granted') throw new Error(`decision → ${decided.status} ${JSON.stringify(decided.body)}`)
      // The API caps a grant at 100,000 calls a minute; a run may exceed that, and a 429 is not what is measured.
      await db.updateTable('grants').set({ rateLimitPerMinute: 2_000_000_000, dailyQuota: 2_000_000_000 }).where('id', '=', decided.body.grantId).execute()
      const token = (await http.request('POST', '/api/v1/gateway/token', { body: { appKey: app.body.appKey, appSecret: app.body.appSecret } })).body
        .accessToken as string
      const mount = await db
        .selectFrom('mounts')
        .select('activeTable')
        .where('resourceId', '=', resource.id)
        .where('kind', '=', 'table')
        .executeTakeFirstOrThrow()
      setups.set(variant, { resourceId: resource.id, token, table: mount.activeTable! })
    }

    // 1,000 existing ids in rotation, spread over the table.
    const ids = Array.from({ length: LOOKUPS }, (_, i) => idOf(Math.floor((i * rows) / LOOKUPS + (i % 7))))
    const gatewayPaths = (resourceId: string) => ids.map((id) => `/api/v1/gateway/resources/${resourceId}/records?id_no=${id}`)
    const barePaths = ids.map((id) => `/bare/${id}`)
    const bareHttp = requester(bare.baseUrl)
    for (const [variant, setup] of setups) {
      const sample = await http.request('GET', gatewayPaths(setup.resourceId)[123], { headers: { authorization: `Bearer ${setup.token}` } })
      const b = await bareHttp.request('GET', barePaths[123])
      if (sample.status !== 200 || sample.body.items.length !== 1 || b.body.items.length !== 1)
        throw new Error(`sanity ${variant}: ${sample.status} ${JSON.stringify(sample.body)} / ${JSON.stringify(b.body)}`)
      log(`${variant} answer: ${JSON.stringify(sample.body.items[0])}; bare: ${JSON.stringify(b.body.items[0])}`)
    }

    // Storage of the mounted tables (heap, TOAST and indexes) against the baseline's plain table.
    const sizeOf = async (table: string) => Number((await admin.query('select pg_total_relation_size($1::regclass) as n', [table])).rows[0].n)
    const plainBytes = await sizeOf('bare_persons')
    const storage: Record<string, number> = { plainTableBytes: plainBytes }
    for (const [v, s] of setups) storage[`${v}TableBytes`] = await sizeOf(s.table)
    const sealedRatio = storage.sealedTableBytes ? storage.sealedTableBytes / plainBytes : null
    log(
      `storage: plain ${(plainBytes / 2 ** 20).toFixed(1)} MiB, ${[...setups.keys()].map((v) => `${v} ${(storage[`${v}TableBytes`] / 2 ** 20).toFixed(1)} MiB`).join(', ')}`,
    )

    // Statements per call, one call at a time (no batching possible): what one call costs the database.
    const serial = async (variant: Variant, n: number) => {
      const setup = setups.get(variant)!
      const before = await server.statements()
      const t0 = performance.now()
      const paths = gatewayPaths(setup.resourceId)
      for (let i = 0; i < n; i++) await http.request('GET', paths[i % paths.length], { headers: { authorization: `Bearer ${setup.token}` } })
      return {
        statementsPerCall: Number((((await server.statements()) - before) / n).toFixed(2)),
        msPerCall: Number(((performance.now() - t0) / n).toFixed(2)),
      }
    }
    const serialCalls: Record<string, { statementsPerCall: number; msPerCall: number }> = {}
    for (const v of setups.keys()) serialCalls[v] = await serial(v, 300)
    log(`one call at a time: ${JSON.stringify(serialCalls)}`)

    const run = async (route: Variant | 'bare', seconds: number) => {
      const target = route === 'bare' ? bare! : server
      const loadBefore = load1()
      const statementsBefore = await target.statements()
      const busy = cpuBusy(target.child.pid!)
      const setup = route === 'bare' ? null : setups.get(route)!
      const result = await loadRun(
        target.baseUrl,
        seconds,
        setup ? { authorization: `Bearer ${setup.token}` } : {},
        setup ? gatewayPaths(setup.resourceId) : barePaths,
      )
      const cpu = busy()
      const statements = (await target.statements()) - statementsBefore
      const responses = result['2xx'] + result.non2xx
      const perCall = (s: number) => (responses > 0 ? Number(((s * 1000) / responses).toFixed(3)) : null)
      return {
        route,
        seconds,
        requestsPerSecond: Math.round(result.requests.average),
        latencyMs: { p50: result.latency.p50, p90: result.latency.p90, p99: result.latency.p99, max: result.latency.max },
        ok: result['2xx'],
        non2xx: result.non2xx,
        errors: result.errors,
        timeouts: result.timeouts,
        statementsPerCall: route === 'bare' ? 1 : responses > 0 ? Number((statements / responses).toFixed(2)) : null,
        cpuMsPerCall: { machine: perCall(cpu.machine), server: perCall(cpu.server), postgres: perCall(cpu.postgres) },
        load: { before: loadBefore, after: load1() },
      }
    }
    type Run = Awaited<ReturnType<typeof run>>
    log('warming up (3 s each)')
    await run('bare', 3)
    for (const v of setups.keys()) await run(v, 3)
    // Each variant's rounds alternate with bare rounds, so each ratio compares neighbouring minutes.
    const measured: (Run & { against: Variant | null })[] = []
    for (let r = 0; r < rounds; r++) {
      for (const v of setups.keys()) {
        for (const route of r % 2 === 0 ? (['bare', v] as const) : ([v, 'bare'] as const)) {
          const result = { ...(await run(route, duration)), against: route === 'bare' ? v : null }
          log(
            `${route.padEnd(7)} ${String(result.requestsPerSecond).padStart(6)} req/s  p50 ${result.latencyMs.p50} ms  p99 ${result.latencyMs.p99} ms  non-2xx ${result.non2xx}  errors ${result.errors}  ${result.statementsPerCall} statements/call  CPU ms/call machine ${result.cpuMsPerCall.machine} server ${result.cpuMsPerCall.server} postgres ${result.cpuMsPerCall.postgres}  load ${result.load.before}→${result.load.after}`,
          )
          measured.push(result)
        }
      }
    }
    const mean = (xs: number[]) => xs.reduce((a, b) => a + b, 0) / xs.length
    const summary = Object.fromEntries(
      [...setups.keys()].map((v) => {
        const own = measured.filter((m) => m.route === v)
        const bares = measured.filter((m) => m.route === 'bare' && m.against === v)
        const gatewayRps = mean(own.map((m) => m.requestsPerSecond))
        const bareRps = mean(bares.map((m) => m.requestsPerSecond))
        const ratio = gatewayRps / bareRps
        const p99 = Math.max(...own.map((m) => m.latencyMs.p99))
        const p50 = Math.max(...own.map((m) => m.latencyMs.p50))
        const target = TARGETS[v]
        const met = (target.ratio === null || ratio >= target.ratio) && (target.p99 === null || p99 < target.p99)
        const cpu = (k: 'server' | 'postgres') => Number(mean(own.map((m) => m.cpuMsPerCall[k] ?? 0)).toFixed(3))
        const bareCpu = (k: 'server' | 'postgres') => Number(mean(bares.map((m) => m.cpuMsPerCall[k] ?? 0)).toFixed(3))
        return [
          v,
          {
            gatewayRequestsPerSecond: Math.round(gatewayRps),
            bareRequestsPerSecond: Math.round(bareRps),
            ratio: Number(ratio.toFixed(3)),
            p50Ms: p50,
            p99Ms: p99,
            cpuMsPerCall: { server: cpu('server'), postgres: cpu('postgres') },
            bareCpuMsPerCall: { server: bareCpu('server'), postgres: bareCpu('postgres') },
            target,
            met,
          },
        ]
      }),
    ) as Record<
      Variant,
      {
        gatewayRequestsPerSecond: number
        bareRequestsPerSecond: number
        ratio: number
        p50Ms: number
        p99Ms: number
        cpuMsPerCall: { server: number; postgres: number }
        bareCpuMsPerCall: { server: number; postgres: number }
        target: { ratio: number | null; p99: number | null }
        met: boolean
      }
    >

    // Every call, allowed or denied, must be in the call log and sealed into the audit chain, and both must verify.
    await new Promise((resolve) => setTimeout(resolve, 500))
    const logged = Number((await admin.query('select count(*) as n from call_logs')).rows[0].n)
    const sealedCalls = Number(
      (await admin.query(`select coalesce(sum((detail->>'calls')::int), 0) as n from audit_events where action = 'gateway.records.read'`)).rows[0].n,
    )
    const chain = await verifyAuditChain(db)
    const sealCheck = await verifyCallLogSeals(db)
    log(`call log rows ${logged}, sealed calls ${sealedCalls}; audit chain ok=${chain.ok} (${chain.count} events), call-log seals ok=${sealCheck.ok}`)

    const results = {
      date: new Date().toISOString(),
      command: `npm run bench:gateway -- ${argv.join(' ')}`.trim(),
      machine,
      setup: {
        rows,
        connections,
        durationSeconds: duration,
        rounds,
        server:
          serverKind === 'main'
            ? 'server/src/main.ts, NODE_ENV=production, LOG_LEVEL=warn, GOVSHARE_DATA_KEY set'
            : 'bench/data-path/serve.ts (in-process app, info logs to /dev/null), GOVSHARE_DATA_KEY set',
        baseline: 'bare Fastify + pg (pool 10) in its own process, plain table with the same unique index, id_no masked id_card in JS',
        loadGenerator: 'autocannon in its own process',
        lookups: `${LOOKUPS} existing id_no values in rotation`,
        variants: Object.fromEntries(variants.map((v) => [v, VARIANT_LABEL[v]])),
        grantedItems: GRANTED,
      },
      storage: { ...storage, sealedOverPlain: sealedRatio === null ? null : Number(sealedRatio.toFixed(2)), target: STORAGE_TARGET },
      serial: serialCalls,
      runs: measured,
      summary,
      recorded: { callLogRows: logged, sealedCalls, auditChainOk: chain.ok, auditEventsTotal: chain.count, callLogSealsOk: sealCheck.ok },
    }
    mkdirSync(dirname(out), { recursive: true })
    writeFileSync(`${out}.json`, `${JSON.stringify(results, null, 2)}\n`)
    const targetText = (v: Variant) => {
      const t = TARGETS[v]
      const parts = [t.ratio !== null ? `≥ ${t.ratio}×` : null, t.p99 !== null ? `p99 < ${t.p99} ms` : null].filter(Boolean)
      return parts.length ? `${parts.join(', ')}: ${summary[v].met ? 'met' : 'not met'}` : '—'
    }
    const md = [
      '# Gateway benchmark',
      '',
      `Run ${results.date} (\`${results.command}\`), PostgreSQL: ${machine.postgres.version.split(',')[0]}; ${machine.nproc} cores (${machine.cpu}), ${machine.memoryGiB} GiB, Node ${machine.node}; load average at start ${machine.loadAverageAtStart.join(' / ')}.`,
      `Server: ${results.setup.server}. Baseline: ${results.setup.baseline}. Load: autocannon ${machine.packages.autocannon} in its own process, ${connections} connections, ${results.setup.lookups}; ${rounds} rounds of ${duration} s per variant, each beside a bare round (alternating order), after a 3 s warm-up each. Load generator, server, baseline and PostgreSQL share the same cores.`,
      '',
      `Setup: an entry of 7 items (公民身份号码 the primary key), ${rows.toLocaleString('en')} rows uploaded through the upload API per variant; a grant of 5 items (${GRANTED.join(', ')}).`,
      '',
      '| variant | GovShare req/s | bare req/s | ratio | p50 / p99 ms | CPU ms per call: server / PostgreSQL (bare) | target |',
      '|---|---|---|---|---|---|---|',
      ...[...setups.keys()].map((v) => {
        const s = summary[v]
        return `| ${VARIANT_LABEL[v]} | ${s.gatewayRequestsPerSecond} | ${s.bareRequestsPerSecond} | ${s.ratio.toFixed(2)}× | ${s.p50Ms} / ${s.p99Ms} | ${s.cpuMsPerCall.server} / ${s.cpuMsPerCall.postgres} (${s.bareCpuMsPerCall.server} / ${s.bareCpuMsPerCall.postgres}) | ${targetText(v)} |`
      }),
      '',
      `Storage (table, TOAST and indexes): plain ${(plainBytes / 2 ** 20).toFixed(1)} MiB; ${[...setups.keys()].map((v) => `${v} ${(storage[`${v}TableBytes`] / 2 ** 20).toFixed(1)} MiB`).join('; ')}${sealedRatio === null ? '' : `; sealed / plain ${sealedRatio.toFixed(2)}× (target ≤ ${STORAGE_TARGET}×: ${sealedRatio <= STORAGE_TARGET ? 'met' : 'not met'})`}.`,
      '',
      `One call at a time (statements per call, ms per call): ${[...setups.keys()].map((v) => `${v} ${serialCalls[v].statementsPerCall} / ${serialCalls[v].msPerCall} ms`).join('; ')}.`,
      '',
      '| run | route | req/s | p50 ms | p90 ms | p99 ms | max ms | non-2xx | errors | statements/call | CPU ms/call: machine / server / PostgreSQL | load 1-min |',
      '|---|---|---|---|---|---|---|---|---|---|---|---|',
      ...measured.map(
        (m, i) =>
          `| ${i + 1} | ${m.route} | ${m.requestsPerSecond} | ${m.latencyMs.p50} | ${m.latencyMs.p90} | ${m.latencyMs.p99} | ${m.latencyMs.max} | ${m.non2xx} | ${m.errors} | ${m.statementsPerCall} | ${m.cpuMsPerCall.machine} / ${m.cpuMsPerCall.server} / ${m.cpuMsPerCall.postgres} | ${m.load.before}→${m.load.after} |`,
      ),
      '',
      `Recorded: ${logged} call-log rows, ${sealedCalls} calls sealed by \`gateway.records.read\` events; audit chain verifies: ${chain.ok} (${chain.count} events); call logs match their seals: ${sealCheck.ok}.`,
      '',
    ].join('\n')
    writeFileSync(`${out}.md`, md)
    log(`wrote ${out}.json and ${out}.md\n\n${md}`)
  } finally {
    await admin.end()
    await db.destroy()
    await bare?.stop().catch(() => bare?.child.kill())
    await server.stop().catch(() => server.child.kill())
    await database.drop()
    rmSync(checkpointDir, { recursive: true, force: true })
  }
}

await main()
