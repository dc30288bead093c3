/**
 * What the call-log roll-up's trigger (migration 0046) adds to an insert of call logs as call_journal_commit
 * makes it (json_populate_recordset): batches of 1, 50 and 500 calls, six rounds with the trigger enabled
 * and disabled in alternating order, one connection, on a throw-away PostgreSQL database. Calls fall within
 * one second (one day) over 60 consumer/provider/app/entry groups; SPREAD=1 spreads them over 3.5 days
 * (~240 groups a batch of 500), the dearest case. Prints the milliseconds per statement of each round.
 *
 *   npx tsx bench/call-rollup-cost.ts [SPREAD=1 in the environment]
 */
import { randomBytes, randomUUID } from 'node:crypto'
import { sql } from 'kysely'
import pg from 'pg'
import { prepareDatabase } from '../server/src/platform/db/bootstrap.ts'
import { openDatabase } from '../server/src/platform/db/database.ts'
const URL_ = process.env.BENCH_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres'
const admin = async (s: string) => {
  const c = new pg.Client({ connectionString: URL_ })
  await c.connect()
  await c.query(s)
  await c.end()
}
const name = `govshare_bench_${randomBytes(5).toString('hex')}`
await admin(`create database ${name}`)
const u = new URL(URL_)
u.pathname = `/${name}`
const database = await openDatabase({ url: u.toString(), poolSize: 1 })
const db = database.db
try {
  await prepareDatabase(db)
  const orgs = Array.from({ length: 20 }, () => randomUUID())
  const batch = (n: number) =>
    JSON.stringify(
      Array.from({ length: n }, (_, i) => {
        const at = new Date(Date.now() - Math.random() * (process.env.SPREAD ? 3e8 : 1000)).toISOString()
        return {
          id: null,
          request_in_at: at,
          response_out_at: at,
          request_bytes: 0,
          response_bytes: 0,
          consumer_org_id: orgs[i % 20],
          provider_org_id: orgs[(i * 7 + 3) % 20],
          resource_id: orgs[i % 5],
          app_id: orgs[i % 3],
          rows_returned: 1,
          result: 'success',
        }
      }),
    )
  let id = 1
  const results: Record<string, number[]> = {}
  for (let round = 0; round < 6; round++) {
    for (const trig of round % 2 ? [true, false] : [false, true]) {
      await sql.raw(`alter table call_logs ${trig ? 'enable' : 'disable'} trigger call_log_daily_add`).execute(db)
      for (const n of [1, 50, 500]) {
        const reps = n === 1 ? 300 : n === 50 ? 60 : 12
        const started = performance.now()
        for (let r = 0; r < reps; r++) {
          const rows = (JSON.parse(batch(n)) as object[]).map((x) => ({ ...x, id: id++ }))
          await sql`insert into call_logs select * from json_populate_recordset(null::call_logs, ${JSON.stringify(rows)}::json)`.execute(db)
        }
        const key = `${trig ? 'trigger' : 'none'} ${n}`
        ;(results[key] ??= []).push((performance.now() - started) / reps)
      }
    }
  }
  for (const [k, v] of Object.entries(results))
    console.log(k, v.map((x) => x.toFixed(2)).join(' '), 'median', [...v].sort((a, b) => a - b)[Math.floor(v.length / 2)]!.toFixed(2))
} finally {
  await database.close()
  await admin(`drop database ${name}`)
}
