/**
 * Data gateway benchmark (not a test): GET /api/v1/gateway/resources/:id/records (app token, grant,
 * rate limit and quota, masking, call log sealed into the audit chain) against a bare route in the
 * same server process that runs the same lookup SQL on the same pool with none of that, measured in
 * the same run on PostgreSQL.
 *
 *   npm run bench:gateway                                   # 200,000 rows, 50 connections, 2 × 10 s rounds each
 *   npm run bench:gateway -- --rows=20000 --duration=5      # a quick run (written to results/gateway-quick.*)
 *
 * Options: --rows=N, --connections=N, --duration=S (per round), --rounds=N, --only=gateway|bare, --url=postgres://… (server
 * on which a throw-away database is created and dropped; default BENCH_DATABASE_URL, DATABASE_URL or
 * postgres://postgres@127.0.0.1:5432/postgres), --out=path (without extension).
 */
import { mkdirSync, writeFileSync } from 'node:fs'
import { dirname, join } from 'node:path'
import autocannon from 'autocannon'
import { verifyCallLogSeals } from '../server/src/modules/gateway/call-seal.ts'
import { verifyAuditChain } from '../server/src/platform/audit/chain.ts'
import { openDatabase } from '../server/src/platform/db/database.ts'
import { buildWorld, itemInput, publishResource, refreshTokens } from '../server/src/testing/factories.ts'
import { argOf, cpuBusy, freshPostgres, load1, log, machineFacts, requester, startServer } from './data-path/server-process.ts'

const argv = process.argv.slice(2)
const rows = Number(argOf(argv, 'rows') ?? 200_000)
const connections = Number(argOf(argv, 'connections') ?? 50)
const duration = Number(argOf(argv, 'duration') ?? 10)
const rounds = Number(argOf(argv, 'rounds') ?? 2)
const url = argOf(argv, 'url') ?? process.env.BENCH_DATABASE_URL ?? process.env.DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres'
// --only=gateway measures one route (e.g. to profile the server under the gateway's load alone); no ratio then.
const only = argOf(argv, 'only')
const quick = rows < 200_000 || !!only
const out = argOf(argv, 'out') ?? join(import.meta.dirname, 'results', quick ? 'gateway-quick' : 'gateway')
if (only && only !== 'gateway' && only !== 'bare') throw new Error('--only must be gateway or bare')
const routes = (only ? [only] : ['bare', 'gateway']) as ('bare' | 'gateway')[]
const TARGET_RATIO = 0.6
const TARGET_P99_MS = 25

const item = (name: string, nameEn: string, extra: Record<string, unknown> = {}) =>
  itemInput(name, nameEn, { length: 50, shareType: 2, shareCondition: '用于社会救助核对', ...extra })
const ITEMS = [
  item('公民身份号码', 'id_no', { length: 18, isPrimaryKey: true, sensitive: true, piCategory: 'sensitive_personal' }),
  item('姓名', 'full_name', { sensitive: true, piCategory: 'personal' }),
  item('所属区县', 'county', { length: 20 }),
  item('救助类别', 'aid_type', { length: 20 }),
  item('救助金额', 'amount', { dataType: 'Y', length: undefined }),
  item('申请日期', 'apply_date', { dataType: 'D', length: undefined }),
]
const GRANTED = ['id_no', 'full_name', 'county', 'aid_type', 'amount']
const SURNAMES = ['王', '李', '张', '刘', '陈', '杨', '赵', '黄', '周', '吴', '欧阳']
const GIVEN = ['伟', '芳', '娜', '秀英', '敏', '静', '丽', '强', '磊', '建国']
const COUNTIES = ['潍城区', '寒亭区', '坊子区', '奎文区', '青州市', '诸城市', '寿光市', '安丘市', '高密市', '昌邑市', '临朐县', '昌乐县']
const AID = ['城市低保', '农村低保', '特困供养', '临时救助']
const idOf = (i: number) => `3707${String(i).padStart(14, '0')}`

function csv(n: number): Buffer {
  const lines = ['id_no,full_name,county,aid_type,amount,apply_date']
  for (let i = 0; i < n; i++) {
    lines.push(`${idOf(i)},${SURNAMES[i % 11]}${GIVEN[(i * 7) % 10]},${COUNTIES[i % 12]},${AID[i % 4]},${(i % 900) + 100}.50,2026-0${(i % 9) + 1}-1${i % 10}`)
  }
  return Buffer.from(`${lines.join('\n')}\n`, 'utf8')
}

