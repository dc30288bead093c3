import assert from 'node:assert/strict'
import { after, before, describe, test } from 'node:test'
import { TEST_PASSWORD, buildUser, buildWorld } from '../../testing/factories.ts'
import { type TestApp, buildTestApp } from '../../testing/test-app.ts'

describe('identity', () => {
  let t: TestApp
  let world: Awaited<ReturnType<typeof buildWorld>>
  before(async () => {
    t = await buildTestApp()
    world = await buildWorld(t.db)
  })
  after(() => t.close())

  const login = (username: string, password = TEST_PASSWORD) => t.request('POST', '/api/v1/auth/login', { body: { username, password } })

  test('a user logs in, sees who they are, and logs out', async () => {
    const res = await login(world.users.cataloger.username)
    assert.equal(res.status, 200)
    assert.equal(res.body.user.username, world.users.cataloger.username)
    assert.deepEqual(res.body.user.roles, ['CATALOGER'])
    assert.equal(res.body.user.orgId, world.deptA.id)
    assert.ok(new Date(res.body.expiresAt) > t.clock.now())
    const me = await t.request('GET', '/api/v1/auth/me', { token: res.body.token })
    assert.equal(me.status, 200)
    assert.equal(me.body.orgName, world.deptA.name)
    const out = await t.request('POST', '/api/v1/auth/logout', { token: res.body.token })
    assert.equal(out.status, 204)
    const again = await t.request('GET', '/api/v1/auth/me', { token: res.body.token })
    assert.equal(again.status, 401)
    assert.equal(again.body.error.code, 'UNAUTHENTICATED')
  })

  test('wrong credentials get the same answer whether or not the user exists', async () => {
    const wrongPassword = await login(world.users.requester.username, 'Wrong@Pass1')
    const noUser = await login('nobody_here', 'Wrong@Pass1')
    for (const res of [wrongPassword, noUser]) {
      assert.equal(res.status, 401)
      assert.equal(res.body.error.code, 'INVALID_CREDENTIALS')
    }
    assert.equal(wrongPassword.body.error.message, noUser.body.error.message)
  })

  test('the system administrator opens accounts (without roles); the password policy is enforced', async () => {
    const body = { username: 'zhang.wei', name: '张伟', orgId: world.deptA.id, roles: [] as string[], password: 'Abcdefg1' }
    const withRoles = await t.request('POST', '/api/v1/users', { token: world.tokens.sysAdmin, body: { ...body, roles: ['CATALOGER'] } })
    assert.equal(withRoles.status, 403)
    assert.match(withRoles.body.error.message, /安全管理员/)
    const weak = await t.request('POST', '/api/v1/users', { token: world.tokens.sysAdmin, body: { ...body, password: 'abcdefgh1' } })
    assert.equal(weak.status, 400)
    assert.equal(weak.body.error.details[0].field, 'password')
    const short = await t.request('POST', '/api/v1/users', { token: world.tokens.sysAdmin, body: { ...body, password: 'Ab1!' } })
    assert.equal(short.status, 400)
    assert.equal(await t.db.selectFrom('users').select('id').where('username', '=', 'zhang.wei').executeTakeFirst(), undefined)
    const created = await t.request('POST', '/api/v1/users', { token: world.tokens.sysAdmin, body })
    assert.equal(created.status, 201)
    assert.equal(created.body.name, '张伟')
    assert.equal((await login('zhang.wei', 'Abcdefg1')).status, 200)
    const duplicate = await t.request('POST', '/api/v1/users', { token: world.tokens.sysAdmin, body })
    assert.equal(duplicate.status, 409)
  })

  test('a department administrator manages only its own department and business roles', async () => {
    const base = { name: '李娜', password: 'Str0ng!pass', roles: ['REQUESTER'] }
    const own = await t.request('POST', '/api/v1/users', { token: world.tokens.deptAdmin, body: { ...base, username: 'li.na', orgId: world.deptA.id } })
    assert.equal(own.status, 201)
    const foreign = await t.request('POST', '/api/v1/users', { token: world.tokens.deptAdmin, body: { ...base, username: 'li.na2', orgId: world.deptB.id } })
    assert.equal(foreign.status, 403)
    const platformRole = await t.request('POST', '/api/v1/users', {
      token: world.tokens.deptAdmin,
      body: { ...base, username: 'li.na3', orgId: world.deptA.id, roles: ['AUDITOR'] },
    })
    assert.equal(platformRole.status, 403)
    const list = await t.request('GET', '/api/v1/users?pageSize=200', { token: world.tokens.deptAdmin })
    assert.equal(list.status, 200)
    assert.ok(list.body.items.every((u: { orgId: string }) => u.orgId === world.deptA.id))
    const everyone = await t.request('GET', '/api/v1/users?pageSize=200', { token: world.tokens.sysAdmin })
    assert.ok(everyone.body.total > list.body.total)
  })

  test('resetting a password or disabling a user ends their sessions', async () => {
    const user = await buildUser(t.db, { orgId: world.deptA.id, roles: ['REQUESTER'] })
    const token = (await login(user.username)).body.token
    const reset = await t.request('PATCH', `/api/v1/users/${user.id}`, { token: world.tokens.sysAdmin, body: { password: 'N3w!password' } })
    assert.equal(reset.status, 200)
    assert.equal((await t.request('GET', '/api/v1/auth/me', { token })).status, 401)
    const token2 = (await login(user.username, 'N3w!password')).body.token
    await t.request('PATCH', `/api/v1/users/${user.id}`, { token: world.tokens.sysAdmin, body: { status: 'disabled' } })
    assert.equal((await t.request('GET', '/api/v1/auth/me', { token: token2 })).status, 401)
    const disabled = await login(user.username, 'N3w!password')
    assert.equal(disabled.status, 401, 'the right password of a disabled account: the same answer as a wrong one')
    assert.equal(disabled.body.error.code, 'INVALID_CREDENTIALS')
  })

  test('the system administrator cannot disable itself (its account is kept by the security administrator)', async () => {
    const res = await t.request('PATCH', `/api/v1/users/${world.users.sysAdmin.id}`, { token: world.tokens.sysAdmin, body: { status: 'disabled' } })
    assert.equal(res.status, 403)
    const me = await t.db.selectFrom('users').select('status').where('id', '=', world.users.sysAdmin.id).executeTakeFirstOrThrow()
    assert.equal(me.status, 'active')
  })

  test('malformed login bodies are 400 and change nothing', async () => {
    for (const body of ['{"username":', '[]', '{}', JSON.stringify({ username: 'a'.repeat(1000), password: 'x' })]) {
      const res = await t.request('POST', '/api/v1/auth/login', { body, headers: { 'content-type': 'application/json' } })
      assert.equal(res.status, 400, body.slice(0, 20))
      assert.equal(res.body.error.code, 'VALIDATION_FAILED')
      assert.ok(res.headers.get('x-request-id'))
    }
  })

  test('X-Request-Id is echoed when the client sends one', async () => {
    const res = await t.request('GET', '/api/v1/auth/me', { token: world.tokens.requester, headers: { 'x-request-id': 'trace-123' } })
    assert.equal(res.headers.get('x-request-id'), 'trace-123')
  })
})

