/**
 * Benchmark: a year's evaluation (SPEC §9) for 100 departments over 10,000,000 call logs, 50,000 share
 * requests and 2,000 catalog entries on PostgreSQL. Target: under 10 s for the whole run (evidence,
 * scores, ranks, written in one transaction). Results in bench/results/evaluation.{json,md}.
 *
 *   npx tsx bench/evaluation.ts [--calls=10000000] [--url=postgres://…] [--keep]
 */
import { randomBytes } from 'node:crypto'
import { mkdirSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { sql } from 'kysely'
import pg from 'pg'
import { createRun } from '../server/src/modules/evaluation/runs.ts'
import type { Actor } from '../server/src/platform/auth/actor.ts'
import { loadConfig } from '../server/src/platform/config/config.ts'
import { makeCtx } from '../server/src/platform/context.ts'
import { prepareDatabase } from '../server/src/platform/db/bootstrap.ts'
import { openDatabase } from '../server/src/platform/db/database.ts'

const arg = (name: string, fallback: string) => process.argv.find((a) => a.startsWith(`--${name}=`))?.split('=')[1] ?? fallback
const CALLS = Number(arg('calls', '10000000'))
const URL_ = arg('url', process.env.BENCH_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres')
const KEEP = process.argv.includes('--keep')
const DEPARTMENTS = 100
const ENTRIES = 2000
const REQUESTS = 50_000
const log = (m: string) => console.log(`${new Date().toISOString().slice(11, 19)} ${m}`)

async function admin(statement: string) {
  const client = new pg.Client({ connectionString: URL_ })
  await client.connect()
  try {
    await client.query(statement)
  } finally {
    await client.end()
  }
}

async function main() {
  const name = `govshare_bench_${randomBytes(5).toString('hex')}`
  await admin(`create database ${name}`)
  const target = new URL(URL_)
  target.pathname = `/${name}`
  const database = await openDatabase({ url: target.toString(), poolSize: 4 })
  const db = database.db
  const timings: Record<string, number> = {}
  const time = async (label: string, work: () => Promise<unknown>) => {
    const started = performance.now()
    await work()
    timings[label] = Math.round(performance.now() - started)
    log(`${label}: ${(timings[label]! / 1000).toFixed(1)} s`)
  }
  try {
    await prepareDatabase(db)
    // 100 departments: 60 city departments and 40 in four counties; each catalogs 20 entries under its own 目.
    await time('seed orgs, entries, mounts', async () => {
      await sql`insert into orgs (name, region_code, kind) values ('基准测试大数据局', '370700', 'authority')`.execute(db)
      await sql`insert into orgs (name, region_code, kind)
        select '基准部门' || g, case when g <= 60 then '370700' else (array['370702','370703','370704','370705'])[1 + g % 4] end, 'department'
        from generate_series(1, ${DEPARTMENTS}) g`.execute(db)
      await sql`insert into users (username, name, org_id, roles, password_hash) select 'bench_auth', '基准主管', id, '{AUTH_ADMIN}', 'x' from orgs where kind = 'authority'`.execute(db)
      await sql`insert into class_nodes (code, name, depth) values ('3', '部门', 1) on conflict do nothing`.execute(db)
      await sql`insert into resources (id, provider_org_id, latest_version, published_version, first_published_at, created_at)
        select gen_random_uuid(), (select id from orgs where kind = 'department' order by name offset (g % ${DEPARTMENTS}) limit 1), 1, 1, '2026-01-02T02:00:00Z', '2026-01-02T01:00:00Z'
        from generate_series(1, ${ENTRIES}) g`.execute(db)
      await sql`insert into resource_versions (resource_id, version, provider_org_id, status, is_latest, name, class_code, abstract, format_class, format_type,
          share_type, share_basis, share_mode_class, open_flag, update_cycle, level_attr, data_grade, search_text, search_vector, items, changed_at, published_at)
        select r.id, 1, r.provider_org_id, 'published', true, '基准目录' || row_number() over (), '3', '基准目录摘要', 3, 'PostgreSQL',
          1 + (row_number() over ()) % 2, '《基准条例》第一条', '共享平台方式', false, (array[2, 3, 4])[1 + (row_number() over ()) % 3], '1', '一般数据', '', ''::tsvector, '[]', now(), '2026-01-02T02:00:00Z'
        from resources r`.execute(db)
      await sql`insert into mounts (resource_id, kind, active_table, created_at) select id, 'table', 'r_bench', '2026-01-02T02:00:00Z' from resources`.execute(db)
      // Weekly batches for a year (each with a random delay): ~104,000 batch rows.
      await sql`insert into mount_batches (mount_id, table_name, status, rows_loaded, started_at, finished_at)
        select m.id, 'r_bench', 'replaced', 1000, d, d + interval '5 minutes'
        from mounts m cross join lateral generate_series('2026-01-03T18:00:00Z'::timestamptz + (random() * 3) * interval '1 day', '2026-12-31T00:00:00Z', interval '7 days') d`.execute(db)
    })
    await time('seed requests and tasks', async () => {
      await sql`insert into share_requests (no, resource_id, resource_version, provider_org_id, requester_org_id, requester_id, item_ids, purpose, duty_basis, mode, valid_until,
          status, share_type, due_at, due_date, decision, decision_reason, decided_by, decided_at, created_at)
        select 'SQB' || g, r.id, 1, r.provider_org_id, (select id from orgs where kind = 'department' order by name offset ((g * 7) % ${DEPARTMENTS}) limit 1),
          (select id from users limit 1), '{}', '业务协同', '依据', 'api', '2027-12-31',
          case when g % 10 = 0 then 'rejected' else 'granted' end, 2, c + interval '14 days', (c + interval '14 days')::date,
          case when g % 10 = 0 then 'reject' else 'approve' end, case when g % 10 = 0 then '理由' end, (select id from users limit 1),
          c + (g % 20) * interval '1 day', c
        from generate_series(1, ${REQUESTS}) g
        cross join lateral (select '2026-01-05T02:00:00Z'::timestamptz + (g % 350) * interval '1 day' as c) cc
        join lateral (select id, provider_org_id from resources offset (g % ${ENTRIES}) limit 1) r on true`.execute(db)
      await sql`insert into catalog_change_events (id, org_id, kind, occurred_at, description, created_by)
        select gen_random_uuid(), id, 'law_revision', '2026-04-01T02:00:00Z', '修订', (select id from users limit 1) from orgs where kind = 'department'`.execute(db)
      await sql`insert into catalog_review_tasks (event_id, resource_id, org_id, due_date, due_at, status, done_at)
        select e.id, r.id, r.provider_org_id, '2026-04-22', '2026-04-22T15:59:59Z', 'done', '2026-04-10T02:00:00Z'::timestamptz + (random() * 25) * interval '1 day'
        from resources r join catalog_change_events e on e.org_id = r.provider_org_id`.execute(db)
    })
    await time(`seed ${CALLS.toLocaleString('en')} call logs`, async () => {
      // In chunks of 1,000,000, calls spread over the year between random department pairs.
      for (let done = 0; done < CALLS; done += 1_000_000) {
        const n = Math.min(1_000_000, CALLS - done)
        await sql`insert into call_logs (request_in_at, response_out_at, consumer_org_id, provider_org_id, resource_id, rows_returned, result)
          select t, t + interval '40 ms', d.ids[1 + (g * 31) % ${DEPARTMENTS}], d.ids[1 + (g * 17 + 3) % ${DEPARTMENTS}], null, 1 + g % 20,
            case when g % 50 = 0 then 'denied' else 'success' end
          from (select array_agg(id order by name) as ids from orgs where kind = 'department') d,
            lateral generate_series(1, ${n}) g,
            lateral (select '2026-01-01T00:00:00+08:00'::timestamptz + ((g::bigint * 7919 + ${done}) % 31536000) * interval '1 second' as t) tt`.execute(db)
        log(`  ${(done + n).toLocaleString('en')} call logs`)
      }
    })
    await time('vacuum analyze', () => sql`vacuum analyze`.execute(db))
    const authority = await db.selectFrom('users').select(['id', 'orgId']).executeTakeFirstOrThrow()
    const actor: Actor = { userId: authority.id, username: 'bench_auth', name: '基准主管', orgId: authority.orgId, orgName: '基准测试大数据局', orgKind: 'authority', roles: ['AUTH_ADMIN'], sessionId: 'bench' }
    const ctx = makeCtx({ db, actor, config: loadConfig({}), now: () => new Date('2027-01-05T02:00:00Z') })
    const runs: number[] = []
    const perIndicator: Record<string, number>[] = []
    let runId = ''
    for (let i = 0; i < 3; i++) {
      const started = performance.now()
      const timings: Record<string, number> = {}
      runId = (await createRun(ctx, { from: '2026-01-01', to: '2026-12-31', label: `基准 ${i + 1}` }, timings)).id
      runs.push(Math.round(performance.now() - started))
      perIndicator.push(timings)
      log(`evaluation run ${i + 1}: ${(runs[i]! / 1000).toFixed(2)} s ${JSON.stringify(timings)}`)
    }
    const counts = (await sql<{ indicator: string; n: string }>`select indicator, count(*) as n from evaluation_evidence where run_id = ${runId} group by indicator order by indicator`.execute(db)).rows
    const ranked = (await sql<{ n: string }>`select count(*) as n from evaluation_totals where run_id = ${runId} and level = 'department' and rank is not null`.execute(db)).rows[0]!.n
    const version = (await sql<{ v: string }>`select version() as v`.execute(db)).rows[0]!.v
    const result = { at: new Date().toISOString(), postgres: version, departments: DEPARTMENTS, entries: ENTRIES, requests: REQUESTS, callLogs: CALLS, seedMs: timings, runMs: runs, evidenceMsPerIndicator: perIndicator, evidenceRows: Object.fromEntries(counts.map((c) => [c.indicator, Number(c.n)])), rankedDepartments: Number(ranked), targetMs: 10_000, met: Math.max(...runs) < 10_000 }
    mkdirSync(join(import.meta.dirname, 'results'), { recursive: true })
    const suffix = ''
    writeFileSync(join(import.meta.dirname, 'results', `evaluation${suffix}.json`), `${JSON.stringify(result, null, 2)}\n`)
    writeFileSync(
      join(import.meta.dirname, 'results', `evaluation${suffix}.md`),
      `# Evaluation benchmark (${result.at.slice(0, 10)})\n\n${version}\n\n| data | count |\n|---|---|\n| departments | ${DEPARTMENTS} |\n| catalog entries (table mounts, weekly batches) | ${ENTRIES} |\n| share requests | ${REQUESTS.toLocaleString('en')} |\n| call logs | ${CALLS.toLocaleString('en')} |\n\n` +
        `| run | seconds |\n|---|---|\n${runs.map((ms, i) => `| ${i + 1} | ${(ms / 1000).toFixed(2)} |`).join('\n')}\n\nTarget: under 10 s — ${result.met ? 'met' : 'NOT met'}.\n\nEvidence rows per indicator: ${counts.map((c) => `${c.indicator} ${Number(c.n).toLocaleString('en')}`).join(', ')}; ranked departments: ${ranked}.\n`,
    )
    log(JSON.stringify({ runMs: runs, met: result.met }))
  } finally {
    await database.close()
    if (!KEEP) await admin(`drop database ${name}`)
  }
}

await main()
