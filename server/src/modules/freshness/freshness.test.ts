import assert from 'node:assert/strict'
import { after, before, test } from 'node:test'
import { buildWorld, publishResource, refreshTokens, resourceBody } from '../../testing/factories.ts'
import { buildTestApp, type TestApp } from '../../testing/test-app.ts'
import { checkFreshness, writeQualityReports } from './checks.ts'

/** SPEC §7.3: the freshness flag on a lapsed daily mount, and each new batch's quality report. */

let t: TestApp
let world: Awaited<ReturnType<typeof buildWorld>>
let entry: { id: string }

before(async () => {
  t = await buildTestApp()
  world = await buildWorld(t.db)
  // 组织名称 is a basic (required) item: its empty cells count in the null rate.
  const items = resourceBody().items.map((item) => (item.nameEn === 'org_name' ? { ...item, basicItem: true } : item))
  entry = await publishResource(t, { cataloger: world.tokens.cataloger, authAdmin: world.tokens.authAdmin }, { items })
})
after(() => t.close())

async function upload(csv: string) {
  const form = new FormData()
  form.append('file', new Blob([Buffer.from(csv)]), 'data.csv')
  form.append('confirm', 'true') // a fixture's upload may replace rows mounted before: confirmed
  const res = await t.request('POST', `/api/v1/catalog/resources/${entry.id}/mounts/table`, { token: world.tokens.cataloger, body: form })
  assert.ok(res.status < 300, JSON.stringify(res.body))
}

const HEADER = 'uscc,org_name,legal_rep_id,updated_at\n'
const row = (uscc: string, name: string) => `${uscc},${name},370702199001011234,2026-03-01 10:00:00\n`

test('each new batch gets a quality report: required nulls, duplicate keys, a row-count swing over 50 %', async () => {
  assert.equal(await writeQualityReports(t.db, t.clock.now()), 1, 'the first batch')
  const first = await t.db.selectFrom('mountQualityReports').selectAll().executeTakeFirstOrThrow()
  assert.deepEqual([first.rows, first.previousRows, first.duplicateKeys, first.problems], [1, null, 0, []])

  t.clock.advanceMinutes(10)
  // Duplicate and empty keys never reach a table (the upload refuses them), so the report finds none.
  await upload(HEADER + row('91370700MA3C00001X', '甲') + row('91370700MA3C00003X', '') + row('91370700MA3C00004X', '丙'))
  assert.equal(await writeQualityReports(t.db, t.clock.now()), 1)
  assert.equal(await writeQualityReports(t.db, t.clock.now()), 0, 'a batch is reported once')
  const second = await t.db.selectFrom('mountQualityReports').selectAll().where('batchId', '!=', first.batchId).executeTakeFirstOrThrow()
  assert.equal(second.rows, 3)
  assert.equal(second.previousRows, 1)
  assert.equal(Number(second.rowSwing), 2)
  assert.equal(second.duplicateKeys, 0)
  assert.deepEqual(second.nullRates, { 统一社会信用代码: 0, 组织名称: 0.3333 })
  assert.deepEqual(second.problems, ['必填信息项「组织名称」空值率 33.33%', '行数较上一批变化 200.0%（超过 50%）'])
  const told = await t.db.selectFrom('notifications').select(['orgId', 'title']).where('kind', '=', 'mounts.quality').execute()
  assert.equal(told.length, 1)
  assert.equal(told[0]!.orgId, world.deptA.id)

  const listed = await t.request('GET', '/api/v1/freshness/mounts', { token: world.tokens.cataloger })
  assert.equal(listed.status, 200)
  assert.deepEqual(listed.body.items[0].latestReport.problems, second.problems)
  // Another department sees none of the provider's mounts; a requester may not ask.
  assert.deepEqual((await t.request('GET', '/api/v1/freshness/mounts', { token: world.tokens.catalogerB })).body.items, [])
  assert.equal((await t.request('GET', '/api/v1/freshness/mounts', { token: world.tokens.requester })).status, 403)
})

test('a daily mount whose data is older than 26 h is flagged and its provider told once; new data clears the flag', async () => {
  const base = t.clock.now()
  assert.equal(await checkFreshness(t.db, new Date(base.getTime() + 25 * 3_600_000)), 0, 'within the daily limit')
  const late = new Date(base.getTime() + 27 * 3_600_000)
  assert.equal(await checkFreshness(t.db, late), 1)
  assert.equal(await checkFreshness(t.db, late), 0, 'flagged once')
  const mount = await t.db.selectFrom('mounts').select('staleSince').where('resourceId', '=', entry.id).executeTakeFirstOrThrow()
  assert.deepEqual(mount.staleSince, late)
  const told = await t.db.selectFrom('notifications').select(['orgId', 'title']).where('kind', '=', 'mounts.stale').execute()
  assert.equal(told.length, 1)
  assert.match(told[0]!.title, /未按更新周期更新/)
  const stale = await t.request('GET', '/api/v1/freshness/mounts?staleOnly=true', { token: world.tokens.authAdmin })
  assert.equal(stale.body.items.length, 1)
  // The flag is on the entry: its detail for a consumer, and the catalog's search results.
  const detail = await t.request('GET', `/api/v1/catalog/resources/${entry.id}`, { token: world.tokens.requester })
  assert.equal(detail.status, 200)
  assert.equal(new Date(detail.body.staleSince).getTime(), late.getTime())
  assert.equal(new Date(detail.body.mounts[0].staleSince).getTime(), late.getTime())
  const found = await t.request('GET', '/api/v1/catalog/resources?status=published', { token: world.tokens.requester })
  assert.equal(found.status, 200, JSON.stringify(found.body))
  assert.equal(new Date(found.body.items.find((r: { id: string }) => r.id === entry.id).staleSince).getTime(), late.getTime())

  t.clock.set(late)
  await refreshTokens(t.db, world, late)
  await upload(HEADER + row('91370700MA3C00002X', '丁'))
  // The batch's finish time is the database's clock; the check compares it with the time it runs at.
  const finished = await t.db.selectFrom('mountBatches').select('finishedAt').where('status', '=', 'active').executeTakeFirstOrThrow()
  assert.equal(await checkFreshness(t.db, new Date(new Date(finished.finishedAt!).getTime() + 3_600_000)), 1)
  assert.equal((await t.db.selectFrom('mounts').select('staleSince').where('resourceId', '=', entry.id).executeTakeFirstOrThrow()).staleSince, null)
  assert.equal((await t.request('GET', `/api/v1/catalog/resources/${entry.id}`, { token: world.tokens.requester })).body.staleSince, null)
})
