import assert from 'node:assert/strict'
import { after, before, describe, test } from 'node:test'
import { totpCode } from '../../platform/auth/totp.ts'
import { TEST_PASSWORD, buildUser, buildWorld, tokenFor } from '../../testing/factories.ts'
import { type TestApp, buildTestApp } from '../../testing/test-app.ts'

const DATA_KEY = Buffer.from('8f1c2a3b4d5e6f708192a3b4c5d6e7f8091a2b3c4d5e6f708192a3b4c5d6e7f8', 'hex')

type World = Awaited<ReturnType<typeof buildWorld>>

/** Enrolls and confirms TOTP for a user through the API; returns the base32 secret. */
async function enroll(t: TestApp, token: string) {
  const started = await t.request('POST', '/api/v1/auth/totp/enroll', { token, body: { password: TEST_PASSWORD } })
  assert.equal(started.status, 200, JSON.stringify(started.body))
  const confirmed = await t.request('POST', '/api/v1/auth/totp/confirm', { token, body: { code: totpCode(started.body.secret, t.clock.now()) } })
  assert.equal(confirmed.status, 200, JSON.stringify(confirmed.body))
  return started.body.secret as string
}

const loginWith = (t: TestApp, username: string, extra: Record<string, unknown> = {}) =>
  t.request('POST', '/api/v1/auth/login', { body: { username, password: TEST_PASSWORD, ...extra } })

