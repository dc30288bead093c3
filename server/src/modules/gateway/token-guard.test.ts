import assert from 'node:assert/strict'
import { randomBytes } from 'node:crypto'
import { after, before, describe, test } from 'node:test'
import { hashPassword } from '../../platform/auth/passwords.ts'
import type { Config } from '../../platform/config/config.ts'
import { buildWorld } from '../../testing/factories.ts'
import { buildTestApp } from '../../testing/test-app.ts'
import { appSecretDigest } from './app-secrets.ts'

type World = Awaited<ReturnType<typeof buildWorld>>

async function setup(config: Partial<Config>) {
  const t = await buildTestApp({ config })
  const world = await buildWorld(t.db)
  const newApp = async () => {
    const created = await t.request('POST', '/api/v1/apps', { token: world.tokens.requester, body: { name: `应用${randomBytes(3).toString('hex')}` } })
    assert.equal(created.status, 201, JSON.stringify(created.body))
    return created.body as { id: string; appKey: string; appSecret: string }
  }
  const token = (appKey: string, appSecret: string) => t.request('POST', '/api/v1/gateway/token', { body: { appKey, appSecret } })
  const storedHash = async (id: string) => (await t.db.selectFrom('apps').select('secretHash').where('id', '=', id).executeTakeFirstOrThrow()).secretHash
  return { t, world: world as World, newApp, token, storedHash }
}

/** Issue 13 §8 / SPEC §8.2 S6: gateway/token is throttled before the secret is checked, and a flood costs little. */
describe('gateway/token under guessing and flooding', () => {
  let s: Awaited<ReturnType<typeof setup>>
  before(async () => {
    s = await setup({ tokenFailuresPerApp: 5, tokenFailuresPerIp: 1000 })
  })
  after(() => s.t.close())

  test('past the limit an app key gets 429 RATE_LIMITED (Retry-After, Chinese), even with the right secret; 200 wrong secrets cost one counter and a few audit events', async () => {
    const { t } = s
    t.clock.set('2026-03-02T02:00:00Z')
    const app = await s.newApp()
    const auditBefore = await t.db.selectFrom('auditEvents').select('id').where('action', '=', 'gateway.token.issue').execute()
    const statuses: number[] = []
    let last
    for (let i = 0; i < 200; i++) {
      last = await s.token(app.appKey, `wrong-${i}`)
      statuses.push(last.status)
    }
    assert.deepEqual(statuses.slice(0, 5), [401, 401, 401, 401, 401])
    assert.ok(
      statuses.slice(5).every((status) => status === 429),
      'every attempt past the 5th',
    )
    assert.equal(last!.body.error.code, 'RATE_LIMITED')
    assert.match(last!.body.error.message, /获取访问令牌失败次数过多，请 60 分钟后再试/)
    assert.equal(last!.headers.get('retry-after'), '3600')
    const right = await s.token(app.appKey, app.appSecret)
    assert.equal(right.status, 429, 'throttled before the secret is even checked')

    // The counter went one past the limit; every later attempt was refused from memory, without a query.
    const counter = await t.db.selectFrom('loginThrottle').select('failures').where('key', '=', `app:${app.appKey}`).executeTakeFirstOrThrow()
    assert.equal(counter.failures, 6)
    // The chain got the first refusal of each kind at once, the rest as one event with a count.
    const written = await t.db
      .selectFrom('auditEvents')
      .select('id')
      .where('action', '=', 'gateway.token.issue')
      .where('id', 'not in', auditBefore.length ? auditBefore.map((e) => e.id) : [0])
      .execute()
    assert.equal(written.length, 2, 'bad_secret and rate_limited, once each')
    await t.app.auditDenials.flush()
    const events = await t.db
      .selectFrom('auditEvents')
      .select(['detail', 'result'])
      .where('action', '=', 'gateway.token.issue')
      .where('result', '=', 'denied')
      .execute()
    const attempts = events.reduce((n, e) => n + ((e.detail as { repeated?: { count: number } }).repeated?.count ?? 1), 0)
    assert.equal(attempts, 201)
    assert.ok(events.length <= 4)

    t.clock.advanceMinutes(60)
    assert.equal((await s.token(app.appKey, app.appSecret)).status, 200, 'a new window')
  })

  test('one source address is limited across app keys, known or not', async () => {
    const other = await setup({ tokenFailuresPerApp: 0, tokenFailuresPerIp: 3 })
    try {
      other.t.clock.set('2026-03-02T02:00:00Z')
      const app = await other.newApp()
      for (let i = 0; i < 3; i++) assert.equal((await other.token(`gs-unknown-${i}`, 'whatever')).status, 401)
      const limited = await other.token(app.appKey, app.appSecret)
      assert.equal(limited.status, 429)
      assert.equal(limited.headers.get('retry-after'), '900')
      other.t.clock.advanceMinutes(15)
      assert.equal((await other.token(app.appKey, app.appSecret)).status, 200)
    } finally {
      await other.t.close()
    }
  })
})

