import assert from 'node:assert/strict'
import { readFileSync } from 'node:fs'
import { after, before, test } from 'node:test'
import createClient from 'openapi-fetch'
import { buildWorld, resourceBody } from '../testing/factories.ts'
import { PERSON_CSV, PERSON_ITEMS } from '../testing/gateway-grant.ts'
import { buildTestApp, type TestApp } from '../testing/test-app.ts'
import { SCHEMA_FILE, clientSource } from './generate.ts'
import type { paths } from './schema.ts'

/**
 * The typed client (openapi-typescript types + openapi-fetch) drives a whole journey against the real
 * server, so the document and the server cannot drift: a route whose shape changes breaks the type check
 * of this file once `npm run gen:client` is rerun, and the first test fails until it is.
 */

let t: TestApp
let w: Awaited<ReturnType<typeof buildWorld>>

before(async () => {
  t = await buildTestApp()
  w = await buildWorld(t.db)
})
after(() => t.close())

/** A client acting with a login or app access token; item lookups travel as `?nameEn=value` (form, exploded). */
const clientFor = (token?: string) =>
  createClient<paths>({
    baseUrl: t.baseUrl,
    headers: token ? { authorization: `Bearer ${token}` } : {},
    querySerializer: { object: { style: 'form', explode: true } },
  })

test('the committed client types match the served document (run `npm run gen:client` after changing a route)', async () => {
  const served = await t.request('GET', '/api/openapi.json')
  assert.equal(await clientSource(served.body), readFileSync(SCHEMA_FILE, 'utf8'), 'server/src/api-client/schema.ts is stale: run npm run gen:client')
})

test('journey through the typed client: catalog → request → decision → grant → token → gateway call', async () => {
  const cataloger = clientFor(w.tokens.cataloger)
  const authority = clientFor(w.tokens.authAdmin)
  const requester = clientFor(w.tokens.requester)
  const approver = clientFor(w.tokens.approver)

  // The provider catalogs, mounts and publishes an entry.
  const body = resourceBody({ name: '低保对象户籍核对信息', shareModes: ['api', 'table'], items: PERSON_ITEMS as never })
  const created = await cataloger.POST('/api/v1/catalog/resources', { body })
  assert.equal(created.response.status, 201, JSON.stringify(created.error))
  const resourceId = created.data!.id
  const form = new FormData()
  form.append('file', new Blob([PERSON_CSV]), 'persons.csv')
  const mounted = await cataloger.POST('/api/v1/catalog/resources/{id}/mounts/table', {
    params: { path: { id: resourceId } },
    body: form as never,
    bodySerializer: (value) => value as unknown as FormData,
  })
  assert.equal(mounted.response.status, 201, JSON.stringify(mounted.error))
  assert.equal(mounted.data!.rows, 3)
  assert.equal((await cataloger.POST('/api/v1/catalog/resources/{id}/submit', { params: { path: { id: resourceId } } })).response.status, 200)
  const published = await authority.POST('/api/v1/catalog/resources/{id}/review', { params: { path: { id: resourceId } }, body: { decision: 'approve' } })
  assert.equal(published.data?.status, 'published', JSON.stringify(published.error))

  // The consumer finds it in the catalog, with its mounts, and asks for it through an app.
  const found = await requester.GET('/api/v1/catalog/resources', { params: { query: { q: '低保对象', pageSize: 20 } } })
  const entry = found.data!.items.find((item) => item.id === resourceId)
  assert.ok(entry, 'the published entry is found')
  assert.deepEqual(
    entry.mounts.map((m) => [m.kind, m.live, m.rowCount]),
    [['table', true, 3]],
  )
  const app = await requester.POST('/api/v1/apps', { body: { name: '低保核对系统' } })
  assert.equal(app.response.status, 201)
  const requested = await requester.POST('/api/v1/share-requests', {
    body: {
      resourceId,
      itemIds: entry.items.map((i) => i.id),
      purpose: '数据校核',
      dutyBasis: '《社会救助暂行办法》第十一条',
      mode: 'api',
      appIds: [app.data!.id],
    },
  })
  assert.equal(requested.data?.status, 'pending', JSON.stringify(requested.error))

  // The provider decides, naming items by nameEn throughout.
  const decided = await approver.POST('/api/v1/share-requests/{id}/decision', {
    params: { path: { id: requested.data!.id } },
    body: { decision: 'approve', masking: { id_no: 'id_card', full_name: 'name' }, lookupKeys: ['id_no'] },
  })
  assert.equal(decided.data?.status, 'granted', JSON.stringify(decided.error))
  const grantId = decided.data!.grantId!
  const grant = await requester.GET('/api/v1/grants/{id}', { params: { path: { id: grantId } } })
  assert.equal(grant.data?.status, 'active')
  const grantDoc = await requester.GET('/api/v1/grants/{id}/openapi.json', { params: { path: { id: grantId } } })
  assert.equal(grantDoc.response.status, 200)

  // The app calls the gateway with its own token; a user token is the wrong kind.
  const issued = await clientFor().POST('/api/v1/gateway/token', { body: { appKey: app.data!.appKey, appSecret: app.data!.appSecret } })
  assert.equal(issued.data?.tokenType, 'Bearer')
  const gateway = clientFor(issued.data!.accessToken)
  const read = await gateway.GET('/api/v1/gateway/resources/{resourceId}/records', {
    params: { path: { resourceId }, query: { limit: 5, lookup: { id_no: '370705198512120021' } } },
  })
  assert.equal(read.response.status, 200, JSON.stringify(read.error))
  assert.deepEqual(read.data!.items, [{ id_no: '370705********0021', full_name: '欧阳**', county: '奎文区' }])
  assert.equal(read.data!.grantId, grantId)
  const wrongKind = await requester.GET('/api/v1/gateway/resources/{resourceId}/records', {
    params: { path: { resourceId }, query: { lookup: { id_no: '370705198512120021' } } },
  })
  assert.equal(wrongKind.response.status, 401)
  assert.equal(wrongKind.error?.error.code, 'WRONG_TOKEN_KIND')
  const missingKey = await gateway.GET('/api/v1/gateway/resources/{resourceId}/records', { params: { path: { resourceId } } })
  assert.equal(missingKey.response.status, 400, 'the grant requires its lookup key')
  assert.equal(missingKey.error?.error.code, 'VALIDATION_FAILED')

  // Both sides see the call in the call log.
  const calls = await requester.GET('/api/v1/gateway/calls', { params: { query: { box: 'mine', resourceId } } })
  assert.ok((calls.data?.items.length ?? 0) >= 2)
})
