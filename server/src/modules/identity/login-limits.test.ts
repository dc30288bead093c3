import assert from 'node:assert/strict'
import { after, before, describe, test } from 'node:test'
import { buildApp } from '../../app.ts'
import { TEST_PASSWORD, buildUser, buildWorld } from '../../testing/factories.ts'
import { type TestApp, buildTestApp } from '../../testing/test-app.ts'

describe('login rate limits (database counters)', () => {
  let t: TestApp
  let world: Awaited<ReturnType<typeof buildWorld>>
  before(async () => {
    t = await buildTestApp({ config: { loginFailuresPerIp: 6, loginFailuresPerUser: 4 } })
    world = await buildWorld(t.db)
  })
  after(() => t.close())

  const login = (username: string, password = TEST_PASSWORD) => t.request('POST', '/api/v1/auth/login', { body: { username, password } })

  test('failures for one username are limited, for existing and unknown users alike, with Retry-After', async () => {
    t.clock.set('2026-03-02T02:00:00Z')
    for (let i = 1; i <= 4; i++) assert.equal((await login('no_such_user', 'Wrong@Pass1')).status, 401, `attempt ${i}`)
    const limited = await login('no_such_user', 'Wrong@Pass1')
    assert.equal(limited.status, 429)
    assert.equal(limited.body.error.code, 'RATE_LIMITED')
    assert.match(limited.body.error.message, /登录尝试过于频繁/)
    assert.equal(limited.headers.get('retry-after'), '3600', 'until the end of the hour window')
    // Letter case does not open a new counter.
    assert.equal((await login('NO_SUCH_USER', 'Wrong@Pass1')).status, 429)
    const denied = await t.db.selectFrom('auditEvents').select('detail').where('action', '=', 'identity.session.login').where('result', '=', 'denied').execute()
    assert.ok(denied.some((e) => (e.detail as { reason?: string }).reason === 'rate_limited'))
    t.clock.advanceMinutes(60)
    assert.equal((await login('no_such_user', 'Wrong@Pass1')).status, 401, 'a new window starts again')
  })

  test('failures from one source IP are limited across usernames; a success gives its slot back', async () => {
    t.clock.set('2026-03-03T02:00:00Z')
    const users = await Promise.all([1, 2, 3].map(() => buildUser(t.db, { orgId: world.deptB.id, roles: ['REQUESTER'] })))
    // Successes do not use up the IP's allowance.
    for (let i = 0; i < 8; i++) assert.equal((await login(users[0].username)).status, 200)
    for (let i = 0; i < 6; i++) assert.equal((await login(users[i % 3].username, 'Wrong@Pass1')).status, 401, `failure ${i + 1}`)
    const limited = await login(users[1].username)
    assert.equal(limited.status, 429, 'even the right password, while the IP is over its limit')
    assert.equal(limited.body.error.code, 'RATE_LIMITED')
    assert.equal(limited.headers.get('retry-after'), '900')
    t.clock.advanceMinutes(15)
    assert.equal((await login(users[1].username)).status, 200)
  })

  test('the counters hold across server processes sharing the database', async () => {
    t.clock.set('2026-03-04T02:00:00Z')
    const user = await buildUser(t.db, { orgId: world.deptB.id, roles: ['REQUESTER'] })
    // A second application on the same database stands for a second server process.
    const second = await buildApp({ db: t.db, dbKind: t.dbKind, config: t.config, clock: t.clock.now })
    try {
      const viaSecond = (password: string) =>
        second.inject({ method: 'POST', url: '/api/v1/auth/login', payload: { username: user.username, password }, remoteAddress: '10.0.0.9' })
      // Two failures here, two there (other IPs, so only the username counter is shared).
      for (let i = 0; i < 2; i++) assert.equal((await viaSecond('Wrong@Pass1')).statusCode, 401)
      for (let i = 0; i < 2; i++) assert.equal((await login(user.username, 'Wrong@Pass1')).status, 401)
      // The lockout (5 in a row) has not struck yet; the username limit (4) has, on either server.
      const there = await viaSecond(TEST_PASSWORD)
      assert.equal(there.statusCode, 429)
      assert.equal(there.json().error.code, 'RATE_LIMITED')
      assert.equal((await login(user.username)).status, 429)
    } finally {
      await second.close()
    }
  })

  test('a locked account answers as a wrong password does, and its refusals count like any failure', async () => {
    const relaxed = await buildTestApp({ config: { loginFailuresPerIp: 8, loginFailuresPerUser: 0 } })
    try {
      const w = await buildWorld(relaxed.db)
      const user = await buildUser(relaxed.db, { orgId: w.deptB.id, roles: ['REQUESTER'] })
      const attempt = (username: string, password: string) => relaxed.request('POST', '/api/v1/auth/login', { body: { username, password } })
      const wrong = await attempt(user.username, 'Wrong@Pass1')
      for (let i = 1; i < 5; i++) assert.equal((await attempt(user.username, 'Wrong@Pass1')).status, 401)
      const locked = await attempt(user.username, TEST_PASSWORD)
      const unknown = await attempt('no_such_user', 'Wrong@Pass1')
      for (const res of [locked, unknown]) {
        assert.equal(res.status, 401)
        assert.deepEqual(res.body.error, wrong.body.error, 'same code and message')
      }
      // Were the locked refusal free, the IP would still have a slot: it has used 7 of 8 and has one left.
      assert.equal((await attempt(user.username, TEST_PASSWORD)).status, 401)
      const limited = await attempt('no_such_user', 'Wrong@Pass1')
      assert.equal(limited.status, 429)
      assert.equal(limited.body.error.code, 'RATE_LIMITED')
    } finally {
      await relaxed.close()
    }
  })
})
