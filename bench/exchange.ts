/**
 * Exchange benchmark (not a test): a table kept in step between two department PostgreSQL databases through
 * GovShare (provider node → feed into a table mount → grant delivery, masked and filtered → consumer node)
 * against a raw `COPY … TO STDOUT | COPY … FROM STDIN` pipe between the same two databases, in the same run.
 * The platform runs in this process on PostgreSQL; each agent is its own process, whose peak resident memory
 * (VmHWM) is read from /proc.
 *
 *   npm run bench:exchange                               # 1,000,000 rows, then 100,000 changed
 *   npm run bench:exchange -- --rows=100000 --changed=10000   # a quick run (results/exchange-quick.*)
 */
import { type ChildProcess, spawn } from 'node:child_process'
import { randomBytes } from 'node:crypto'
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { pipeline } from 'node:stream/promises'
import pg from 'pg'
import { from as copyFrom, to as copyTo } from 'pg-copy-streams'
import { buildUser, buildWorld, itemInput, publishResource, tokenFor } from '../server/src/testing/factories.ts'
import { buildTestApp } from '../server/src/testing/test-app.ts'

const arg = (name: string) => process.argv.find((a) => a.startsWith(`--${name}=`))?.split('=')[1]
const rows = Number(arg('rows') ?? 1_000_000)
const changed = Number(arg('changed') ?? 100_000)
const quick = rows < 1_000_000
// --profile=DIR writes V8 CPU profiles of both agents into DIR (run the bench itself with --cpu-prof for the platform's).
const profileDir = arg('profile')
const admin = process.env.TEST_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres'
process.env.TEST_DATABASE_URL = admin
const out = join(import.meta.dirname, 'results', quick ? 'exchange-quick' : 'exchange')
const log = (m: string) => console.log(`[bench:exchange] ${m}`)
const suffix = randomBytes(3).toString('hex')
const dbUrl = (name: string) => admin.replace(/\/[^/]*$/, `/${name}`)

const ITEMS = [
  itemInput('人员编号', 'person_id', { dataType: 'I', length: 12, isPrimaryKey: true, shareType: 2, shareCondition: '核验' }),
  itemInput('公民身份号码', 'id_no', { length: 18, sensitive: true, piCategory: 'sensitive_personal', shareType: 2, shareCondition: '核验' }),
  itemInput('姓名', 'full_name', { length: 50, sensitive: true, piCategory: 'personal', shareType: 2, shareCondition: '核验' }),
  itemInput('所属区县', 'county', { length: 20, shareType: 2, shareCondition: '核验' }),
  itemInput('地址', 'address', { length: 100, shareType: 2, shareCondition: '核验' }),
  itemInput('更新时间', 'updated_at', { dataType: 'T', length: 19, isTimestamp: true, shareType: 2, shareCondition: '核验' }),
]

function peakRss(child: ChildProcess): number {
  const status = readFileSync(`/proc/${child.pid}/status`, 'utf8')
  return Number(/VmHWM:\s+(\d+)/.exec(status)?.[1] ?? 0) / 1024
}

/** CPU time (user + system) of a child process so far, in ms (clock ticks of 10 ms). */
function cpuMs(child: ChildProcess): number {
  const fields = readFileSync(`/proc/${child.pid}/stat`, 'utf8').split(') ')[1].split(' ')
  return (Number(fields[11]) + Number(fields[12])) * 10
}

/**
 * CPU spent by the platform (this process) and by each agent during a step: on a shared machine wall times move
 * with the load, CPU times much less.
 */
function cpuMeter(agents: () => ChildProcess[]) {
  const own = () => {
    const u = process.cpuUsage()
    return (u.user + u.system) / 1000
  }
  const start = { platform: own(), agents: agents().map(cpuMs) }
  return () => ({ platformCpuMs: Math.round(own() - start.platform), agentCpuMs: agents().map((c, i) => cpuMs(c) - start.agents[i]) })
}

