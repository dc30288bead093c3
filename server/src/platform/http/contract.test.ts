import assert from 'node:assert/strict'
import { after, before, describe, test } from 'node:test'
import { validate } from '@readme/openapi-parser'
import { buildOrg, buildUser, buildWorld, tokenFor } from '../../testing/factories.ts'
import { PERSON_ITEMS, grantWithApp } from '../../testing/gateway-grant.ts'
import { buildTestApp, type TestApp } from '../../testing/test-app.ts'

/**
 * One vocabulary per request (issue 16): the small promises of the HTTP contract that integrators trip
 * over, each tried as an outside client would.
 */

let t: TestApp
let w: Awaited<ReturnType<typeof buildWorld>>

before(async () => {
  t = await buildTestApp()
  w = await buildWorld(t.db)
})
after(() => t.close())

const fetchRaw = (path: string, init: RequestInit) => fetch(t.baseUrl + path, init)

describe('the Authorization header', () => {
  test('the bearer scheme is accepted in any case (RFC 9110 §11.1)', async () => {
    for (const scheme of ['Bearer', 'bearer', 'BEARER', 'bEaReR']) {
      const res = await fetchRaw('/api/v1/auth/me', { headers: { authorization: `${scheme} ${w.tokens.requester}` } })
      assert.equal(res.status, 200, scheme)
    }
    const other = await fetchRaw('/api/v1/auth/me', { headers: { authorization: `Basic ${w.tokens.requester}` } })
    assert.equal(other.status, 401, 'another scheme is not a bearer token')
  })

  test('the gateway takes a lower-case bearer too, and tells a user token it is the wrong kind', async () => {
    const g = await grantWithApp(t, w)
    const lower = await fetchRaw(`/api/v1/gateway/resources/${g.resource.id}/records`, { headers: { authorization: `bearer ${g.token}` } })
    assert.equal(lower.status, 200)
    const asUser = await fetchRaw(`/api/v1/gateway/resources/${g.resource.id}/records`, { headers: { authorization: `Bearer ${w.tokens.requester}` } })
    const body = (await asUser.json()) as any
    assert.equal(asUser.status, 401)
    assert.equal(body.error.code, 'WRONG_TOKEN_KIND')
    assert.match(body.error.message, /用户登录令牌/)
    const unknown = await fetchRaw(`/api/v1/gateway/resources/${g.resource.id}/records`, { headers: { authorization: 'Bearer not-a-token-at-all' } })
    assert.equal(((await unknown.json()) as any).error.code, 'UNAUTHENTICATED', 'an unknown token stays UNAUTHENTICATED')
  })
})

