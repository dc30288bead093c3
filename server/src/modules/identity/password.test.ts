import assert from 'node:assert/strict'
import { after, before, describe, test } from 'node:test'
import { TEST_PASSWORD, buildUser, buildWorld } from '../../testing/factories.ts'
import { type TestApp, buildTestApp } from '../../testing/test-app.ts'

describe("password policy and changing one's own password", () => {
  let t: TestApp
  let world: Awaited<ReturnType<typeof buildWorld>>
  before(async () => {
    t = await buildTestApp()
    world = await buildWorld(t.db)
  })
  after(() => t.close())

  const login = (username: string, password = TEST_PASSWORD) => t.request('POST', '/api/v1/auth/login', { body: { username, password } })
  const change = (token: string, currentPassword: string, newPassword: string) =>
    t.request('POST', '/api/v1/auth/password', { token, body: { currentPassword, newPassword } })

  test('a password equal to the username is refused on create and on reset', async () => {
    const created = await t.request('POST', '/api/v1/users', {
      token: world.tokens.sysAdmin,
      body: { username: 'Wang.Fang1', name: '王芳', orgId: world.deptA.id, password: 'wang.fang1' },
    })
    assert.equal(created.status, 400)
    assert.equal(created.body.error.details[0].field, 'password')
    assert.match(created.body.error.details[0].message, /用户名/)
    // "wang.fang1" has only two classes, so use one that passes the class rule to isolate the username rule.
    const sameAsName = await t.request('POST', '/api/v1/users', {
      token: world.tokens.sysAdmin,
      body: { username: 'Wang.Fang1', name: '王芳', orgId: world.deptA.id, password: 'WANG.fang1' },
    })
    assert.equal(sameAsName.status, 400)
    assert.match(sameAsName.body.error.details[0].message, /不能与用户名相同/)

    const user = await buildUser(t.db, { orgId: world.deptA.id, roles: ['REQUESTER'], username: 'Li.Lei2026' })
    const reset = await t.request('PATCH', `/api/v1/users/${user.id}`, { token: world.tokens.sysAdmin, body: { password: 'li.LEI2026' } })
    assert.equal(reset.status, 400)
    assert.match(reset.body.error.details[0].message, /不能与用户名相同/)
    assert.equal((await login(user.username)).status, 200, 'the old password still works')
  })

  test('a user changes their own password with the current one; other sessions end, this one stays', async () => {
    const user = await buildUser(t.db, { orgId: world.deptB.id, roles: ['REQUESTER'], username: 'Zhao.Min2026' })
    const token = (await login(user.username)).body.token
    const other = (await login(user.username)).body.token

    const weak = await change(token, TEST_PASSWORD, 'password')
    assert.equal(weak.status, 400)
    assert.equal(weak.body.error.details[0].field, 'newPassword')
    const same = await change(token, TEST_PASSWORD, TEST_PASSWORD)
    assert.equal(same.status, 400)
    assert.match(same.body.error.message, /不能与当前密码相同/)
    const asName = await change(token, TEST_PASSWORD, 'zhao.MIN2026')
    assert.equal(asName.status, 400)
    assert.match(asName.body.error.message, /不能与用户名相同/)

    const ok = await change(token, TEST_PASSWORD, 'Xin@Mima2026')
    assert.equal(ok.status, 204)
    assert.equal((await t.request('GET', '/api/v1/auth/me', { token })).status, 200, 'the session that changed it stays')
    assert.equal((await t.request('GET', '/api/v1/auth/me', { token: other })).status, 401, 'other sessions end')
    assert.equal((await login(user.username)).status, 401)
    assert.equal((await login(user.username, 'Xin@Mima2026')).status, 200)
    const audited = await t.db
      .selectFrom('auditEvents')
      .select('action')
      .where('objectId', '=', user.id)
      .where('action', '=', 'identity.password.change')
      .execute()
    assert.equal(audited.length, 1)
  })

  test('a wrong current password changes nothing but counts toward the lockout', async () => {
    const user = await buildUser(t.db, { orgId: world.deptB.id, roles: ['REQUESTER'] })
    const token = (await login(user.username)).body.token
    const before = await t.db.selectFrom('users').select('passwordHash').where('id', '=', user.id).executeTakeFirstOrThrow()
    for (let i = 0; i < 5; i++) {
      const wrong = await change(token, 'Wrong@Pass1', 'Xin@Mima2026')
      assert.equal(wrong.status, 400)
      assert.equal(wrong.body.error.details[0].field, 'currentPassword')
    }
    const locked = await change(token, TEST_PASSWORD, 'Xin@Mima2026')
    assert.equal(locked.status, 429)
    assert.equal(locked.body.error.code, 'ACCOUNT_LOCKED')
    const after = await t.db.selectFrom('users').select('passwordHash').where('id', '=', user.id).executeTakeFirstOrThrow()
    assert.equal(after.passwordHash, before.passwordHash)
    // The login answer does not say the account is locked (the same as a wrong password).
    assert.equal((await login(user.username)).body.error.code, 'INVALID_CREDENTIALS')
  })

  test('changing a password needs a login', async () => {
    const res = await t.request('POST', '/api/v1/auth/password', { body: { currentPassword: TEST_PASSWORD, newPassword: 'Xin@Mima2026' } })
    assert.equal(res.status, 401)
  })
})