const percent = (x: number) => `${(x * 100).toFixed(0)} %`

async function main() {
  log(`creating a throw-away database on ${new URL(url).host}`)
  const database = await freshPostgres(url, 'govshare_bench_gw')
  const machine = await machineFacts(database.url)
  const server = await startServer(database.url)
  const db = (await openDatabase({ url: database.url, poolSize: 2 })).db
  try {
    const http = requester(server.baseUrl)
    const w = await buildWorld(db)
    await refreshTokens(db, w, new Date())
    const resource = await publishResource(http, w.tokens, { name: '城乡低保救助对象信息（基准）', shareModes: ['api', 'table'], items: ITEMS as never })
    const itemId = (nameEn: string) => resource.items.find((i: { nameEn: string }) => i.nameEn === nameEn).id as string

    log(`uploading ${rows.toLocaleString('en')} rows through the upload endpoint`)
    const form = new FormData()
    form.append('file', new Blob([csv(rows)]), 'persons.csv')
    const uploaded = await http.request('POST', `/api/v1/catalog/resources/${resource.id}/mounts/table`, { token: w.tokens.cataloger, body: form })
    if (uploaded.status !== 201) throw new Error(`upload → ${uploaded.status} ${JSON.stringify(uploaded.body)}`)

    const app = await http.request('POST', '/api/v1/apps', { token: w.tokens.requester, body: { name: '基准测试应用' } })
    const request = await http.request('POST', '/api/v1/share-requests', {
      token: w.tokens.requester,
      body: { resourceId: resource.id, itemIds: GRANTED.map(itemId), purpose: '数据校核', dutyBasis: '社会救助家庭经济状况核对', mode: 'api', appIds: [app.body.id] },
    })
    const masking = Object.fromEntries(GRANTED.map((k) => [itemId(k), k === 'full_name' ? 'name' : 'none']))
    const decided = await http.request('POST', `/api/v1/share-requests/${request.body.id}/decision`, {
      token: w.tokens.approver,
      body: { decision: 'approve', itemIds: GRANTED.map(itemId), masking, rateLimitPerMinute: 100_000, dailyQuota: 10_000_000 },
    })
    if (decided.body.status !== 'granted') throw new Error(`decision → ${decided.status} ${JSON.stringify(decided.body)}`)
    // The API caps a grant at 100,000 calls a minute; a run may exceed that, and a 429 is not what is measured.
    await db.updateTable('grants').set({ rateLimitPerMinute: 2_000_000_000, dailyQuota: 2_000_000_000 }).where('id', '=', decided.body.grantId).execute()
    const token = (await http.request('POST', '/api/v1/gateway/token', { body: { appKey: app.body.appKey, appSecret: app.body.appSecret } })).body.accessToken as string

    const gatewayPath = (id: string) => `/api/v1/gateway/resources/${resource.id}/records?id_no=${id}`
    const barePath = (id: string) => `/bench/bare/${resource.id}?cols=${GRANTED.join(',')}&key=id_no&value=${id}`
    const sample = await http.request('GET', gatewayPath(idOf(12345 % rows)), { headers: { authorization: `Bearer ${token}` } })
    const bare = await http.request('GET', barePath(idOf(12345 % rows)))
    if (sample.status !== 200 || sample.body.items.length !== 1 || bare.body.items.length !== 1) throw new Error(`sanity: ${JSON.stringify(sample.body)} / ${JSON.stringify(bare.body)}`)
    log(`gateway answer: ${JSON.stringify(sample.body.items[0])}; bare answer: ${JSON.stringify(bare.body.items[0])}`)

    // Statements per call, one call at a time (no batching possible): what one call costs the database.
    const stats = async () => (await http.request('GET', '/bench/stats')).body.statements as number
    const serial = async (path: (id: string) => string, headers: Record<string, string>, n: number) => {
      const before = await stats()
      const t0 = performance.now()
      for (let i = 0; i < n; i++) await http.request('GET', path(idOf((i * 7919) % rows)), { headers })
      return { statementsPerCall: ((await stats()) - before - 1) / n, msPerCall: (performance.now() - t0) / n }
    }
    const serialGateway = await serial(gatewayPath, { authorization: `Bearer ${token}` }, 300)
    const serialBare = await serial(barePath, {}, 300)
    log(`serial: gateway ${serialGateway.statementsPerCall.toFixed(2)} statements, ${serialGateway.msPerCall.toFixed(2)} ms per call; bare ${serialBare.statementsPerCall.toFixed(2)}, ${serialBare.msPerCall.toFixed(2)} ms`)

    let gatewayResponses = 2 + 300
    const run = async (kind: 'gateway' | 'bare', seconds: number) => {
      const loadBefore = load1()
      const statementsBefore = await stats()
      const busy = cpuBusy(server.child.pid!)
      const result = await autocannon({
        url: server.baseUrl,
        connections,
        duration: seconds,
        requests: [{
          method: 'GET',
          headers: kind === 'gateway' ? { authorization: `Bearer ${token}` } : {},
          setupRequest: (req) => ({ ...req, path: (kind === 'gateway' ? gatewayPath : barePath)(idOf(Math.floor(Math.random() * rows))) }),
        }],
      })
      const cpu = busy()
      const statements = (await stats()) - statementsBefore - 1
      const responses = result['2xx'] + result.non2xx
      // CPU milliseconds per response: machine (all processes, incl. the load generator), server, PostgreSQL.
      const perCall = (s: number) => (responses > 0 ? Number(((s * 1000) / responses).toFixed(3)) : null)
      if (kind === 'gateway') gatewayResponses += responses
      return {
        kind,
        seconds,
        requestsPerSecond: Math.round(result.requests.average),
        latencyMs: { p50: result.latency.p50, p90: result.latency.p90, p99: result.latency.p99, max: result.latency.max },
        ok: result['2xx'],
        non2xx: result.non2xx,
        errors: result.errors,
        timeouts: result.timeouts,
        statementsPerCall: responses > 0 ? Number((statements / responses).toFixed(2)) : null,
        cpuMsPerCall: { machine: perCall(cpu.machine), server: perCall(cpu.server), postgres: perCall(cpu.postgres) },
        load: { before: loadBefore, after: load1() },
      }
    }
    log('warming up (3 s each)')
    await run('bare', 3)
    await run('gateway', 3)
    const measured: Awaited<ReturnType<typeof run>>[] = []
    for (let r = 0; r < rounds; r++) {
      for (const kind of routes) {
        const result = await run(kind, duration)
        log(`${kind.padEnd(7)} ${String(result.requestsPerSecond).padStart(6)} req/s  p50 ${result.latencyMs.p50} ms  p99 ${result.latencyMs.p99} ms  non-2xx ${result.non2xx}  errors ${result.errors}  ${result.statementsPerCall} statements/call  CPU ms/call machine ${result.cpuMsPerCall.machine} server ${result.cpuMsPerCall.server} postgres ${result.cpuMsPerCall.postgres}  load ${result.load.before}→${result.load.after}`)
        measured.push(result)
      }
    }
    const of = (kind: string) => measured.filter((m) => m.kind === kind)
    const mean = (xs: number[]) => xs.reduce((a, b) => a + b, 0) / xs.length
    const bareRps = mean(of('bare').map((m) => m.requestsPerSecond))
    const gatewayRps = mean(of('gateway').map((m) => m.requestsPerSecond))
    const gatewayP99 = Math.max(...of('gateway').map((m) => m.latencyMs.p99))
    const ratio = gatewayRps / bareRps

    // Every call, allowed or denied, must be in the call log and sealed into the audit chain, and both must verify.
    await new Promise((resolve) => setTimeout(resolve, 500))
    const logged = Number((await db.selectFrom('callLogs').select((eb) => eb.fn.countAll<number>().as('n')).where('resourceId', '=', resource.id).executeTakeFirstOrThrow()).n)
    const seals = await db.selectFrom('auditEvents').select('detail').where('action', '=', 'gateway.records.read').execute()
    const sealed = seals.reduce((n, e) => n + Number((e.detail as { calls?: number }).calls ?? 0), 0)
    const chain = await verifyAuditChain(db)
    const sealCheck = await verifyCallLogSeals(db)
    log(`call log rows ${logged} sealed by ${seals.length} audit events (${sealed} calls), gateway responses counted ${gatewayResponses}; audit chain ok=${chain.ok} (${chain.count} events), call-log seals ok=${sealCheck.ok}`)

    const results = {
      date: new Date().toISOString(),
      command: `npm run bench:gateway -- ${argv.join(' ')}`.trim(),
      machine,
      setup: { rows, connections, durationSeconds: duration, rounds, grantedItems: GRANTED, maskedItems: ['full_name (name)'], lookup: 'id_no (unique index)' },
      serial: { gateway: serialGateway, bare: serialBare },
      runs: measured,
      summary: {
        bareRequestsPerSecond: Math.round(bareRps),
        gatewayRequestsPerSecond: Math.round(gatewayRps),
        ratio: Number(ratio.toFixed(3)),
        gatewayP99Ms: gatewayP99,
        targetRatio: TARGET_RATIO,
        targetP99Ms: TARGET_P99_MS,
        met: ratio >= TARGET_RATIO && gatewayP99 < TARGET_P99_MS,
      },
      recorded: { callLogRows: logged, sealEvents: seals.length, sealedCalls: sealed, gatewayResponsesCounted: gatewayResponses, auditChainOk: chain.ok, auditEventsTotal: chain.count, callLogSealsOk: sealCheck.ok },
      serverMemory: server.memory(),
    }
    mkdirSync(dirname(out), { recursive: true })
    writeFileSync(`${out}.json`, `${JSON.stringify(results, null, 2)}\n`)
    const md = [
      '# Gateway benchmark',
      '',
      `Run ${results.date} (\`${results.command}\`), PostgreSQL: ${machine.postgres.version.split(',')[0]}; ${machine.nproc} cores (${machine.cpu}), ${machine.memoryGiB} GiB, Node ${machine.node}; load average at start ${machine.loadAverageAtStart.join(' / ')}.`,
      `autocannon ${machine.packages.autocannon}, ${connections} connections, ${rounds} rounds of ${duration} s per route, interleaved, after a 3 s warm-up each; load generator, server and PostgreSQL share the same cores.`,
      '',
      `Setup: a mounted table of ${rows.toLocaleString('en')} rows; a grant of ${GRANTED.length} items, one masked (full_name → name); one app and token; each request looks up one random \`id_no\` (unique index).`,
      '',
      '| run | route | req/s | p50 ms | p90 ms | p99 ms | max ms | non-2xx | errors | statements/call | CPU ms/call: machine / server / PostgreSQL | load 1-min |',
      '|---|---|---|---|---|---|---|---|---|---|---|---|',
      ...measured.map((m, i) => `| ${i + 1} | ${m.kind} | ${m.requestsPerSecond} | ${m.latencyMs.p50} | ${m.latencyMs.p90} | ${m.latencyMs.p99} | ${m.latencyMs.max} | ${m.non2xx} | ${m.errors} | ${m.statementsPerCall} | ${m.cpuMsPerCall.machine} / ${m.cpuMsPerCall.server} / ${m.cpuMsPerCall.postgres} | ${m.load.before}→${m.load.after} |`),
      '',
      `**Gateway / bare throughput: ${ratio.toFixed(2)}× (target ≥ ${TARGET_RATIO}×); gateway p99 ${gatewayP99} ms (target < ${TARGET_P99_MS} ms): ${results.summary.met ? 'met' : 'not met'}.**`,
      '',
      `One call at a time: the gateway sends ${serialGateway.statementsPerCall.toFixed(2)} statements per call (${serialGateway.msPerCall.toFixed(2)} ms), the bare route ${serialBare.statementsPerCall.toFixed(2)} (${serialBare.msPerCall.toFixed(2)} ms).`,
      `Recorded: ${logged} call-log rows, sealed by ${seals.length} \`gateway.records.read\` audit events covering ${sealed} calls, for ${gatewayResponses} gateway responses counted by the client (in-flight requests cut at the end of a run are logged but not counted); audit chain verifies: ${chain.ok} (${chain.count} events); call logs match their seals: ${sealCheck.ok}.`,
      `Server RSS at the end: ${results.serverMemory.rssMiB} MiB (peak ${results.serverMemory.peakRssMiB} MiB). Gateway share of bare: ${percent(ratio)}.`,
      '',
    ].join('\n')
    writeFileSync(`${out}.md`, md)
    log(`wrote ${out}.json and ${out}.md\n\n${md}`)
  } finally {
    await db.destroy()
    await server.stop().catch(() => server.child.kill())
    await database.drop()
  }
}

await main()
