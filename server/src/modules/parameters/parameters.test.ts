import assert from 'node:assert/strict'
import { after, before, test } from 'node:test'
import { numberParameter } from '../../platform/config/parameters.ts'
import { buildWorld } from '../../testing/factories.ts'
import { buildTestApp, type TestApp } from '../../testing/test-app.ts'

/** GET/PUT /parameters (SPEC §7.1): the system administrator sets the clocks, within their allowed values. */

let t: TestApp
let world: Awaited<ReturnType<typeof buildWorld>>

before(async () => {
  t = await buildTestApp()
  world = await buildWorld(t.db)
})
after(() => t.close())

const reply = (items: { key: string; value: number; description: string }[]) => items.find((p) => p.key === 'sharing.providerReplyWorkdays')!

test('the reply deadline defaults to 10 working days and can be set to 15, which new requests then use', async () => {
  const listed = await t.request('GET', '/api/v1/parameters', { token: world.tokens.sysAdmin })
  assert.equal(listed.status, 200)
  assert.deepEqual(
    { ...reply(listed.body.items), updatedAt: null },
    {
      key: 'sharing.providerReplyWorkdays',
      label: '有条件共享答复时限（工作日）',
      description: reply(listed.body.items).description,
      regionCode: null,
      value: 10,
      default: 10,
      allowed: [10, 15, 20],
      updatedAt: null,
      updatedByName: null,
    },
  )
  const changed = await t.request('PUT', '/api/v1/parameters/sharing.providerReplyWorkdays', {
    token: world.tokens.sysAdmin,
    body: { value: 15, reason: '依据市政务服务管理办公室2026年12号文件调整' },
  })
  assert.equal(changed.status, 200, JSON.stringify(changed.body))
  assert.equal(changed.body.value, 15)
  assert.ok(changed.body.updatedByName)
  const audit = await t.db.selectFrom('auditEvents').select('detail').where('action', '=', 'parameter.update').executeTakeFirstOrThrow()
  assert.deepEqual(audit.detail, { before: 10, after: 15, reason: '依据市政务服务管理办公室2026年12号文件调整', regionCode: null })
  // What the sharing module reads when it sets a new conditional request's deadline.
  assert.equal(await numberParameter(t.db, 'sharing.providerReplyWorkdays'), 15)
  assert.equal(await numberParameter(t.db, 'sharing.warnBeforeWorkdays'), 2, 'untouched parameters keep their default')
})

test('a value outside the allowed ones, an unknown key or a role other than the system administrator changes nothing', async () => {
  const before = await t.db.selectFrom('parameters').selectAll().execute()
  const bad = await t.request('PUT', '/api/v1/parameters/sharing.providerReplyWorkdays', {
    token: world.tokens.sysAdmin,
    body: { value: 5, reason: '依据市政务服务管理办公室2026年12号文件调整' },
  })
  assert.equal(bad.status, 400)
  assert.equal(bad.body.error.details[0].field, 'value')
  assert.match(bad.body.error.details[0].message, /只能取 10、15、20/)
  assert.equal(
    (
      await t.request('PUT', '/api/v1/parameters/no.such.key', {
        token: world.tokens.sysAdmin,
        body: { value: 1, reason: '依据市政务服务管理办公室2026年12号文件调整' },
      })
    ).status,
    404,
  )
  for (const token of [world.tokens.authAdmin, world.tokens.approver, world.tokens.auditor]) {
    assert.equal(
      (
        await t.request('PUT', '/api/v1/parameters/sharing.warnBeforeWorkdays', {
          token,
          body: { value: 3, reason: '依据市政务服务管理办公室2026年12号文件调整' },
        })
      ).status,
      403,
    )
  }
  assert.equal((await t.request('GET', '/api/v1/parameters', { token: world.tokens.requester })).status, 403)
  assert.deepEqual(await t.db.selectFrom('parameters').selectAll().execute(), before)
})

test('a change needs a reason with substance: none, a stock phrase or a few characters change nothing', async () => {
  const before = await t.db.selectFrom('parameters').selectAll().execute()
  const events = await t.db.selectFrom('auditEvents').select('id').where('action', '=', 'parameter.update').execute()
  for (const [body, message] of [
    [{ value: 3 }, /修改原因不能为空/],
    [{ value: 3, reason: '   ' }, /修改原因不能为空/],
    [{ value: 3, reason: '工作需要' }, /套话/],
    [{ value: 3, reason: '调整，修改。' }, /套话/],
    [{ value: 3, reason: '领导要求' }, /至少写 8 个字/],
  ] as const) {
    const refused = await t.request('PUT', '/api/v1/parameters/sharing.warnBeforeWorkdays', { token: world.tokens.sysAdmin, body })
    assert.equal(refused.status, 400, JSON.stringify(body))
    assert.equal(refused.body.error.code, 'VALIDATION_FAILED')
    assert.equal(refused.body.error.details[0].field, 'reason')
    assert.match(refused.body.error.details[0].message, message)
  }
  assert.deepEqual(await t.db.selectFrom('parameters').selectAll().execute(), before)
  assert.equal((await t.db.selectFrom('auditEvents').select('id').where('action', '=', 'parameter.update').execute()).length, events.length)
})

test('deadlines per tenant: a county sets its own reply deadline, which its departments’ new requests use; others keep the city’s', async () => {
  const county = '370702'
  const set = await t.request('PUT', `/api/v1/parameters/sharing.providerReplyWorkdays?regionCode=${county}`, {
    token: world.tokens.sysAdmin,
    body: { value: 10, reason: '依据市政务服务管理办公室2026年12号文件调整' },
  })
  assert.equal(set.status, 200, JSON.stringify(set.body))
  assert.equal(set.body.regionCode, county)
  const city = await t.request('PUT', '/api/v1/parameters/sharing.providerReplyWorkdays', {
    token: world.tokens.sysAdmin,
    body: { value: 15, reason: '依据市政务服务管理办公室2026年12号文件调整' },
  })
  assert.equal(city.body.value, 15)
  assert.equal(await numberParameter(t.db, 'sharing.providerReplyWorkdays', county), 10)
  assert.equal(await numberParameter(t.db, 'sharing.providerReplyWorkdays', '370703'), 15, 'a county without its own value inherits the city’s')
  const listed = await t.request('GET', `/api/v1/parameters?regionCode=${county}`, { token: world.tokens.sysAdmin })
  assert.equal(reply(listed.body.items).value, 10)
  const warn = listed.body.items.find((p: { key: string }) => p.key === 'sharing.warnBeforeWorkdays')
  assert.deepEqual([warn.value, warn.regionCode], [2, county])
  const bad = await t.request('PUT', '/api/v1/parameters/sharing.providerReplyWorkdays?regionCode=110101', {
    token: world.tokens.sysAdmin,
    body: { value: 15, reason: '依据市政务服务管理办公室2026年12号文件调整' },
  })
  assert.equal(bad.status, 400)
  assert.equal(bad.body.error.details[0].field, 'regionCode')
})
