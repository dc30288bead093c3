import assert from 'node:assert/strict'
import { after, before, describe, test } from 'node:test'
import { buildWorld } from '../../testing/factories.ts'
import { grantWithApp } from '../../testing/gateway-grant.ts'
import { type TestApp, buildTestApp } from '../../testing/test-app.ts'

type World = Awaited<ReturnType<typeof buildWorld>>

// Small, so a test reaches it quickly (the default is 30 a minute).
const MISSES_PER_MINUTE = 5

describe('gateway: masked items cannot be recovered by lookups or filters', () => {
  let t: TestApp
  let w: World
  before(async () => {
    // No cache: a grant changed in the database is seen by the next call.
    t = await buildTestApp({ config: { gatewayCacheMs: 0, gatewayLookupMissesPerMinute: MISSES_PER_MINUTE } })
    w = await buildWorld(t.db)
  })
  after(() => t.close())

  const callLogs = (appId: string) =>
    t.db.selectFrom('callLogs').select(['result', 'errorCode', 'rowsReturned']).where('appId', '=', appId).orderBy('id').execute()

  test('exact lookups on a masked 身份证号 are refused and logged, then the app is throttled and flagged for the security administrator only', async () => {
    const s = await grantWithApp(t, w) // 公民身份号码 masked by default (id_card), no lookup key
    // Candidates of one person, the right one among them: none is answered.
    const candidates = ['370702199003071230', '370702199003071231', '370702199003071232', '370702199003071233', '370702199003071234']
    for (const id of candidates) {
      const res = await s.records(`?id_no=${id}`)
      assert.equal(res.status, 403, JSON.stringify(res.body))
      assert.equal(res.body.error.code, 'LOOKUP_ON_MASKED_ITEM')
      assert.match(res.body.error.message, /查询键/)
    }
    // Case does not get around it, nor does another spelling of the key.
    const throttled = await s.records('?ID_NO=370702199003071234')
    assert.equal(throttled.status, 429)
    assert.equal(throttled.body.error.code, 'LOOKUP_PROBING')
    // Every call of the app is held for the rest of the minute, even one that would be served.
    assert.equal((await s.records()).status, 429)
    const logs = await callLogs(s.appId)
    assert.deepEqual(
      logs.map((l) => l.errorCode),
      [...candidates.map(() => 'LOOKUP_ON_MASKED_ITEM'), 'LOOKUP_PROBING', 'LOOKUP_PROBING'],
    )
    assert.ok(logs.every((l) => l.result === 'denied' && l.rowsReturned === 0))

    const flags = await t.request('GET', '/api/v1/gateway/app-flags', { token: w.tokens.secAdmin })
    assert.equal(flags.status, 200, JSON.stringify(flags.body))
    const flag = flags.body.items.find((f: { appId: string }) => f.appId === s.appId)
    assert.ok(flag, JSON.stringify(flags.body))
    assert.equal(flag.orgId, w.deptB.id)
    assert.equal(flag.misses, MISSES_PER_MINUTE)
    assert.equal(flag.clearedAt, null)
    for (const role of ['requester', 'approver', 'deptAdmin', 'sysAdmin', 'auditor', 'authAdmin'] as const) {
      const denied = await t.request('GET', '/api/v1/gateway/app-flags', { token: w.tokens[role] })
      assert.equal(denied.status, 403, role)
      const clear = await t.request('POST', `/api/v1/gateway/app-flags/${flag.id}/clear`, { token: w.tokens[role], body: { note: '自行关闭' } })
      assert.equal(clear.status, 403, role)
    }
    const raised = await t.db.selectFrom('auditEvents').select(['appId', 'orgId', 'objectId']).where('action', '=', 'gateway.app.flag').execute()
    assert.ok(raised.some((e) => e.appId === s.appId && e.orgId === w.deptB.id && e.objectId === flag.id))

    // The next minute the app is served again; the flag stays until the security administrator clears it.
    t.clock.advanceMinutes(1)
    assert.equal((await s.records()).status, 200)
    const noNote = await t.request('POST', `/api/v1/gateway/app-flags/${flag.id}/clear`, { token: w.tokens.secAdmin, body: { note: ' ' } })
    assert.equal(noNote.status, 400)
    assert.equal((await t.db.selectFrom('gatewayAppFlags').select('clearedAt').where('id', '=', flag.id).executeTakeFirstOrThrow()).clearedAt, null)
    const cleared = await t.request('POST', `/api/v1/gateway/app-flags/${flag.id}/clear`, {
      token: w.tokens.secAdmin,
      body: { note: '已约谈使用部门，确认为批量核验脚本配置错误' },
    })
    assert.equal(cleared.status, 200, JSON.stringify(cleared.body))
    assert.ok(cleared.body.clearedAt)
    assert.equal((await t.request('POST', `/api/v1/gateway/app-flags/${flag.id}/clear`, { token: w.tokens.secAdmin, body: { note: '再次' } })).status, 409)
    const open = await t.request('GET', '/api/v1/gateway/app-flags?status=open', { token: w.tokens.secAdmin })
    assert.ok(!open.body.items.some((f: { id: string }) => f.id === flag.id))
    const audited = await t.db.selectFrom('auditEvents').select('objectId').where('action', '=', 'gateway.flag.clear').execute()
    assert.ok(audited.some((e) => e.objectId === flag.id))
  })

  test('with 身份证号 declared a lookup key, the exact lookup returns that one record, masked; partial values find nothing and count as misses', async () => {
    const s = await grantWithApp(t, w, { lookupKeys: ['id_no'] })
    const one = await s.records('?id_no=370705198512120021')
    assert.equal(one.status, 200, JSON.stringify(one.body))
    assert.deepEqual(one.body.items, [{ id_no: '370705********0021', full_name: '欧阳**', county: '奎文区' }])
    // A 联机查询 needs the full value: no listing, no prefix, no pattern.
    const listing = await s.records()
    assert.equal(listing.status, 400)
    for (const partial of ['370705', '370705%25', '370705*', '3707051985121200']) {
      const res = await s.records(`?id_no=${partial}`)
      assert.equal(res.status, 200, `${partial}: ${JSON.stringify(res.body)}`)
      assert.deepEqual(res.body.items, [], partial)
    }
    // Four misses so far; the fifth flags the app, and the next call is held.
    assert.deepEqual((await s.records('?id_no=370705198512120022')).body.items, [])
    const held = await s.records('?id_no=370705198512120021')
    assert.equal(held.status, 429)
    assert.equal(held.body.error.code, 'LOOKUP_PROBING')
    const flags = await t.request('GET', '/api/v1/gateway/app-flags', { token: w.tokens.secAdmin })
    assert.ok(flags.body.items.some((f: { appId: string }) => f.appId === s.appId))
  })

  test('a prefix or range row filter on a masked item is refused at decision time; an older grant with one is not served', async () => {
    for (const rowFilter of [
      { id_no: { prefix: '3707' } },
      { id_no: { gte: '370702', lte: '370703' } },
      { full_name: { eq: '张三' } },
      { id_no: { in: ['370702199003071234'] } },
    ]) {
      const key = Object.keys(rowFilter)[0]
      const refused = await grantWithApp(t, w, { rowFilter }).then(
        () => assert.fail(`${key} accepted`),
        (error: Error) => error,
      )
      assert.match(refused.message, new RegExp(`rowFilter\\.${key}`))
      assert.match(refused.message, /不能作为行过滤条件/)
    }
    // The same filter is fine when the item is shared in clear...
    const s = await grantWithApp(t, w, (ids) => ({ masking: { [ids[0]]: 'none', [ids[1]]: 'name' }, rowFilter: { id_no: { prefix: '370702' } } }))
    assert.deepEqual(
      (await s.records()).body.items.map((r: { county: string }) => r.county),
      ['潍城区'],
    )
    // ...but a grant made before the rule, which masks the filtered item, stops being served.
    const grant = await t.db.selectFrom('grants').select('masking').where('id', '=', s.grantId).executeTakeFirstOrThrow()
    const idItem = s.resource.items[0].id
    await t.db
      .updateTable('grants')
      .set({ masking: JSON.stringify({ ...grant.masking, [idItem]: 'id_card' }) })
      .where('id', '=', s.grantId)
      .execute()
    const res = await s.records()
    assert.equal(res.status, 409)
    assert.equal(res.body.error.code, 'FILTER_ON_MASKED_ITEM')
    assert.match(res.body.error.message, /id_no/)
  })
})
