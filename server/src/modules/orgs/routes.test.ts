import assert from 'node:assert/strict'
import { after, before, describe, test } from 'node:test'
import { withUsccCheck } from '../../../../common/uscc.ts'
import { buildWorld } from '../../testing/factories.ts'
import { type TestApp, buildTestApp } from '../../testing/test-app.ts'

describe('organisations', () => {
  let t: TestApp
  let world: Awaited<ReturnType<typeof buildWorld>>
  before(async () => {
    t = await buildTestApp()
    world = await buildWorld(t.db)
  })
  after(() => t.close())

  const count = async () =>
    (
      await t.db
        .selectFrom('orgs')
        .select((eb) => eb.fn.countAll<number>().as('n'))
        .executeTakeFirstOrThrow()
    ).n

  test('the national template example code passes the GB 32100 check', async () => {
    assert.equal(withUsccCheck('12320100671322000'), '12320100671322000Q')
  })

  test('the system administrator adds a department with a valid credit code', async () => {
    const code = withUsccCheck('11370700MB2845136')
    const res = await t.request('POST', '/api/v1/orgs', {
      token: world.tokens.sysAdmin,
      body: { name: '潍坊市退役军人事务局', code, regionCode: '370700', kind: 'department' },
    })
    assert.equal(res.status, 201, JSON.stringify(res.body))
    assert.equal(res.body.code, code)
    const list = await t.request('GET', '/api/v1/orgs?q=退役军人', { token: world.tokens.requester })
    assert.equal(list.body.total, 1)
  })

  test('a wrong check digit is a 400 naming the code and the expected character', async () => {
    const good = withUsccCheck('11370700MB2845137')
    const bad = good.slice(0, 17) + (good[17] === '0' ? '1' : '0')
    const before = await count()
    const res = await t.request('POST', '/api/v1/orgs', {
      token: world.tokens.sysAdmin,
      body: { name: '潍坊市测试局', code: bad, regionCode: '370700', kind: 'department' },
    })
    assert.equal(res.status, 400)
    assert.equal(res.body.error.code, 'VALIDATION_FAILED')
    assert.equal(res.body.error.details[0].field, 'code')
    assert.match(res.body.error.details[0].message, /校验位错误.*应为/)
    assert.equal(await count(), before)
  })

  test('codes with forbidden letters, wrong length, or an unknown region are refused', async () => {
    for (const [code, regionCode] of [
      ['11370700MB284513I', '370700'],
      ['1137070', '370700'],
      [withUsccCheck('11370700MB2845138'), '110101'],
    ]) {
      const res = await t.request('POST', '/api/v1/orgs', { token: world.tokens.sysAdmin, body: { name: '潍坊市某局', code, regionCode, kind: 'department' } })
      assert.equal(res.status, 400, code)
    }
  })

  test('duplicate names are a conflict; only the system administrator creates orgs', async () => {
    const dup = await t.request('POST', '/api/v1/orgs', {
      token: world.tokens.sysAdmin,
      body: { name: world.deptA.name, code: withUsccCheck('11370700MB2845139'), regionCode: '370700', kind: 'department' },
    })
    assert.equal(dup.status, 409)
    const denied = await t.request('POST', '/api/v1/orgs', {
      token: world.tokens.authAdmin,
      body: { name: '潍坊市新部门', code: withUsccCheck('11370700MB2845140'), regionCode: '370700', kind: 'department' },
    })
    assert.equal(denied.status, 403)
  })

  test('a county department sits under its region', async () => {
    const region = await t.request('POST', '/api/v1/orgs', { token: world.tokens.sysAdmin, body: { name: '寿光市', regionCode: '370783', kind: 'region' } })
    assert.equal(region.status, 201)
    const wrongRegion = await t.request('POST', '/api/v1/orgs', {
      token: world.tokens.sysAdmin,
      body: { name: '寿光市民政局', code: withUsccCheck('11370783MB0000001'), regionCode: '370702', kind: 'department', parentId: region.body.id },
    })
    assert.equal(wrongRegion.status, 400)
    const dept = await t.request('POST', '/api/v1/orgs', {
      token: world.tokens.sysAdmin,
      body: { name: '寿光市民政局', code: withUsccCheck('11370783MB0000001'), regionCode: '370783', kind: 'department', parentId: region.body.id },
    })
    assert.equal(dept.status, 201)
    const children = await t.request('GET', `/api/v1/orgs?parentId=${region.body.id}`, { token: world.tokens.requester })
    assert.deepEqual(
      children.body.items.map((o: { name: string }) => o.name),
      ['寿光市民政局'],
    )
  })
})
