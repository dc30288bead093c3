import assert from 'node:assert/strict'
import { after, before, test } from 'node:test'
import { buildWorld, mountSomething, publishResource, resourceBody } from '../../testing/factories.ts'
import { buildTestApp, type TestApp } from '../../testing/test-app.ts'

/**
 * 一数一源 (SPEC §5.4 rule 8): an item naming a data element that another department's published entry
 * carries under a different 数源部门 raises a warning to the authority; the entry is not refused.
 */

const API = '/api/v1/catalog/resources'
let t: TestApp
let world: Awaited<ReturnType<typeof buildWorld>>

/** The default entry with its first item (统一社会信用代码) bound to a data element, optionally naming a 数源部门. */
const withElement = (ref: string, authoritativeSourceOrgId?: string, classCode = '301001') => {
  const body = resourceBody({ classCode })
  body.items[0] = { ...body.items[0], dataElementRef: ref, ...(authoritativeSourceOrgId ? { authoritativeSourceOrgId } : {}) }
  return body
}

before(async () => {
  t = await buildTestApp()
  world = await buildWorld(t.db)
  // Department B publishes the element DE-USCC as its own (数源部门 = B by default).
  await publishResource(t, { cataloger: world.tokens.catalogerB, authAdmin: world.tokens.authAdmin }, withElement('DE-USCC', undefined, '301002'))
  // A draft of B with another element does not count: only published entries are authoritative.
  const draft = await t.request('POST', API, { token: world.tokens.catalogerB, body: withElement('DE-DRAFT', undefined, '301002') })
  assert.equal(draft.status, 201, JSON.stringify(draft.body))
})
after(() => t.close())

test('an item whose data element another department publishes under another 数源部门 is flagged, not refused', async () => {
  const created = await t.request('POST', API, { token: world.tokens.cataloger, body: withElement('DE-USCC') })
  assert.equal(created.status, 201, JSON.stringify(created.body))
  const own = await t.request('GET', `${API}/${created.body.id}`, { token: world.tokens.cataloger })
  assert.equal(own.body.oneSourceWarnings.length, 1)
  const [warning] = own.body.oneSourceWarnings
  assert.equal(warning.dataElementRef, 'DE-USCC')
  assert.equal(warning.sourceOrgId, world.deptA.id)
  assert.equal(warning.otherSourceOrgId, world.deptB.id)
  assert.match(warning.message, /一数一源/)

  await mountSomething(t, world.tokens.cataloger, created.body)
  const submitted = await t.request('POST', `${API}/${created.body.id}/submit`, { token: world.tokens.cataloger })
  assert.equal(submitted.status, 200, 'the warning does not stop the submission')
  assert.equal(submitted.body.oneSourceWarnings.length, 1)
  const audit = await t.db
    .selectFrom('auditEvents')
    .select('detail')
    .where('action', '=', 'catalog.resource.submit')
    .where('objectId', '=', created.body.id)
    .executeTakeFirstOrThrow()
  assert.deepEqual((audit.detail as { oneSourceWarnings: string[] }).oneSourceWarnings, [warning.message])

  const authority = await t.request('GET', `${API}/${created.body.id}`, { token: world.tokens.authAdmin })
  assert.equal(authority.body.oneSourceWarnings.length, 1, 'the authority sees the warning when it reviews')
  const published = await t.request('POST', `${API}/${created.body.id}/review`, { token: world.tokens.authAdmin, body: { decision: 'approve' } })
  assert.equal(published.status, 200)
  const outsider = await t.request('GET', `${API}/${created.body.id}`, { token: world.tokens.requester })
  assert.equal(outsider.status, 200)
  assert.equal(outsider.body.oneSourceWarnings, undefined, 'other departments are not shown the authority’s work list')
})

test('naming the other department as 数源部门, or an element nobody publishes, raises nothing', async () => {
  for (const body of [withElement('DE-USCC', world.deptB.id), withElement('DE-DRAFT'), withElement('DE-NEW')]) {
    const created = await t.request('POST', API, { token: world.tokens.cataloger, body })
    assert.equal(created.status, 201, JSON.stringify(created.body))
    assert.deepEqual(created.body.oneSourceWarnings, [], body.items[0].dataElementRef)
  }
})