test('a POST action sent with Content-Type: application/json and no body works (logout revokes the token)', async () => {
  const user = await buildUser(t.db, { orgId: w.deptB.id, roles: ['REQUESTER'] })
  const token = await tokenFor(t.db, user)
  const res = await fetchRaw('/api/v1/auth/logout', { method: 'POST', headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' } })
  assert.equal(res.status, 204)
  assert.equal((await t.request('GET', '/api/v1/auth/me', { token })).status, 401, 'the token is revoked')
  // A route that needs a body still refuses the missing one, in the envelope.
  const missing = await fetchRaw('/api/v1/apps', {
    method: 'POST',
    headers: { authorization: `Bearer ${w.tokens.requester}`, 'content-type': 'application/json' },
  })
  assert.equal(missing.status, 400)
  assert.equal(((await missing.json()) as any).error.code, 'VALIDATION_FAILED')
})

describe('a decision names items by nameEn or id alike', () => {
  test('masking keys accept item nameEn like lookupKeys and rowFilter do; item ids keep working', async () => {
    const byName = await grantWithApp(t, w, { masking: { full_name: 'suppress', id_no: 'id_card' }, lookupKeys: ['id_no'] })
    const grant = await t.request('GET', `/api/v1/grants/${byName.grantId}`, { token: w.tokens.requester })
    const [idNo, fullName] = byName.resource.items.map((i: { id: string }) => i.id)
    assert.equal(grant.body.masking[fullName], 'suppress')
    assert.equal(grant.body.masking[idNo], 'id_card')
    const rows = await byName.records('?id_no=370705198512120021')
    assert.deepEqual(rows.body.items, [{ id_no: '370705********0021', full_name: null, county: '奎文区' }])
    const byId = await grantWithApp(t, w, (ids) => ({ masking: { [ids[1]]: 'suppress' } }))
    const other = await t.request('GET', `/api/v1/grants/${byId.grantId}`, { token: w.tokens.requester })
    assert.equal(other.body.masking[byId.resource.items[1].id], 'suppress')
  })

  test("a bad masking key gets 400 with the schema's own message, and an unknown item is named", async () => {
    const g = await grantWithApp(t, w)
    const request = await t.request('POST', '/api/v1/share-requests', {
      token: w.tokens.requester,
      body: {
        resourceId: g.resource.id,
        itemIds: g.resource.items.map((i: { id: string }) => i.id),
        purpose: '数据校核',
        dutyBasis: '核对',
        mode: 'api',
        appIds: [g.appId],
      },
    })
    assert.equal(request.status, 201, JSON.stringify(request.body))
    const decide = (masking: Record<string, string>) =>
      t.request('POST', `/api/v1/share-requests/${request.body.id}/decision`, { token: w.tokens.approver, body: { decision: 'approve', masking } })
    const malformed = await decide({ '姓 名!': 'name' })
    assert.equal(malformed.status, 400)
    assert.deepEqual(malformed.body.error.details, [{ field: 'masking.姓 名!', message: '脱敏规则的键应为信息项编号或英文名' }])
    const unknown = await decide({ no_such_item: 'name' })
    assert.equal(unknown.status, 400)
    assert.match(unknown.body.error.details[0].message, /no_such_item.*不是本资源信息项/)
    const twice = await decide({ full_name: 'name', [g.resource.items[1].id]: 'suppress' })
    assert.equal(twice.status, 400, 'one item named twice (id and nameEn)')
    assert.equal((await t.request('GET', `/api/v1/share-requests/${request.body.id}`, { token: w.tokens.requester })).body.status, 'pending', 'nothing decided')
  })
})

test("the resource object lists the entry's mounts, as GET …/mounts does", async () => {
  const g = await grantWithApp(t, w)
  const resource = await t.request('GET', `/api/v1/catalog/resources/${g.resource.id}`, { token: w.tokens.requester })
  const mounts = await t.request('GET', `/api/v1/catalog/resources/${g.resource.id}/mounts`, { token: w.tokens.requester })
  assert.equal(resource.status, 200)
  assert.ok(resource.body.mounts.length >= 1)
  assert.deepEqual(
    resource.body.mounts,
    mounts.body.items.map((m: any) => ({
      id: m.id,
      kind: m.kind,
      status: m.status,
      live: m.live,
      rowCount: m.rowCount,
      lastDataTime: m.lastDataTime,
      staleSince: m.staleSince ?? null,
    })),
  )
  const table = resource.body.mounts.find((m: { kind: string }) => m.kind === 'table')
  assert.deepEqual([table.live, table.rowCount], [true, 3])
  const listed = await t.request('GET', `/api/v1/catalog/resources?providerOrgId=${w.deptA.id}&pageSize=200`, { token: w.tokens.requester })
  assert.deepEqual(listed.body.items.find((r: { id: string }) => r.id === g.resource.id).mounts, resource.body.mounts, 'search results carry them too')
})

test('gateway token lifetime, default rate limit and daily quota are parameters the system administrator sets', async () => {
  const set = async (key: string, value: number) => {
    const res = await t.request('PUT', `/api/v1/parameters/${key}`, {
      token: w.tokens.sysAdmin,
      body: { value, reason: '依据市政务服务管理办公室2026年12号文件调整' },
    })
    assert.equal(res.status, 200, JSON.stringify(res.body))
  }
  const before = await grantWithApp(t, w)
  const issued = await t.request('POST', '/api/v1/gateway/token', { body: await appCredentials(before.appId) })
  assert.equal(issued.body.expiresIn, 7200)
  const grant = await t.request('GET', `/api/v1/grants/${before.grantId}`, { token: w.tokens.requester })
  assert.deepEqual([grant.body.rateLimitPerMinute, grant.body.dailyQuota], [600, 100000])

  await set('gateway.accessTokenSeconds', 900)
  await set('gateway.defaultRateLimitPerMinute', 60)
  await set('gateway.defaultDailyQuota', 10000)
  const after = await grantWithApp(t, w)
  const reissued = await t.request('POST', '/api/v1/gateway/token', { body: await appCredentials(after.appId) })
  assert.equal(reissued.body.expiresIn, 900)
  const stored = await t.db.selectFrom('appTokens').select('expiresAt').where('appId', '=', after.appId).orderBy('expiresAt', 'desc').executeTakeFirstOrThrow()
  assert.equal(new Date(stored.expiresAt).getTime() - t.clock.now().getTime(), 900_000)
  const newGrant = await t.request('GET', `/api/v1/grants/${after.grantId}`, { token: w.tokens.requester })
  assert.deepEqual([newGrant.body.rateLimitPerMinute, newGrant.body.dailyQuota], [60, 10000])
  const explicit = await t.db.selectFrom('grants').select(['rateLimitPerMinute']).where('id', '=', before.grantId).executeTakeFirstOrThrow()
  assert.equal(explicit.rateLimitPerMinute, 600, 'existing grants keep their limits')
  for (const [key, value] of [
    ['gateway.accessTokenSeconds', 7200],
    ['gateway.defaultRateLimitPerMinute', 600],
    ['gateway.defaultDailyQuota', 100000],
  ] as const)
    await set(key, value)
})

/** A fresh secret for an app (rotation shows it once), to ask for a token. */
async function appCredentials(appId: string) {
  const rotated = await t.request('POST', `/api/v1/apps/${appId}/rotate-secret`, { token: w.tokens.requester })
  assert.equal(rotated.status, 200, JSON.stringify(rotated.body))
  return { appKey: rotated.body.appKey, appSecret: rotated.body.appSecret }
}

describe('the per-grant OpenAPI document', () => {
  test('it says exactly what the grant allows: items, lookup keys, masking, row filter, limits; and it validates', async () => {
    const g = await grantWithApp(t, w, (ids) => ({
      itemIds: ids,
      masking: { id_no: 'id_card', full_name: 'suppress' },
      lookupKeys: ['id_no'],
      rowFilter: { county: { in: ['潍城区', '奎文区'] } },
      rateLimitPerMinute: 30,
      dailyQuota: 5000,
    }))
    const res = await t.request('GET', `/api/v1/grants/${g.grantId}/openapi.json`, { token: w.tokens.requester })
    assert.equal(res.status, 200, JSON.stringify(res.body))
    const doc = res.body
    const result = await validate(structuredClone(doc))
    assert.equal(result.valid, true, JSON.stringify(result))
    const path = `/gateway/resources/${g.resource.id}/records`
    assert.deepEqual(Object.keys(doc.paths).sort(), ['/gateway/token', path].sort())
    const records = doc.paths[path].get
    const params = Object.fromEntries(records.parameters.map((p: { name: string; required: boolean }) => [p.name, p.required]))
    // county is in clear (queryable), id_no is masked but a lookup key (required), full_name is masked (not queryable).
    assert.deepEqual(params, { limit: false, offset: false, businessRef: false, id_no: true, county: false })
    const fields = records.responses['200'].content['application/json'].schema.properties.items.items
    assert.deepEqual(
      Object.keys(fields.properties),
      PERSON_ITEMS.map((i) => i.nameEn),
    )
    assert.match(fields.properties.id_no.description, /脱敏：身份证号/)
    assert.deepEqual(fields.properties.full_name.enum, [null])
    assert.equal(fields.additionalProperties, false)
    assert.deepEqual(doc['x-govshare-grant'].masking, { id_no: 'id_card', full_name: 'suppress', county: 'none' })
    assert.deepEqual([doc['x-govshare-grant'].rateLimitPerMinute, doc['x-govshare-grant'].dailyQuota], [30, 5000])
    assert.match(records.description, /每分钟至多 30 次，每日至多 5000 次/)
    assert.match(records.description, /county \{"in":\["潍城区","奎文区"\]\}/)
    // What the document says is what a call gets.
    const call = await g.records('?id_no=370705198512120021')
    assert.deepEqual(Object.keys(call.body.items[0]), Object.keys(fields.properties))
    // The provider's approver sees it too.
    assert.equal((await t.request('GET', `/api/v1/grants/${g.grantId}/openapi.json`, { token: w.tokens.approver })).status, 200)
  })

  test('a department that is not a party gets 404; an unknown grant 404; without a login 401', async () => {
    const g = await grantWithApp(t, w)
    const outsider = await buildOrg(t.db, { name: '测试无关局' })
    for (const roles of [['REQUESTER'], ['APPROVER'], ['DEPT_ADMIN']] as const) {
      const token = await tokenFor(t.db, await buildUser(t.db, { orgId: outsider.id, roles: [...roles] }))
      const res = await t.request('GET', `/api/v1/grants/${g.grantId}/openapi.json`, { token })
      assert.equal(res.status, 404, roles.join())
      assert.equal(res.body.error.code, 'NOT_FOUND')
    }
    assert.equal((await t.request('GET', '/api/v1/grants/00000000-0000-4000-8000-000000000000/openapi.json', { token: w.tokens.requester })).status, 404)
    assert.equal((await t.request('GET', `/api/v1/grants/${g.grantId}/openapi.json`)).status, 401)
    assert.equal((await t.request('GET', `/api/v1/grants/${g.grantId}/openapi.json`, { token: w.tokens.auditor })).status, 403)
  })
})
