import assert from 'node:assert/strict'
import { after, before, describe, test } from 'node:test'
import { sql } from 'kysely'
import { buildAppRow, buildWorld, publishResource } from '../../testing/factories.ts'
import { type TestApp, buildTestApp } from '../../testing/test-app.ts'

/**
 * SPEC §5.4 rule 5, §8.1: on the 外网 instance a 涉密 entry does not exist, for anyone. The rules refuse
 * registering one there, so these entries are made 涉密 in the database, as entries carried over from an
 * intranet instance or set by an administrator would be.
 */
describe('涉密 entries are invisible on the 外网 instance', () => {
  let t: TestApp
  let w: Awaited<ReturnType<typeof buildWorld>>
  let secretEntry: any
  let secretItemEntry: any
  let plain: any
  let appId: string

  before(async () => {
    t = await buildTestApp({ config: { networkZone: 'extranet' } })
    w = await buildWorld(t.db)
    secretEntry = await publishResource(t, w.tokens, { name: '外网涉密测试目录甲' })
    secretItemEntry = await publishResource(t, w.tokens, { name: '外网涉密测试目录乙' })
    plain = await publishResource(t, w.tokens, { name: '外网普通测试目录丙' })
    await t.db.updateTable('resourceVersions').set({ secret: true }).where('resourceId', '=', secretEntry.id).execute()
    await t.db
      .updateTable('resourceVersions')
      .set({ items: sql`jsonb_set(items, '{0,secret}', 'true'::jsonb)` })
      .where('resourceId', '=', secretItemEntry.id)
      .execute()
    appId = await buildAppRow(t.db, w.deptB.id)
  })
  after(() => t.close())

  const secretIds = () => [secretEntry.id, secretItemEntry.id]

  test('search lists them for nobody, the provider included; other entries are listed', async () => {
    for (const token of [w.tokens.requester, w.tokens.cataloger, w.tokens.authAdmin]) {
      const found = await t.request('GET', '/api/v1/catalog/resources?q=外网&pageSize=50', { token })
      assert.equal(found.status, 200, JSON.stringify(found.body))
      const ids = found.body.items.map((r: any) => r.id)
      assert.ok(ids.includes(plain.id))
      assert.ok(!secretIds().some((id) => ids.includes(id)), JSON.stringify(ids))
      const all = (await t.request('GET', '/api/v1/catalog/resources?pageSize=200', { token })).body.items.map((r: any) => r.id)
      assert.ok(!secretIds().some((id) => all.includes(id)))
    }
  })

  test('detail and versions answer 404 as for an entry that does not exist', async () => {
    for (const id of secretIds()) {
      for (const token of [w.tokens.requester, w.tokens.cataloger]) {
        const detail = await t.request('GET', `/api/v1/catalog/resources/${id}`, { token })
        assert.equal(detail.status, 404)
        assert.equal(detail.body.error.code, 'NOT_FOUND')
        assert.equal((await t.request('GET', `/api/v1/catalog/resources/${id}/versions`, { token })).status, 404)
        assert.equal((await t.request('GET', `/api/v1/catalog/resources/${id}/sample`, { token })).status, 404)
      }
    }
    assert.equal((await t.request('GET', `/api/v1/catalog/resources/${plain.id}`, { token: w.tokens.requester })).status, 200)
  })

  test('an export leaves them out', async () => {
    const res = await fetch(`${t.baseUrl}/api/v1/catalog/export?mine=true`, { headers: { authorization: `Bearer ${w.tokens.cataloger}` } })
    assert.equal(res.status, 200)
    await res.arrayBuffer()
    assert.equal(res.headers.get('x-total-count'), '1')
    assert.equal(res.headers.get('x-export-count'), '1')
  })

  test('a request or a coordination case for one is refused as for a missing entry, and nothing is stored', async () => {
    const count = async () =>
      Number(
        (
          await t.db
            .selectFrom('shareRequests')
            .select((eb) => eb.fn.countAll<number>().as('n'))
            .executeTakeFirstOrThrow()
        ).n,
      )
    const before = await count()
    for (const entry of [secretEntry, secretItemEntry]) {
      const res = await t.request('POST', '/api/v1/share-requests', {
        token: w.tokens.requester,
        body: { resourceId: entry.id, itemIds: [entry.items[1].id], purpose: '业务协同', dutyBasis: '联合监管', mode: 'api', appIds: [appId] },
      })
      assert.equal(res.status, 404, JSON.stringify(res.body))
      const opened = await t.request('POST', '/api/v1/coordination-cases', { token: w.tokens.requester, body: { resourceId: entry.id, statement: '履职需要' } })
      assert.equal(opened.status, 400, JSON.stringify(opened.body))
    }
    assert.equal(await count(), before)
    const ok = await t.request('POST', '/api/v1/share-requests', {
      token: w.tokens.requester,
      body: { resourceId: plain.id, itemIds: [plain.items[1].id], purpose: '业务协同', dutyBasis: '联合监管', mode: 'api', appIds: [appId] },
    })
    assert.equal(ok.status, 201, JSON.stringify(ok.body))
  })
})
