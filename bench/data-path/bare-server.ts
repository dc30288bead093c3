/**
 * The gateway benchmark's baseline, in its own process: a bare Fastify route on a pg pool of the same size
 * as the server's, selecting the granted columns of one row from a plain table by its primary key and
 * masking in JavaScript. No token, grant, counters, call log or audit; nothing of GovShare but maskValue.
 * Env: BARE_DATABASE_URL, BARE_TABLE, BARE_COLUMNS (comma separated), BARE_KEY, BARE_MASK (column=rule,…).
 */
import Fastify from 'fastify'
import pg from 'pg'
import { maskValue } from '../../server/src/platform/masking/masking.ts'
import type { MaskingRule } from '../../server/src/platform/db/schema.ts'
import { serveUntilStopped } from './child.ts'

const env = (name: string) => {
  const value = process.env[name]
  if (!value) throw new Error(`${name} is not set`)
  return value
}
// Dates as their text, as GovShare's pool reads them (platform/db/database.ts).
pg.types.setTypeParser(pg.types.builtins.DATE, (value) => value)
const pool = new pg.Pool({ connectionString: env('BARE_DATABASE_URL'), max: 10 })
const columns = env('BARE_COLUMNS').split(',')
const masks = new Map(
  (process.env.BARE_MASK ?? '')
    .split(',')
    .filter(Boolean)
    .map((m) => m.split('=') as [string, MaskingRule]),
)
const text = `select ${columns.map((c) => `"${c}"`).join(', ')} from "${env('BARE_TABLE')}" where "${env('BARE_KEY')}" = $1 limit 20`
const app = Fastify({ logger: false })
app.get('/bare/:id', async (req) => {
  const { rows } = await pool.query({ name: 'bare', text, values: [(req.params as { id: string }).id] })
  return { items: rows.map((row) => Object.fromEntries(columns.map((c) => [c, masks.has(c) ? maskValue(masks.get(c)!, row[c]) : row[c]]))) }
})
await serveUntilStopped(app, () => pool.end())