describe('app secrets are stored as keyed SM3, not argon2', () => {
  test('without a data key: a new secret is an HMAC-SM3 digest; an argon2id hash from before works once and is replaced', async () => {
    const s = await setup({})
    try {
      const app = await s.newApp()
      assert.match(await s.storedHash(app.id), /^hmac-sm3\$none\$[0-9a-f]{64}$/)
      assert.equal((await s.token(app.appKey, app.appSecret)).status, 200)
      assert.equal((await s.token(app.appKey, `${app.appSecret}x`)).status, 401)

      // A secret issued before this change: stored as argon2id.
      const old = await s.newApp()
      const legacy = await hashPassword(old.appSecret)
      await s.t.db.updateTable('apps').set({ secretHash: legacy }).where('id', '=', old.id).execute()
      assert.equal((await s.token(old.appKey, 'wrong')).status, 401)
      assert.equal(await s.storedHash(old.id), legacy, 'a wrong secret changes nothing')
      assert.equal((await s.token(old.appKey, old.appSecret)).status, 200)
      const upgraded = await s.storedHash(old.id)
      assert.match(upgraded, /^hmac-sm3\$none\$[0-9a-f]{64}$/, 'replaced by its digest on first use')
      assert.equal((await s.token(old.appKey, old.appSecret)).status, 200, 'and still works')
      const rehashed = await s.t.db
        .selectFrom('auditEvents')
        .select('detail')
        .where('action', '=', 'gateway.token.issue')
        .where('appId', '=', old.id)
        .where('result', '=', 'success')
        .execute()
      assert.deepEqual(
        rehashed.map((e) => (e.detail as { secretRehashed?: boolean }).secretRehashed ?? false),
        [true, false],
      )

      // A rotated secret is a digest too, and the old one stops.
      const rotated = await s.t.request('POST', `/api/v1/apps/${old.id}/rotate-secret`, { token: s.world.tokens.requester })
      assert.equal(rotated.status, 200)
      assert.match(await s.storedHash(old.id), /^hmac-sm3\$none\$/)
      assert.equal((await s.token(old.appKey, old.appSecret)).status, 401)
      assert.equal((await s.token(old.appKey, rotated.body.appSecret)).status, 200)
    } finally {
      await s.t.close()
    }
  })

  test('with a data key: the digest is keyed by it; a digest made before the key was set works and is re-keyed', async () => {
    const s = await setup({ dataKey: randomBytes(32) })
    try {
      const app = await s.newApp()
      const stored = await s.storedHash(app.id)
      assert.match(stored, /^hmac-sm3\$[0-9a-f]{8}\$[0-9a-f]{64}$/)
      assert.doesNotMatch(stored, /\$none\$/)
      assert.equal((await s.token(app.appKey, app.appSecret)).status, 200)

      await s.t.db
        .updateTable('apps')
        .set({ secretHash: appSecretDigest(null, app.appSecret) })
        .where('id', '=', app.id)
        .execute()
      assert.equal((await s.token(app.appKey, app.appSecret)).status, 200)
      assert.equal(await s.storedHash(app.id), stored, 're-keyed under the data key')
    } finally {
      await s.t.close()
    }
  })
})