describe('TOTP second factor', () => {
  let t: TestApp
  let world: World
  before(async () => {
    t = await buildTestApp({ config: { dataKey: DATA_KEY } })
    world = await buildWorld(t.db)
  })
  after(() => t.close())

  const login = (username: string, extra: Record<string, unknown> = {}) => loginWith(t, username, extra)

  test('enrollment shows the secret once, stores it SM4-encrypted, and needs the current password', async () => {
    const user = await buildUser(t.db, { orgId: world.deptA.id, roles: ['APPROVER'] })
    const token = await tokenFor(t.db, user, t.clock.now())
    const wrong = await t.request('POST', '/api/v1/auth/totp/enroll', { token, body: { password: 'Wrong@Pass1' } })
    assert.equal(wrong.status, 400)
    assert.equal(wrong.body.error.details[0].field, 'password')
    assert.equal(await t.db.selectFrom('userTotp').select('userId').where('userId', '=', user.id).executeTakeFirst(), undefined)

    const started = await t.request('POST', '/api/v1/auth/totp/enroll', { token, body: { password: TEST_PASSWORD } })
    assert.equal(started.status, 200)
    assert.match(started.body.secret, /^[A-Z2-7]{32}$/)
    const uri = new URL(started.body.otpauthUri)
    assert.equal(uri.protocol, 'otpauth:')
    assert.equal(uri.searchParams.get('secret'), started.body.secret)
    assert.equal(decodeURIComponent(uri.pathname), `/GovShare:${user.username}`)
    const row = await t.db.selectFrom('userTotp').selectAll().where('userId', '=', user.id).executeTakeFirstOrThrow()
    assert.ok(!row.secretCiphertext.includes(started.body.secret), 'the secret is not stored in clear')
    assert.match(row.secretCiphertext, /^v1\./)
    assert.equal(row.confirmedAt, null)
    assert.deepEqual((await t.request('GET', '/api/v1/auth/totp', { token })).body, { enabled: false, pending: true, required: false })
    // The system administrator's user list says who signs in with a code: not yet (enrollment unconfirmed).
    const listed = async () =>
      (await t.request('GET', `/api/v1/users?q=${user.username}`, { token: world.tokens.sysAdmin })).body.items.find((u: { id: string }) => u.id === user.id)
    assert.equal((await listed()).totpEnabled, false)

    // Not yet confirmed: login does not ask for a code.
    assert.equal((await login(user.username)).status, 200)

    const bad = await t.request('POST', '/api/v1/auth/totp/confirm', {
      token,
      body: { code: '000000' === totpCode(started.body.secret, t.clock.now()) ? '111111' : '000000' },
    })
    assert.equal(bad.status, 400)
    assert.equal(bad.body.error.details[0].field, 'code')
    const ok = await t.request('POST', '/api/v1/auth/totp/confirm', { token, body: { code: totpCode(started.body.secret, t.clock.now()) } })
    assert.equal(ok.status, 200)
    assert.deepEqual(ok.body, { enabled: true, pending: false, required: false })
    const me = await t.request('GET', '/api/v1/auth/me', { token })
    assert.equal(me.body.totpEnabled, true)
    assert.equal((await listed()).totpEnabled, true)
    const again = await t.request('POST', '/api/v1/auth/totp/enroll', { token, body: { password: TEST_PASSWORD } })
    assert.equal(again.status, 409, 'a confirmed secret is not silently replaced')
    const audited = await t.db.selectFrom('auditEvents').select('action').where('objectId', '=', user.id).where('action', 'like', 'identity.totp.%').execute()
    assert.deepEqual(audited.map((a) => a.action).sort(), ['identity.totp.confirm', 'identity.totp.enroll'])
  })

  test('an enrolled user needs the code; a wrong, missing or replayed code is refused and counts toward lockout', async () => {
    const user = await buildUser(t.db, { orgId: world.deptA.id, roles: ['SYS_ADMIN'] })
    const secret = await enroll(t, await tokenFor(t.db, user, t.clock.now()))
    t.clock.advanceMinutes(1)

    const wrongPassword = await login(user.username, { password: 'Wrong@Pass1', totpCode: totpCode(secret, t.clock.now()) })
    assert.equal(wrongPassword.body.error.code, 'INVALID_CREDENTIALS', 'the code is not even looked at before the password')
    const missing = await login(user.username)
    assert.equal(missing.status, 401)
    assert.equal(missing.body.error.code, 'TOTP_REQUIRED')
    const wrong = await login(user.username, { totpCode: totpCode(secret, new Date(t.clock.now().getTime() + 5 * 60_000)) })
    assert.equal(wrong.status, 401)
    assert.equal(wrong.body.error.code, 'INVALID_TOTP')
    const failures = await t.db.selectFrom('users').select('failedLogins').where('id', '=', user.id).executeTakeFirstOrThrow()
    assert.equal(failures.failedLogins, 3)

    const code = totpCode(secret, t.clock.now())
    const ok = await login(user.username, { totpCode: code })
    assert.equal(ok.status, 200)
    assert.equal(ok.body.totpEnrollmentRequired, false)
    const replay = await login(user.username, { totpCode: code })
    assert.equal(replay.status, 401)
    assert.equal(replay.body.error.code, 'INVALID_TOTP')
    // The previous step's code is older than the one used: refused too.
    const older = await login(user.username, { totpCode: totpCode(secret, new Date(t.clock.now().getTime() - 30_000)) })
    assert.equal(older.body.error.code, 'INVALID_TOTP')
    t.clock.advanceMinutes(0.5)
    assert.equal((await login(user.username, { totpCode: totpCode(secret, t.clock.now()) })).status, 200)

    // Five code failures in a row lock the account like five wrong passwords.
    for (let i = 0; i < 5; i++) assert.equal((await login(user.username)).status, 401)
    t.clock.advanceMinutes(0.5)
    const locked = await login(user.username, { totpCode: totpCode(secret, t.clock.now()) })
    assert.equal(locked.status, 401, 'locked: the same answer as a wrong password')
    assert.equal(locked.body.error.code, 'INVALID_CREDENTIALS')
    t.clock.advanceMinutes(16)
  })

  test('a code from one step before or after is accepted (clock drift)', async () => {
    const user = await buildUser(t.db, { orgId: world.deptB.id, roles: ['APPROVER'] })
    const secret = await enroll(t, await tokenFor(t.db, user, t.clock.now()))
    t.clock.advanceMinutes(2)
    const ahead = await login(user.username, { totpCode: totpCode(secret, new Date(t.clock.now().getTime() + 30_000)) })
    assert.equal(ahead.status, 200)
    t.clock.advanceMinutes(2)
    const behind = await login(user.username, { totpCode: totpCode(secret, new Date(t.clock.now().getTime() - 30_000)) })
    assert.equal(behind.status, 200)
    t.clock.advanceMinutes(2)
    const tooOld = await login(user.username, { totpCode: totpCode(secret, new Date(t.clock.now().getTime() - 90_000)) })
    assert.equal(tooOld.body.error.code, 'INVALID_TOTP')
  })

  test('disabling needs a current code; an administrator can reset a lost device', async () => {
    const user = await buildUser(t.db, { orgId: world.deptA.id, roles: ['APPROVER'] })
    const token = await tokenFor(t.db, user, t.clock.now())
    const secret = await enroll(t, token)
    const replayed = await t.request('POST', '/api/v1/auth/totp/disable', { token, body: { code: totpCode(secret, t.clock.now()) } })
    assert.equal(replayed.status, 400, 'the code that confirmed enrollment cannot be used again')
    assert.ok(await t.db.selectFrom('userTotp').select('userId').where('userId', '=', user.id).executeTakeFirst())
    t.clock.advanceMinutes(0.5)
    const off = await t.request('POST', '/api/v1/auth/totp/disable', { token, body: { code: totpCode(secret, t.clock.now()) } })
    assert.equal(off.status, 200)
    assert.deepEqual(off.body, { enabled: false, pending: false, required: false })
    assert.equal((await login(user.username)).status, 200, 'no code needed any more')
    const notEnabled = await t.request('POST', '/api/v1/auth/totp/disable', { token, body: { code: '123456' } })
    assert.equal(notEnabled.status, 409)

    await enroll(t, token)
    t.clock.advanceMinutes(0.5)
    const reset = await t.request('PATCH', `/api/v1/users/${user.id}`, { token: world.tokens.sysAdmin, body: { resetTotp: true } })
    assert.equal(reset.status, 200)
    assert.equal(await t.db.selectFrom('userTotp').select('userId').where('userId', '=', user.id).executeTakeFirst(), undefined)
    assert.equal((await t.request('GET', '/api/v1/auth/me', { token })).status, 401, 'sessions end with the reset')
    assert.equal((await login(user.username)).status, 200)
  })

  test('a user of another department cannot be reset by a department administrator (it does not even see it)', async () => {
    const user = await buildUser(t.db, { orgId: world.deptB.id, roles: ['APPROVER'] })
    const res = await t.request('PATCH', `/api/v1/users/${user.id}`, { token: world.tokens.deptAdmin, body: { resetTotp: true } })
    assert.equal(res.status, 404)
  })
})

