/**
 * The server under test for bench/gateway.ts and bench/mount.ts, run as its own process so its
 * resident memory can be read from /proc and the load generator does not share its event loop.
 * It is the production app (buildApp, info-level request logging to /dev/null) plus one bare route
 * for the gateway benchmark's baseline. Started by startServer() in server-process.ts.
 */
import { createWriteStream } from 'node:fs'
import { sql } from 'kysely'
import pg from 'pg'
import { buildApp } from '../../server/src/app.ts'
import { loadConfig } from '../../server/src/platform/config/config.ts'
import { prepareDatabase } from '../../server/src/platform/db/bootstrap.ts'
import { openDatabase } from '../../server/src/platform/db/database.ts'
import { serveUntilStopped } from './child.ts'

// Every statement the app sends (Kysely and COPY both go through pg.Client#query): the benchmark reads
// the count before and after a run to report statements per call.
let statements = 0
const query = pg.Client.prototype.query
pg.Client.prototype.query = function (this: pg.Client, ...args: unknown[]) {
  statements++
  return (query as (...a: unknown[]) => unknown).apply(this, args)
} as typeof query

const url = process.env.BENCH_SERVER_DATABASE_URL
if (!url) throw new Error('BENCH_SERVER_DATABASE_URL is not set')
const database = await openDatabase({ url, poolSize: 10 })
await prepareDatabase(database.db)
const config = loadConfig({ GOVSHARE_DEMO: 'never', DATABASE_URL: url })
const app = await buildApp({
  db: database.db,
  dbKind: database.kind,
  pgPool: database.pgPool ?? undefined,
  config,
  // As in production (main.ts): info-level request logs, here written to /dev/null.
  logger: { level: 'info', stream: createWriteStream('/dev/null') },
})

interface BareTable {
  table: string
  columns: { itemId: string; column: string }[]
}
const bareTables = new Map<string, BareTable>()

/**
 * The baseline: the same lookup SQL the gateway runs for a granted item list, on the same pool, with
 * no token, grant, rate limit, masking, call log or audit, and no request log. Columns are passed as
 * `?cols=a,b,c` (the granted items' columns, in the gateway's order) and the key as `?key=col&value=v`.
 */
app.get('/bench/bare/:resourceId', { config: { public: true }, logLevel: 'silent', schema: { hide: true } }, async (req) => {
  const { resourceId } = req.params as { resourceId: string }
  const query = req.query as { cols: string; key: string; value: string }
  let mount = bareTables.get(resourceId)
  if (!mount) {
    const row = await database.db
      .selectFrom('mounts')
      .select(['activeTable', 'columns'])
      .where('resourceId', '=', resourceId)
      .where('kind', '=', 'table')
      .executeTakeFirstOrThrow()
    mount = { table: row.activeTable!, columns: row.columns }
    bareTables.set(resourceId, mount)
  }
  const cols = query.cols.split(',')
  const result = await sql<Record<string, unknown>>`select ${sql.join(cols.map((c, i) => sql`${sql.ref(c)} as ${sql.raw(`c${i}`)}`))}
    from ${sql.table(mount.table)} where ${sql.ref(query.key)} = ${query.value} order by _line limit ${20} offset ${0}`.execute(database.db)
  return { items: result.rows.map((row) => Object.fromEntries(cols.map((c, i) => [c, row[`c${i}`]]))) }
})

app.get('/bench/stats', { config: { public: true }, logLevel: 'silent', schema: { hide: true } }, async () => ({ statements }))

await serveUntilStopped(app, () => database.close())
