import assert from 'node:assert/strict'
import { after, before, test } from 'node:test'
import { buildWorld, mountSomething, publishResource, resourceBody } from '../../testing/factories.ts'
import { buildTestApp, type TestApp } from '../../testing/test-app.ts'

/**
 * 一数一源 (R-10, SPEC §5.4 rule 8): the authority's registry names the source department of each data
 * element; an item that is such an element under another 数源部门 warns the cataloger (pointing to the
 * source's entry to request), lands on the authority's worklist when submitted, and is never refused.
 */

const API = '/api/v1/catalog/resources'
let t: TestApp
let world: Awaited<ReturnType<typeof buildWorld>>
let sourceEntry: { id: string; name: string }

/** The default entry (its first item is 统一社会信用代码), optionally naming a 数源部门 or a data element reference. */
const entryBody = (extra: Record<string, unknown> = {}, classCode = '301001') => {
  const body = resourceBody({ classCode })
  body.items[0] = { ...body.items[0], ...extra }
  return body
}

before(async () => {
  t = await buildTestApp()
  world = await buildWorld(t.db)
  const element = await t.request('POST', '/api/v1/data-elements', {
    token: world.tokens.authAdmin,
    body: { name: '统一社会信用代码', standardRef: 'GB 32100-2015', aliases: ['社会信用代码'], sourceOrgId: world.deptB.id },
  })
  assert.equal(element.status, 201, JSON.stringify(element.body))
  // Department B, the designated source, publishes the element: no warning for it.
  sourceEntry = await publishResource(t, { cataloger: world.tokens.catalogerB, authAdmin: world.tokens.authAdmin }, entryBody({}, '301002'))
  assert.deepEqual((await t.request('GET', `${API}/${sourceEntry.id}`, { token: world.tokens.authAdmin })).body.oneSourceWarnings, [])
})
after(() => t.close())

test('only the authority keeps the registry; an element has one entry, whatever it is called', async () => {
  const body = { name: '公民身份号码', standardRef: 'GB 11643-1999', aliases: ['身份证号'], sourceOrgId: world.deptA.id }
  assert.equal((await t.request('POST', '/api/v1/data-elements', { token: world.tokens.cataloger, body })).status, 403)
  assert.equal(
    (
      await t.request('POST', '/api/v1/data-elements', {
        token: world.tokens.authAdmin,
        body: { ...body, sourceOrgId: '00000000-0000-4000-8000-000000000000' },
      })
    ).status,
    400,
  )
  assert.equal((await t.request('POST', '/api/v1/data-elements', { token: world.tokens.authAdmin, body })).status, 201)
  assert.equal(
    (await t.request('POST', '/api/v1/data-elements', { token: world.tokens.authAdmin, body: { ...body, name: '身份证号', aliases: [] } })).status,
    409,
    'an alias is taken',
  )
  const listed = await t.request('GET', '/api/v1/data-elements', { token: world.tokens.requester })
  assert.deepEqual(
    listed.body.items.map((e: any) => [e.name, e.sourceOrgName]).sort(),
    [
      ['公民身份号码', world.deptA.name],
      ['统一社会信用代码', world.deptB.name],
    ].sort(),
  )
})

