import assert from 'node:assert/strict'
import { randomBytes } from 'node:crypto'
import { after, before, describe, test } from 'node:test'
import { sql } from 'kysely'
import { buildWorld } from '../../testing/factories.ts'
import { type TestApp, buildTestApp } from '../../testing/test-app.ts'
import { createEntry, passedThrough, pullStream, tableMountOf, uploadForm, uploadTablePath } from './test-helpers.ts'

const MB = 1024 * 1024

/** One CSV row of the standard test entry (~100 bytes, with Chinese text). */
const csvRow = (i: number) =>
  `91370700${String(i).padStart(10, '0')},潍坊市测试社会组织第${i}号,370702${String(198001010000 + i).slice(0, 12)},2026-01-${String(1 + (i % 28)).padStart(2, '0')} 08:${String(i % 60).padStart(2, '0')}:00\n`

/**
 * A multipart body generated on the fly: the CSV is never a string or a buffer in this process,
 * only 2000-row pieces, pulled as the server reads (so the upload streams end to end).
 */
function streamingUpload(targetBytes: number) {
  const boundary = `----govshare${randomBytes(8).toString('hex')}`
  const counts = { rows: 0, bytes: 0 }
  async function* parts() {
    yield Buffer.from(`--${boundary}\r\nContent-Disposition: form-data; name="file"; filename="big.csv"\r\nContent-Type: text/csv\r\n\r\n`)
    yield Buffer.from('uscc,org_name,legal_rep_id,updated_at\n')
    while (counts.bytes < targetBytes) {
      let piece = ''
      for (let k = 0; k < 2000; k++) piece += csvRow(counts.rows++)
      const bytes = Buffer.from(piece)
      counts.bytes += bytes.length
      yield bytes
    }
    yield Buffer.from(`\r\n--${boundary}--\r\n`)
  }
  return { boundary, counts, body: pullStream(parts()) }
}

describe('a large CSV upload', () => {
  let t: TestApp
  let world: Awaited<ReturnType<typeof buildWorld>>
  before(async () => {
    t = await buildTestApp()
    world = await buildWorld(t.db)
  })
  after(() => t.close())

  // PGlite loads through batched INSERTs in this very process: 20 MB keeps the run short there.
  const targetBytes = () => (t.dbKind === 'postgres' ? 50 : 20) * MB

  test('streams into the managed table with the process RSS growing by less than 300 MB', async (ctx) => {
    const id = await createEntry(t, world.tokens.cataloger)
    const upload = streamingUpload(targetBytes())
    const baseline = process.memoryUsage().rss
    let peak = baseline
    const sampler = setInterval(() => (peak = Math.max(peak, process.memoryUsage().rss)), 25)
    const started = Date.now()
    let response: Response
    try {
      response = await fetch(`${t.baseUrl}${uploadTablePath(id)}`, {
        method: 'POST',
        headers: { authorization: `Bearer ${world.tokens.cataloger}`, 'content-type': `multipart/form-data; boundary=${upload.boundary}` },
        body: upload.body,
        duplex: 'half',
      } as RequestInit)
    } finally {
      clearInterval(sampler)
    }
    const seconds = (Date.now() - started) / 1000
    const body = (await response.json()) as { rows: number; rejectedTotal: number; lastDataTime: string }
    assert.equal(response.status, 201, JSON.stringify(body).slice(0, 500))
    const growthMb = (peak - baseline) / MB
    ctx.diagnostic(
      `${t.dbKind}: ${(upload.counts.bytes / MB).toFixed(1)} MB, ${upload.counts.rows} rows in ${seconds.toFixed(1)} s ` +
        `(${Math.round(upload.counts.rows / seconds)} rows/s); RSS ${(baseline / MB).toFixed(0)} → peak ${(peak / MB).toFixed(0)} MB (+${growthMb.toFixed(0)} MB)`,
    )
    assert.ok(upload.counts.bytes >= targetBytes())
    assert.equal(body.rows, upload.counts.rows)
    assert.equal(body.rejectedTotal, 0)
    assert.equal(body.lastDataTime, '2026-01-28T00:59:00.000Z')
    const mount = await tableMountOf(t.db, id)
    assert.equal(mount!.rowCount, upload.counts.rows)
    const counted = await sql<{ n: number }>`select count(*)::int as n from ${sql.table(mount!.activeTable!)}`.execute(t.db)
    assert.equal(counted.rows[0].n, upload.counts.rows)
    // The unique key index exists (built before the load on PostgreSQL, after it on PGlite), and no other.
    const indexes = await sql<{
      name: string
    }>`select indexname as name from pg_indexes where schemaname = 'mounted' and tablename = ${mount!.activeTable!.split('.')[1]}`.execute(t.db)
    assert.deepEqual(indexes.rows.map((r) => r.name.replace(/^r_[0-9a-f]+_\d+_/, '')).sort(), ['pk'])
    assert.ok(growthMb < 300, `RSS grew by ${growthMb.toFixed(0)} MB`)
  })
  test('a duplicate key past the first COPY chunk (100,000 rows) is found; skipping it keeps every other row and a unique key index', async () => {
    const id = await createEntry(t, world.tokens.cataloger)
    const rows = 103_000
    const lines = ['uscc,org_name,legal_rep_id,updated_at\n']
    for (let i = 0; i < rows; i++) lines.push(csvRow(i === 101_000 ? 7 : i))
    const csv = lines.join('')
    const post = (fields: Record<string, string> = {}) =>
      t.request('POST', uploadTablePath(id), { token: world.tokens.cataloger, body: uploadForm(csv, 'big.csv', fields) })

    const refused = await post()
    assert.equal(refused.status, 400)
    // Line numbers: the header is line 1, row i is line i + 2.
    assert.deepEqual(refused.body.error.details, [{ field: '第101002行.uscc', message: '主键重复（与第 9 行相同）' }])
    assert.equal(await tableMountOf(t.db, id), undefined)

    const loaded = await post({ skipInvalidRows: 'true' })
    assert.equal(loaded.status, 201, JSON.stringify(loaded.body).slice(0, 500))
    assert.equal(loaded.body.rows, rows - 1)
    assert.deepEqual(loaded.body.rejectedRows, [{ line: 101_002, reason: '「uscc」主键重复（与第 9 行相同）' }])
    const table = (await tableMountOf(t.db, id))!.activeTable!
    const unique = await sql<{
      def: string
    }>`select indexdef as def from pg_indexes where schemaname = 'mounted' and tablename = ${table.split('.')[1]} and indexname like '%_pk'`.execute(t.db)
    assert.match(unique.rows[0]?.def ?? '', /CREATE UNIQUE INDEX .* \(uscc\)/)
    const counted = await sql<{ n: number }>`select count(*)::int as n, count(distinct uscc)::int as keys from ${sql.table(table)}`.execute(t.db)
    assert.deepEqual(counted.rows[0], { n: rows - 1, keys: rows - 1 })
    // On PostgreSQL the chunk that broke the key went as the file's CSV text and was sent again as such.
    if (t.dbKind === 'postgres') assert.equal(await passedThrough(t.db, id), true)
    const lineRange = await sql<{
      first: number
      last: number
      distinct: number
    }>`select min(_line)::int as first, max(_line)::int as last, count(distinct _line)::int as distinct from ${sql.table(table)}`.execute(t.db)
    assert.deepEqual(lineRange.rows[0], { first: 2, last: rows + 1, distinct: rows - 1 })
  })
})