describe('TOTP mandatory for approvers and administrators', () => {
  let t: TestApp
  let world: World
  before(async () => {
    t = await buildTestApp({ config: { dataKey: DATA_KEY, totpRequired: true } })
    world = await buildWorld(t.db)
  })
  after(() => t.close())

  const login = (username: string, extra: Record<string, unknown> = {}) => loginWith(t, username, extra)

  test('an approver without TOTP gets a session that may only enroll, until the code is confirmed', async () => {
    const user = await buildUser(t.db, { orgId: world.deptA.id, roles: ['APPROVER'] })
    const first = await login(user.username)
    assert.equal(first.status, 200)
    assert.equal(first.body.totpEnrollmentRequired, true)
    const token = first.body.token
    const me = await t.request('GET', '/api/v1/auth/me', { token })
    assert.equal(me.status, 200)
    assert.equal(me.body.totpRequired, true)
    assert.equal(me.body.totpEnabled, false)
    const blocked = await t.request('GET', '/api/v1/share-requests', { token })
    assert.equal(blocked.status, 403)
    assert.equal(blocked.body.error.code, 'TOTP_ENROLLMENT_REQUIRED')

    const started = await t.request('POST', '/api/v1/auth/totp/enroll', { token, body: { password: TEST_PASSWORD } })
    assert.equal(started.status, 200)
    const confirmed = await t.request('POST', '/api/v1/auth/totp/confirm', { token, body: { code: totpCode(started.body.secret, t.clock.now()) } })
    assert.deepEqual(confirmed.body, { enabled: true, pending: false, required: true })
    assert.notEqual((await t.request('GET', '/api/v1/share-requests', { token })).status, 403, 'the same session is now a full one')

    const off = await t.request('POST', '/api/v1/auth/totp/disable', {
      token,
      body: { code: totpCode(started.body.secret, new Date(t.clock.now().getTime() + 30_000)) },
    })
    assert.equal(off.status, 409, 'mandatory TOTP cannot be turned off')
    t.clock.advanceMinutes(1)
    assert.equal((await login(user.username)).body.error.code, 'TOTP_REQUIRED')
    const full = await login(user.username, { totpCode: totpCode(started.body.secret, t.clock.now()) })
    assert.equal(full.body.totpEnrollmentRequired, false)
  })

  test('roles outside approver and administrator are not affected', async () => {
    const res = await login(world.users.requester.username)
    assert.equal(res.status, 200)
    assert.equal(res.body.totpEnrollmentRequired, false)
    assert.equal((await t.request('GET', '/api/v1/auth/me', { token: res.body.token })).body.totpRequired, false)
  })
})

describe('TOTP without a configured data key', () => {
  let t: TestApp
  let world: World
  before(async () => {
    t = await buildTestApp()
    world = await buildWorld(t.db)
  })
  after(() => t.close())

  test('enrollment is refused with a clear message and nothing is stored', async () => {
    const res = await t.request('POST', '/api/v1/auth/totp/enroll', { token: world.tokens.approver, body: { password: TEST_PASSWORD } })
    assert.equal(res.status, 409)
    assert.equal(res.body.error.code, 'INVALID_STATE')
    assert.match(res.body.error.message, /加密密钥/)
    assert.equal((await t.db.selectFrom('userTotp').select('userId').execute()).length, 0)
  })

  test('a secret sealed under another key is reported, not crashed on', async () => {
    const keyed = await buildTestApp({ config: { dataKey: DATA_KEY } })
    try {
      const w = await buildWorld(keyed.db)
      const secret = await enroll(keyed, w.tokens.approver)
      const rotated = await buildTestApp({ config: { dataKey: Buffer.alloc(32, 9) } })
      try {
        // Same rows, another key: copy the sealed secret into the second database.
        const row = await keyed.db.selectFrom('userTotp').selectAll().executeTakeFirstOrThrow()
        const w2 = await buildWorld(rotated.db)
        await rotated.db
          .insertInto('userTotp')
          .values({ userId: w2.users.approver.id, secretCiphertext: row.secretCiphertext, confirmedAt: new Date(), lastUsedStep: 0 })
          .execute()
        const res = await loginWith(rotated, w2.users.approver.username, { totpCode: totpCode(secret, rotated.clock.now()) })
        assert.equal(res.status, 409)
        assert.match(res.body.error.message, /无法解密/)
      } finally {
        await rotated.close()
      }
    } finally {
      await keyed.close()
    }
  })
})
