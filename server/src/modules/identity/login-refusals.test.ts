import assert from 'node:assert/strict'
import { after, before, describe, test } from 'node:test'
import { TEST_PASSWORD, buildOrg, buildUser, buildWorld } from '../../testing/factories.ts'
import { type TestApp, buildTestApp } from '../../testing/test-app.ts'

// This file compares refusal times against a real password check: hash with the production profile
// here, not the fast suite's cheap one (platform/auth/passwords.ts).
process.env.GOVSHARE_TEST_FAST_HASH = '0'

/** SPEC §8.2 S4 with issue 13 §8: a login refusal does not say why, neither in its answer nor in its time. */
describe('login refusals look alike', () => {
  let t: TestApp
  let world: Awaited<ReturnType<typeof buildWorld>>
  before(async () => {
    // No rate limits here: the answers themselves are compared.
    t = await buildTestApp({ config: { loginFailuresPerIp: 0, loginFailuresPerUser: 0 } })
    world = await buildWorld(t.db)
  })
  after(() => t.close())

  const login = (username: string, password = TEST_PASSWORD) => t.request('POST', '/api/v1/auth/login', { body: { username, password } })

  /** The accounts a guesser could tell apart before: wrong password, unknown, locked, disabled, disabled organisation. */
  async function accounts() {
    const wrong = await buildUser(t.db, { orgId: world.deptB.id, roles: ['REQUESTER'] })
    const locked = await buildUser(t.db, { orgId: world.deptB.id, roles: ['REQUESTER'] })
    for (let i = 0; i < 5; i++) await login(locked.username, 'Wrong@Pass1')
    const disabled = await buildUser(t.db, { orgId: world.deptB.id, roles: ['REQUESTER'] })
    assert.equal((await t.request('PATCH', `/api/v1/users/${disabled.id}`, { token: world.tokens.sysAdmin, body: { status: 'disabled' } })).status, 200)
    const org = await buildOrg(t.db)
    const orgUser = await buildUser(t.db, { orgId: org.id, roles: ['REQUESTER'] })
    assert.equal((await t.request('PATCH', `/api/v1/orgs/${org.id}`, { token: world.tokens.sysAdmin, body: { status: 'disabled' } })).status, 200)
    return { wrong, locked, disabled, orgUser }
  }

  test('unknown, locked, disabled and disabled-organisation accounts get the answer of a wrong password, even with the right one', async () => {
    const a = await accounts()
    const wrong = await login(a.wrong.username, 'Wrong@Pass1')
    assert.equal(wrong.status, 401)
    assert.equal(wrong.body.error.code, 'INVALID_CREDENTIALS')
    const refused = {
      unknown: await login('no_such_user_here'),
      locked: await login(a.locked.username),
      disabled: await login(a.disabled.username),
      orgDisabled: await login(a.orgUser.username),
    }
    for (const [what, res] of Object.entries(refused)) {
      assert.equal(res.status, wrong.status, what)
      assert.deepEqual(res.body.error, wrong.body.error, `${what}: same code and message`)
    }
    // The auditor still sees why.
    const reasons = await t.db
      .selectFrom('auditEvents')
      .select('detail')
      .where('action', '=', 'identity.session.login')
      .where('result', '=', 'denied')
      .execute()
    const seen = new Set(reasons.map((e) => (e.detail as { reason?: string }).reason))
    for (const reason of ['bad_password', 'unknown_user', 'locked', 'disabled', 'org_disabled']) assert.ok(seen.has(reason), reason)
  })

  test('every refusal takes about as long as a wrong password (one password hash each)', async () => {
    const a = await accounts()
    // Two users for the wrong password, so neither reaches the lockout.
    const second = await buildUser(t.db, { orgId: world.deptB.id, roles: ['REQUESTER'] })
    const cases: Record<string, (round: number) => [string, string]> = {
      wrong: (round) => [round % 2 ? a.wrong.username : second.username, 'Wrong@Pass1'],
      unknown: () => ['no_such_user_either', TEST_PASSWORD],
      locked: () => [a.locked.username, TEST_PASSWORD],
      disabled: () => [a.disabled.username, TEST_PASSWORD],
      orgDisabled: () => [a.orgUser.username, TEST_PASSWORD],
    }
    const times: Record<string, number[]> = Object.fromEntries(Object.keys(cases).map((k) => [k, []]))
    // Interleaved, so a busy machine slows every case alike.
    for (let round = 0; round < 6; round++) {
      for (const [what, args] of Object.entries(cases)) {
        const started = performance.now()
        // The answers themselves are compared by the test above.
        assert.notEqual((await login(...args(round))).status, 200, what)
        times[what].push(performance.now() - started)
      }
    }
    const median = (list: number[]) => [...list].sort((x, y) => x - y)[Math.floor(list.length / 2)]
    const wrong = median(times.wrong)
    // An argon2id check takes tens of milliseconds; a refusal without one, a few.
    for (const [what, list] of Object.entries(times)) {
      assert.ok(median(list) > wrong * 0.5, `${what}: ${median(list).toFixed(1)} ms against ${wrong.toFixed(1)} ms for a wrong password`)
    }
  })

  test("disabling an organisation ends its users' sessions and logins", async () => {
    const org = await buildOrg(t.db)
    const user = await buildUser(t.db, { orgId: org.id, roles: ['REQUESTER'] })
    const session = await login(user.username)
    assert.equal(session.status, 200)
    assert.equal((await t.request('GET', '/api/v1/auth/me', { token: session.body.token })).status, 200)
    assert.equal((await t.request('PATCH', `/api/v1/orgs/${org.id}`, { token: world.tokens.sysAdmin, body: { status: 'disabled' } })).status, 200)
    assert.equal((await t.request('GET', '/api/v1/auth/me', { token: session.body.token })).status, 401)
    assert.equal((await login(user.username)).body.error.code, 'INVALID_CREDENTIALS')
    assert.equal((await t.request('PATCH', `/api/v1/orgs/${org.id}`, { token: world.tokens.sysAdmin, body: { status: 'active' } })).status, 200)
    assert.equal((await login(user.username)).status, 200, 'enabled again, the account logs in')
  })
})