async function main() {
  const adminClient = new pg.Client(admin)
  await adminClient.connect()
  const src = `gsx_bench_src_${suffix}`
  const dst = `gsx_bench_dst_${suffix}`
  await adminClient.query(`create database ${src}`)
  await adminClient.query(`create database ${dst}`)
  const source = new pg.Client(dbUrl(src))
  const target = new pg.Client(dbUrl(dst))
  await source.connect()
  await target.connect()
  const children: ChildProcess[] = []
  const t = await buildTestApp()
  try {
    log(`generating ${rows} rows`)
    await source.query('create table people (id int primary key, sfzh varchar(18), xm text, qx text, dz text, changed_at timestamp)')
    await source.query(
      `insert into people select g, '370702' || lpad(g::text, 12, '0'), '姓名' || g, (array['潍城区','奎文区','寿光市','高密市'])[g % 4 + 1], '山东省潍坊市东风街' || g || '号', timestamp '2026-03-01 08:00:00' + g * interval '1 second' from generate_series(1, $1) g`,
      [rows],
    )
    await source.query('analyze people')

    // The raw pipe: COPY out of one database straight into the other.
    await target.query('create table raw_people (id int primary key, sfzh varchar(18), xm text, qx text, dz text, changed_at timestamp)')
    const rawStart = performance.now()
    const from = new pg.Client(dbUrl(src))
    const to = new pg.Client(dbUrl(dst))
    await from.connect()
    await to.connect()
    await pipeline(from.query(copyTo('copy people to stdout')), to.query(copyFrom('copy raw_people from stdin')))
    const rawMs = performance.now() - rawStart
    await from.end()
    await to.end()
    log(`raw COPY pipe: ${Math.round(rawMs)} ms`)

    const w = await buildWorld(t.db)
    const operatorB = await tokenFor(t.db, await buildUser(t.db, { orgId: w.deptB.id, roles: ['NODE_OPERATOR'] }))
    const resource = await publishResource(t, w.tokens, {
      name: `人员信息基准${suffix}`,
      shareModes: ['api', 'table'],
      items: ITEMS as never,
      physDelete: false,
    })
    const ids = Object.fromEntries(resource.items.map((i: { id: string; nameEn: string }) => [i.nameEn, i.id])) as Record<string, string>
    const request = await t.request('POST', '/api/v1/share-requests', {
      token: w.tokens.requester,
      body: { resourceId: resource.id, itemIds: Object.values(ids), purpose: '数据校核', dutyBasis: '基准测试', mode: 'table', validUntil: '2026-12-31' },
    })
    const decided = await t.request('POST', `/api/v1/share-requests/${request.body.id}/decision`, {
      token: w.tokens.approver,
      body: {
        decision: 'approve',
        masking: {
          [ids.id_no]: 'id_card',
          [ids.full_name]: 'name',
          [ids.person_id]: 'none',
          [ids.county]: 'none',
          [ids.address]: 'none',
          [ids.updated_at]: 'none',
        },
      },
    })
    const grantId = decided.body.grantId as string
    const state = join(tmpdir(), `govshare-bench-${suffix}`)
    const agentProcess = async (name: string, token: string, connection: Record<string, unknown>) => {
      const created = await t.request('POST', '/api/v1/exchange/nodes', { token, body: { name } })
      const file = join(state, `${name}.json`)
      mkdirSync(state, { recursive: true })
      writeFileSync(
        file,
        JSON.stringify({
          platform: `${t.baseUrl}/api/v1`,
          stateDir: join(state, name),
          enrolmentToken: created.body.enrolmentToken,
          pollSeconds: 0.2,
          connections: { db: connection },
        }),
      )
      const child = spawn(
        process.execPath,
        [
          ...(profileDir ? ['--cpu-prof', `--cpu-prof-dir=${join(profileDir, name)}`] : []),
          '--import',
          'tsx',
          join(import.meta.dirname, '../server/src/node-agent/main.ts'),
          '--config',
          file,
        ],
        { stdio: 'ignore' },
      )
      children.push(child)
      for (let i = 0; i < 100; i++) {
        const node = await t.db.selectFrom('exchangeNodes').select('enrolledAt').where('id', '=', created.body.id).executeTakeFirst()
        if (node?.enrolledAt) break
        await new Promise((r) => setTimeout(r, 100))
      }
      return { id: created.body.id as string, child }
    }
    const provider = await agentProcess('bench-provider', w.tokens.nodeOperator, { kind: 'postgres', url: dbUrl(src) })
    const consumer = await agentProcess('bench-consumer', operatorB, { kind: 'postgres', url: dbUrl(dst) })
    const lastRun = async (jobId: string, seqAfter: number) => {
      for (;;) {
        const run = await t.db
          .selectFrom('exchangeRuns')
          .selectAll()
          .where('jobId', '=', jobId)
          .where('seq', '>', String(seqAfter))
          .where('kind', '<>', 'verify')
          .orderBy('seq', 'desc')
          .executeTakeFirst()
        if (run && run.status !== 'running') return run
        await new Promise((r) => setTimeout(r, 100))
      }
    }
    const seqNow = async () =>
      Number(
        (
          await t.db
            .selectFrom('exchangeRuns')
            .select((eb) => eb.fn.max('seq').as('s'))
            .executeTakeFirst()
        )?.s ?? 0,
      )

    const agentsOf = () => [provider.child, consumer.child]
    const feedCpu = cpuMeter(agentsOf)
    const fullStart = performance.now()
    const feed = await t.request('POST', '/api/v1/exchange/feeds', {
      token: w.tokens.cataloger,
      body: {
        nodeId: provider.id,
        resourceId: resource.id,
        connection: 'db',
        table: 'people',
        keyColumn: 'id',
        incrementalColumn: 'changed_at',
        columns: [
          { itemId: ids.person_id, column: 'id' },
          { itemId: ids.id_no, column: 'sfzh' },
          { itemId: ids.full_name, column: 'xm' },
          { itemId: ids.county, column: 'qx' },
          { itemId: ids.address, column: 'dz' },
          { itemId: ids.updated_at, column: 'changed_at' },
        ],
      },
    })
    const feedRun = await lastRun(feed.body.id, 0)
    const feedMs = performance.now() - fullStart
    const feedCpuMs = feedCpu()
    const deliveryCpu = cpuMeter(agentsOf)
    log(`full feed: ${feedRun.status} ${feedRun.rowsWritten} rows in ${Math.round(feedMs)} ms ${feedRun.error ?? ''}`)
    const deliveryStart = performance.now()
    const delivery = await t.request('POST', '/api/v1/exchange/deliveries', {
      token: operatorB,
      body: { grantId, nodeId: consumer.id, connection: 'db', table: 'people_copy' },
    })
    const deliveryRun = await lastRun(delivery.body.id, 0)
    const deliveryMs = performance.now() - deliveryStart
    const deliveryCpuMs = deliveryCpu()
    log(`full delivery: ${deliveryRun.status} ${deliveryRun.rowsWritten} rows in ${Math.round(deliveryMs)} ms ${deliveryRun.error ?? ''}`)
    const fullMs = feedMs + deliveryMs

    log(`changing ${changed} rows`)
    await source.query(`update people set xm = xm || '改', changed_at = timestamp '2026-04-01 09:00:00' where id <= $1`, [changed])
    const before = await seqNow()
    const incCpu = cpuMeter(agentsOf)
    const incStart = performance.now()
    await t.request('POST', `/api/v1/exchange/jobs/${feed.body.id}/run`, { token: w.tokens.nodeOperator, body: {} })
    const incFeed = await lastRun(feed.body.id, before)
    const incFeedMs = performance.now() - incStart
    const incDelivery = await lastRun(delivery.body.id, before)
    const incMs = performance.now() - incStart
    const incCpuMs = incCpu()
    log(
      `incremental: feed ${incFeed.kind} ${incFeed.status} ${incFeed.rowsWritten} rows in ${Math.round(incFeedMs)} ms ${incFeed.error ?? ''}; delivery ${incDelivery.kind} ${incDelivery.status} ${incDelivery.rowsWritten} rows, total ${Math.round(incMs)} ms`,
    )
    const cpu = (c: ReturnType<ReturnType<typeof cpuMeter>>) => [c.platformCpuMs, ...c.agentCpuMs].map((ms) => `${(ms / 1000).toFixed(1)} s`).join(' / ')
    const count = (await target.query('select count(*)::int as n from people_copy')).rows[0].n
    const rss = { provider: peakRss(provider.child), consumer: peakRss(consumer.child) }
    const result = {
      at: new Date().toISOString(),
      rows,
      changed,
      rawPipeMs: Math.round(rawMs),
      full: {
        feedMs: Math.round(feedMs),
        deliveryMs: Math.round(deliveryMs),
        totalMs: Math.round(fullMs),
        ratioToRaw: Number((rawMs / fullMs).toFixed(3)),
        deliveryRatioToRaw: Number((rawMs / deliveryMs).toFixed(3)),
        feedStatus: feedRun.status,
        deliveryStatus: deliveryRun.status,
      },
      incremental: {
        feedMs: Math.round(incFeedMs),
        totalMs: Math.round(incMs),
        feedKind: incFeed.kind,
        deliveryKind: incDelivery.kind,
        feedRows: Number(incFeed.rowsWritten),
        deliveryRows: Number(incDelivery.rowsWritten),
      },
      targetRows: count,
      cpuMs: {
        fullFeed: feedCpuMs,
        fullDelivery: deliveryCpuMs,
        incremental: incCpuMs,
        note: 'platform process; agents as [provider, consumer]; PostgreSQL not counted',
      },
      loadAverage: readFileSync('/proc/loadavg', 'utf8').split(' ').slice(0, 3).map(Number),
      agentPeakRssMiB: { provider: Math.round(rss.provider), consumer: Math.round(rss.consumer) },
      targets: { fullRatio: 0.5, agentRssMiB: 300 },
    }
    mkdirSync(join(import.meta.dirname, 'results'), { recursive: true })
    writeFileSync(`${out}.json`, `${JSON.stringify(result, null, 2)}\n`)
    writeFileSync(
      `${out}.md`,
      [
        `# Exchange benchmark (${rows} rows, ${changed} changed)`,
        '',
        `Run at ${result.at} on PostgreSQL (platform, provider and consumer databases on one server).`,
        '',
        '| step | time | note |',
        '|---|---|---|',
        `| raw COPY TO \\| COPY FROM pipe | ${result.rawPipeMs} ms | the same two databases |`,
        `| full feed (provider node → table mount) | ${result.full.feedMs} ms | ${feedRun.rowsWritten} rows, ${feedRun.status} |`,
        `| full delivery (mount → consumer node, masked) | ${result.full.deliveryMs} ms | ${deliveryRun.rowsWritten} rows, ${deliveryRun.status} |`,
        `| full sync, end to end | ${result.full.totalMs} ms | ${result.full.ratioToRaw}× the raw pipe (target ≥ 0.5×); delivery alone ${result.full.deliveryRatioToRaw}× |`,
        `| incremental sync of ${changed} changed rows | ${result.incremental.totalMs} ms | feed ${result.incremental.feedKind} (batch of ${result.incremental.feedRows} rows after the merge), delivery ${result.incremental.deliveryKind} ${result.incremental.deliveryRows} rows |`,
        `| agent peak RSS | provider ${result.agentPeakRssMiB.provider} MiB, consumer ${result.agentPeakRssMiB.consumer} MiB | target < 300 MiB |`,
        '',
        `CPU time per step (platform process / provider agent / consumer agent; PostgreSQL's own not counted): full feed ${cpu(feedCpuMs)}, full delivery ${cpu(deliveryCpuMs)}, incremental ${cpu(incCpuMs)}. Load average at the end: ${result.loadAverage.join(', ')} (2 cores).`,
        '',
      ].join('\n'),
    )
    log(JSON.stringify(result))
  } finally {
    // With profiles, the agents stop on SIGTERM so that V8 writes them; otherwise no waiting.
    for (const child of children) child.kill(profileDir ? 'SIGTERM' : 'SIGKILL')
    if (profileDir) await Promise.all(children.map((c) => new Promise((r) => (c.exitCode !== null ? r(null) : c.once('exit', r)))))
    await source.end()
    await target.end()
    await t.close()
    await adminClient.query(`drop database if exists ${src} with (force)`)
    await adminClient.query(`drop database if exists ${dst} with (force)`)
    await adminClient.end()
  }
}

main().then(
  () => process.exit(0),
  (error) => {
    console.error(error)
    process.exit(1)
  },
)