// These tests move the clock, so they get their own server and tokens.
describe('identity over time', () => {
  let t: TestApp
  let world: Awaited<ReturnType<typeof buildWorld>>
  before(async () => {
    t = await buildTestApp()
    world = await buildWorld(t.db)
  })
  after(() => t.close())

  const login = (username: string, password = TEST_PASSWORD) => t.request('POST', '/api/v1/auth/login', { body: { username, password } })

  test('five wrong passwords lock the account for 15 minutes, even for the right password', async () => {
    const user = await buildUser(t.db, { orgId: world.deptB.id, roles: ['REQUESTER'] })
    for (let i = 1; i <= 5; i++) {
      const res = await login(user.username, 'Wrong@Pass1')
      assert.equal(res.status, 401, `attempt ${i}`)
    }
    const locked = await login(user.username)
    assert.equal(locked.status, 401, 'locked: the same answer as a wrong password')
    assert.equal(locked.body.error.code, 'INVALID_CREDENTIALS')
    t.clock.advanceMinutes(14)
    assert.equal((await login(user.username)).status, 401)
    t.clock.advanceMinutes(2)
    const ok = await login(user.username)
    assert.equal(ok.status, 200)
    // A success resets the count: four more failures do not lock.
    for (let i = 0; i < 4; i++) await login(user.username, 'Wrong@Pass1')
    assert.equal((await login(user.username)).status, 200)
    // Repeats of one kind of refusal are summed into one event per window (platform/audit/denials.ts).
    await t.app.auditDenials.flush()
    const denied = await t.db
      .selectFrom('auditEvents')
      .select('detail')
      .where('objectId', '=', user.id)
      .where('action', '=', 'identity.session.login')
      .where('result', '=', 'denied')
      .execute()
    const attempts = denied.reduce((n, e) => n + ((e.detail as { repeated?: { count: number } }).repeated?.count ?? 1), 0)
    assert.equal(attempts, 11, '5 wrong, 2 while locked, 4 wrong')
  })

  test('a token expires after 30 idle minutes but stays alive while used', async () => {
    const res = await login(world.users.approver.username)
    const token = res.body.token
    t.clock.advanceMinutes(20)
    assert.equal((await t.request('GET', '/api/v1/auth/me', { token })).status, 200)
    t.clock.advanceMinutes(25)
    assert.equal((await t.request('GET', '/api/v1/auth/me', { token })).status, 200)
    t.clock.advanceMinutes(31)
    const expired = await t.request('GET', '/api/v1/auth/me', { token })
    assert.equal(expired.status, 401)
    assert.equal(expired.body.error.code, 'UNAUTHENTICATED')
  })
})
