import assert from 'node:assert/strict'
import { after, before, describe, test } from 'node:test'
import { buildTestApp, type TestApp } from '../../testing/test-app.ts'
import { buildWorld, mountSomething, resourceBody } from '../../testing/factories.ts'

describe('catalog lifecycle over HTTP', () => {
  let t: TestApp
  let world: Awaited<ReturnType<typeof buildWorld>>
  before(async () => {
    t = await buildTestApp()
    world = await buildWorld(t.db)
  })
  after(() => t.close())

  test('a cataloger creates a draft, the authority publishes it, and other departments find it', async () => {
    const created = await t.request('POST', '/api/v1/catalog/resources', { token: world.tokens.cataloger, body: resourceBody({ name: '社会组织登记信息' }) })
    assert.equal(created.status, 201, JSON.stringify(created.body))
    assert.equal(created.body.status, 'draft')
    assert.equal(created.body.shareType, 2)
    assert.equal(created.body.code, null)
    const id = created.body.id
    const unmounted = await t.request('POST', `/api/v1/catalog/resources/${id}/submit`, { token: world.tokens.cataloger })
    assert.equal(unmounted.status, 409, 'a platform-mode entry needs a mount before it is submitted')
    assert.equal(unmounted.body.error.code, 'ENTRY_INCOMPLETE')
    assert.equal(unmounted.body.error.message, '目录尚缺：须先挂接数据，补全后才能提交审核')
    assert.equal(unmounted.body.error.details[0].field, 'shareModes')
    await mountSomething(t, world.tokens.cataloger, created.body)
    const submitted = await t.request('POST', `/api/v1/catalog/resources/${id}/submit`, { token: world.tokens.cataloger })
    assert.equal(submitted.status, 200, JSON.stringify(submitted.body))
    assert.equal(submitted.body.status, 'pending_review')
    const published = await t.request('POST', `/api/v1/catalog/resources/${id}/review`, { token: world.tokens.authAdmin, body: { decision: 'approve' } })
    assert.equal(published.status, 200, JSON.stringify(published.body))
    assert.equal(published.body.status, 'published')
    assert.match(published.body.code, /^301001\/0001$/)
    const found = await t.request('GET', `/api/v1/catalog/resources?q=${encodeURIComponent('组织')}`, { token: world.tokens.requester })
    assert.equal(found.status, 200, JSON.stringify(found.body))
    assert.equal(found.body.total, 1)
    assert.equal(found.body.items[0].id, id)
  })
})