test('an item that is another department’s element is flagged with the entry to request, and goes to the worklist on submission', async () => {
  const created = await t.request('POST', API, { token: world.tokens.cataloger, body: entryBody() })
  assert.equal(created.status, 201, JSON.stringify(created.body))
  const own = await t.request('GET', `${API}/${created.body.id}`, { token: world.tokens.cataloger })
  assert.equal(own.body.oneSourceWarnings.length, 1)
  const [warning] = own.body.oneSourceWarnings
  assert.equal(warning.elementName, '统一社会信用代码')
  assert.equal(warning.sourceOrgId, world.deptA.id)
  assert.equal(warning.otherSourceOrgId, world.deptB.id)
  assert.equal(warning.otherResourceId, sourceEntry.id, 'the source’s entry is suggested')
  assert.match(warning.message, /一数一源.*申请/)

  await mountSomething(t, world.tokens.cataloger, created.body)
  const submitted = await t.request('POST', `${API}/${created.body.id}/submit`, { token: world.tokens.cataloger })
  assert.equal(submitted.status, 200, 'the warning does not stop the submission')
  const audit = await t.db
    .selectFrom('auditEvents')
    .select('detail')
    .where('action', '=', 'catalog.resource.submit')
    .where('objectId', '=', created.body.id)
    .executeTakeFirstOrThrow()
  assert.deepEqual((audit.detail as { oneSourceWarnings: string[] }).oneSourceWarnings, [warning.message])
  const told = await t.db.selectFrom('notifications').selectAll().where('kind', '=', 'element.duplicate').execute()
  assert.deepEqual(
    told.map((n) => n.orgId),
    [world.authority.id],
  )

  const worklist = await t.request('GET', '/api/v1/data-element-cases?status=open', { token: world.tokens.authAdmin })
  assert.equal(worklist.body.total, 1)
  const [kase] = worklist.body.items
  assert.equal(kase.itemName, '统一社会信用代码')
  assert.equal(kase.orgName, world.deptA.name)
  assert.equal((await t.request('GET', '/api/v1/data-element-cases', { token: world.tokens.cataloger })).body.total, 1, 'the department sees its own')
  assert.equal((await t.request('GET', '/api/v1/data-element-cases', { token: world.tokens.catalogerB })).body.total, 0, 'and nobody else’s')
  // Submitting again does not duplicate the case.
  await t.request('POST', `${API}/${created.body.id}/review`, { token: world.tokens.authAdmin, body: { decision: 'reject', comment: '请改为共享获取' } })

  assert.equal(
    (await t.request('POST', `/api/v1/data-element-cases/${kase.id}/decision`, { token: world.tokens.cataloger, body: { decision: 'request_instead' } }))
      .status,
    403,
  )
  assert.equal(
    (await t.request('POST', `/api/v1/data-element-cases/${kase.id}/decision`, { token: world.tokens.authAdmin, body: { decision: 'exception' } })).status,
    400,
  )
  const decided = await t.request('POST', `/api/v1/data-element-cases/${kase.id}/decision`, {
    token: world.tokens.authAdmin,
    body: { decision: 'request_instead', note: '向数源部门申请' },
  })
  assert.equal(decided.body.status, 'request_instead')
  assert.equal(
    (await t.request('POST', `/api/v1/data-element-cases/${kase.id}/decision`, { token: world.tokens.authAdmin, body: { decision: 'request_instead' } }))
      .status,
    409,
  )
  const outcome = await t.db.selectFrom('notifications').selectAll().where('kind', '=', 'element.decided').execute()
  assert.deepEqual(
    outcome.map((n) => n.orgId),
    [world.deptA.id],
  )

  const outsider = await t.request('GET', `${API}/${created.body.id}`, { token: world.tokens.requester })
  assert.equal(outsider.status, 404, 'a rejected draft stays with its department')
})

test('a data element reference or an alias matches too; naming the designated source, or an unregistered element, raises nothing', async () => {
  const byRef = await t.request('POST', API, {
    token: world.tokens.cataloger,
    body: entryBody({ name: '主体代码', dataElementRef: 'GB 32100-2015 统一社会信用代码' }),
  })
  assert.equal(byRef.body.oneSourceWarnings.length, 1)
  const byAlias = await t.request('POST', API, { token: world.tokens.cataloger, body: entryBody({ name: '社会信用代码' }) })
  assert.equal(byAlias.body.oneSourceWarnings.length, 1)
  for (const extra of [{ authoritativeSourceOrgId: world.deptB.id }, { name: '登记证号' }]) {
    const created = await t.request('POST', API, { token: world.tokens.cataloger, body: entryBody(extra) })
    assert.equal(created.status, 201, JSON.stringify(created.body))
    assert.deepEqual(created.body.oneSourceWarnings, [], JSON.stringify(extra))
  }
})
