import assert from 'node:assert/strict'
import { after, before, describe, test } from 'node:test'
import { buildTestApp, type TestApp } from '../../testing/test-app.ts'
import { buildWorld, resourceBody } from '../../testing/factories.ts'

describe('the lead department of a class node, set by the authority', () => {
  let t: TestApp
  let world: Awaited<ReturnType<typeof buildWorld>>
  const setLead = (leadOrgId: unknown, token = world.tokens.authAdmin, code = '301001') =>
    t.request('PATCH', `/api/v1/catalog/classes/${code}`, { token, body: { leadOrgId } })
  const draftUnder301001 = (token: string, name: string) =>
    t.request('POST', '/api/v1/catalog/resources', { token, body: resourceBody({ name, classCode: '301001' }) })

  before(async () => {
    t = await buildTestApp()
    world = await buildWorld(t.db)
  })
  after(() => t.close())

  test('setting and changing the lead decides which department catalogs under the node', async () => {
    const set = await setLead(world.deptA.id)
    assert.equal(set.status, 200, JSON.stringify(set.body))
    assert.deepEqual(set.body, { code: '301001', name: '测试部门A', leadOrgId: world.deptA.id })
    const tree = await t.request('GET', '/api/v1/catalog/classes', { token: world.tokens.requester })
    const node = tree.body
      .flatMap((n: any) => n.children)
      .flatMap((n: any) => n.children)
      .find((n: any) => n.code === '301001')
    assert.equal(node.leadOrgId, world.deptA.id)

    const refused = await draftUnder301001(world.tokens.catalogerB, '民政局编目一')
    assert.equal(refused.status, 400)
    assert.equal(refused.body.error.details[0].field, 'classCode')
    assert.equal((await draftUnder301001(world.tokens.cataloger, '公安局编目一')).status, 201)

    const changed = await setLead(world.deptB.id)
    assert.equal(changed.status, 200)
    assert.equal((await draftUnder301001(world.tokens.catalogerB, '民政局编目二')).status, 201)
    assert.equal((await draftUnder301001(world.tokens.cataloger, '公安局编目二')).status, 400)

    const events = await t.db
      .selectFrom('auditEvents')
      .select(['actorId', 'detail', 'result'])
      .where('action', '=', 'catalog.class.update')
      .where('objectId', '=', '301001')
      .orderBy('id')
      .execute()
    assert.deepEqual(
      events.map((e) => e.detail),
      [
        { leadOrgIdBefore: null, leadOrgIdAfter: world.deptA.id },
        { leadOrgIdBefore: world.deptA.id, leadOrgIdAfter: world.deptB.id },
      ],
    )
    assert.ok(events.every((e) => e.actorId === world.users.authAdmin.id && e.result === 'success'))

    const cleared = await setLead(null)
    assert.equal(cleared.status, 200)
    assert.equal(cleared.body.leadOrgId, null)
  })

  test('only the authority sets it; other roles get 403 and nothing changes', async () => {
    await setLead(world.deptA.id)
    for (const who of ['sysAdmin', 'secAdmin', 'deptAdmin', 'cataloger', 'catalogerB', 'requester'] as const) {
      const response = await setLead(world.deptB.id, world.tokens[who])
      assert.equal(response.status, 403, who)
    }
    assert.equal((await t.request('PATCH', '/api/v1/catalog/classes/301001', { body: { leadOrgId: world.deptB.id } })).status, 401)
    const row = await t.db.selectFrom('classNodes').select('leadOrgId').where('code', '=', '301001').executeTakeFirstOrThrow()
    assert.equal(row.leadOrgId, world.deptA.id)
  })

  test('bad input: an unknown department, a malformed id, an unknown node, a missing field', async () => {
    const unknownOrg = await setLead('00000000-0000-4000-8000-000000000000')
    assert.equal(unknownOrg.status, 400)
    assert.equal(unknownOrg.body.error.details[0].field, 'leadOrgId')
    const malformed = await setLead('公安局')
    assert.equal(malformed.status, 400)
    assert.equal(malformed.body.error.details[0].field, 'leadOrgId')
    assert.equal((await setLead(world.deptB.id, world.tokens.authAdmin, '399999')).status, 404)
    assert.equal((await setLead(world.deptB.id, world.tokens.authAdmin, 'abc')).status, 400)
    const missing = await t.request('PATCH', '/api/v1/catalog/classes/301001', { token: world.tokens.authAdmin, body: {} })
    assert.equal(missing.status, 400)
    const row = await t.db.selectFrom('classNodes').select('leadOrgId').where('code', '=', '301001').executeTakeFirstOrThrow()
    assert.equal(row.leadOrgId, world.deptA.id)
  })
})
