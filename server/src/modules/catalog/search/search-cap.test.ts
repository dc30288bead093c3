import assert from 'node:assert/strict'
import { after, before, test } from 'node:test'
import { sql } from 'kysely'
import { buildWorld, publishResource } from '../../../testing/factories.ts'
import { buildTestApp, type TestApp } from '../../../testing/test-app.ts'
import { SEARCH_RESULT_CAP } from './queries.ts'

/**
 * A text search that matches more than SEARCH_RESULT_CAP entries (queries.ts): the total is the cap,
 * the first pages are served, and a page past the cap is a 400 naming `page`.
 */

const API = '/api/v1/catalog/resources'
let t: TestApp
let world: Awaited<ReturnType<typeof buildWorld>>

before(async () => {
  t = await buildTestApp()
  world = await buildWorld(t.db)
  await publishResource(t, world.tokens, { name: '婚姻登记信息', abstract: '结婚、离婚登记记录' })
  const source = await publishResource(t, world.tokens, { name: '殡葬服务机构信息', abstract: '殡葬服务机构的名称、地址与许可信息' })
  // Copies of the published entry, written directly: publishing 1,000 entries over HTTP would take minutes.
  const columns = (
    await sql<{ columnName: string }>`select column_name from information_schema.columns
      where table_name = 'resource_versions' and is_generated = 'NEVER' and column_name not in ('id', 'resource_id', 'name')`.execute(t.db)
  ).rows.map((r) => sql.ref(r.columnName))
  await sql`insert into resources (provider_org_id, latest_version, published_version)
    select provider_org_id, 1, 1 from resources, generate_series(1, ${SEARCH_RESULT_CAP}) where id = ${source.id}`.execute(t.db)
  await sql`insert into resource_versions (resource_id, name, ${sql.join(columns)})
    select r.id, s.name || '（第' || row_number() over (order by r.id) || '份）', ${sql.join(columns.map((c) => sql`s.${c}`))}
    from resources r, resource_versions s
    where s.resource_id = ${source.id} and not exists (select from resource_versions x where x.resource_id = r.id)`.execute(t.db)
  // Statistics, so the searches below size their first-rows proof from the token frequencies (queries.ts) as
  // they do in production, where autovacuum keeps them; this file's searches run after this point only.
  await sql`analyze resource_versions`.execute(t.db)
  const stats = await sql<{ n: number }>`select coalesce(array_length(most_common_elems::text::text[], 1), 0) as n from pg_stats
    where tablename = 'resource_versions' and attname = 'search_vector'`.execute(t.db)
  assert.ok(stats.rows[0]?.n > 0, 'ANALYZE gave the search vectors their most common tokens')
})
after(() => t.close())

const search = (query: Record<string, string | number>) =>
  t.request('GET', `${API}?${new URLSearchParams(Object.entries(query).map(([k, v]): [string, string] => [k, String(v)]))}`, { token: world.tokens.requester })

test(`more than ${SEARCH_RESULT_CAP} matches: the total is the cap and the first pages are served`, async () => {
  const first = await search({ q: '殡葬', pageSize: 20 })
  assert.equal(first.status, 200, JSON.stringify(first.body))
  assert.equal(first.body.total, SEARCH_RESULT_CAP)
  assert.equal(first.body.totalCapped, true)
  assert.equal(first.body.items.length, 20)
  for (const entry of first.body.items) assert.match(entry.name, /殡葬/)

  const last = await search({ q: '殡葬服务', page: SEARCH_RESULT_CAP / 20, pageSize: 20 })
  assert.equal(last.status, 200, JSON.stringify(last.body))
  assert.equal(last.body.items.length, 20)
  const ids = new Set([...first.body.items, ...last.body.items].map((entry: { id: string }) => entry.id))
  assert.equal(ids.size, 40, 'the first and the last page share no entry')
})

test('a page past the cap is refused with a message naming the way out', async () => {
  const res = await search({ q: '殡葬', page: SEARCH_RESULT_CAP / 20 + 1, pageSize: 20 })
  assert.equal(res.status, 400)
  assert.equal(res.body.error.code, 'VALIDATION_FAILED')
  assert.equal(res.body.error.details[0].field, 'page')
  assert.match(res.body.error.details[0].message, /请增加检索词或筛选条件/)
})

test('a search under the cap and a listing without a term are counted exactly', async () => {
  const few = await search({ q: '婚姻' })
  assert.equal(few.status, 200, JSON.stringify(few.body))
  assert.equal(few.body.totalCapped, false)
  assert.equal(few.body.total, 1)
  const all = await search({ pageSize: 1 })
  assert.equal(all.body.totalCapped, false)
  assert.equal(all.body.total, SEARCH_RESULT_CAP + 2)
})
