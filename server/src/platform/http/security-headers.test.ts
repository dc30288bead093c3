import assert from 'node:assert/strict'
import { after, before, describe, test } from 'node:test'
import { buildWorld } from '../../testing/factories.ts'
import { type ApiResponse, buildTestApp, type TestApp } from '../../testing/test-app.ts'
import { CONTENT_SECURITY_POLICY } from './security-headers.ts'

const ALLOWED = 'https://portal.weifang.example'

function assertSecurityHeaders(res: ApiResponse, where: string) {
  assert.equal(res.headers.get('content-security-policy'), CONTENT_SECURITY_POLICY, where)
  assert.equal(res.headers.get('x-content-type-options'), 'nosniff', where)
  assert.equal(res.headers.get('x-frame-options'), 'DENY', where)
  assert.equal(res.headers.get('referrer-policy'), 'no-referrer', where)
}

describe('HTTP hardening: headers, CORS, body limits', () => {
  let t: TestApp
  let world: Awaited<ReturnType<typeof buildWorld>>
  before(async () => {
    t = await buildTestApp({ config: { corsOrigins: [ALLOWED], hstsMaxAgeSeconds: 31_536_000 } })
    world = await buildWorld(t.db)
  })
  after(() => t.close())

  test('every kind of response carries the security headers; API answers are never cached', async () => {
    const cases: [string, ApiResponse][] = [
      ['health', await t.request('GET', '/api/health')],
      ['authenticated', await t.request('GET', '/api/v1/auth/me', { token: world.tokens.requester })],
      ['401', await t.request('GET', '/api/v1/users')],
      ['403', await t.request('GET', '/api/v1/users', { token: world.tokens.requester })],
      ['unknown API path', await t.request('GET', '/api/v1/no-such-thing')],
      ['400', await t.request('POST', '/api/v1/auth/login', { body: '{', headers: { 'content-type': 'application/json' } })],
    ]
    for (const [where, res] of cases) {
      assertSecurityHeaders(res, where)
      assert.equal(res.headers.get('cache-control'), 'no-store', where)
      assert.equal(res.headers.get('strict-transport-security'), 'max-age=31536000; includeSubDomains', where)
    }
    const policy = CONTENT_SECURITY_POLICY
    assert.match(policy, /frame-ancestors 'none'/)
    assert.match(policy, /script-src 'self'(;|$)/, 'no inline or eval script')
    assert.match(policy, /style-src 'self' 'unsafe-inline'/, 'antd writes inline styles')
  })

  test('the console page carries the same headers and keeps its own caching rule', async () => {
    const page = await t.request('GET', '/')
    assert.equal(page.status, 200)
    assertSecurityHeaders(page, 'console')
    assert.notEqual(page.headers.get('cache-control'), null)
    const deepLink = await t.request('GET', '/catalog/resources')
    assertSecurityHeaders(deepLink, 'console route')
  })

  test('Swagger UI still loads under the policy: no inline script, assets same-origin', async () => {
    const ui = await t.request('GET', '/api/docs/')
    assert.equal(ui.status, 200)
    assertSecurityHeaders(ui, 'swagger ui')
    const html = String(ui.body)
    const scripts = [...html.matchAll(/<script([^>]*)>([\s\S]*?)<\/script>/g)]
    assert.ok(scripts.length > 0)
    for (const [, attributes, inline] of scripts) {
      assert.match(attributes, /src="\.?\/?[^":]*"/, 'scripts come from this server')
      assert.equal(inline.trim(), '', 'no inline script (CSP script-src self)')
    }
    const initializer = await t.request('GET', '/api/docs/static/swagger-initializer.js')
    assert.equal(initializer.status, 200)
    assert.match(String(initializer.body), /validatorUrl: null/, 'no call to the external validator')
    assert.equal((await t.request('GET', '/api/openapi.json')).status, 200)
  })

  test('HSTS is not sent unless configured', async () => {
    const plain = await buildTestApp()
    try {
      const res = await plain.request('GET', '/api/health')
      assert.equal(res.headers.get('strict-transport-security'), null)
      assert.equal(res.headers.get('access-control-allow-origin'), null)
      assertSecurityHeaders(res, 'default config')
    } finally {
      await plain.close()
    }
  })

  test('CORS: only a configured origin is allowed, never with credentials', async () => {
    const allowed = await t.request('GET', '/api/v1/auth/me', { token: world.tokens.requester, headers: { origin: ALLOWED } })
    assert.equal(allowed.status, 200)
    assert.equal(allowed.headers.get('access-control-allow-origin'), ALLOWED)
    assert.match(allowed.headers.get('vary') ?? '', /Origin/)
    assert.match(allowed.headers.get('access-control-expose-headers') ?? '', /x-request-id/)
    assert.equal(allowed.headers.get('access-control-allow-credentials'), null)
    // An error must be readable by the allowed page too.
    const refused = await t.request('GET', '/api/v1/auth/me', { headers: { origin: ALLOWED } })
    assert.equal(refused.status, 401)
    assert.equal(refused.headers.get('access-control-allow-origin'), ALLOWED)

    for (const origin of ['https://evil.example', `${ALLOWED}.evil.example`, 'null', 'http://portal.weifang.example']) {
      const res = await t.request('GET', '/api/v1/auth/me', { token: world.tokens.requester, headers: { origin } })
      assert.equal(res.headers.get('access-control-allow-origin'), null, origin)
    }
  })

  test('CORS preflight: answered without a token for allowed origins, refused for others', async () => {
    const preflight = (origin: string, method = 'POST', headers = 'authorization, content-type') =>
      t.request('OPTIONS', '/api/v1/share-requests', {
        headers: { origin, 'access-control-request-method': method, 'access-control-request-headers': headers },
      })
    const ok = await preflight(ALLOWED)
    assert.equal(ok.status, 204)
    assert.equal(ok.headers.get('access-control-allow-origin'), ALLOWED)
    assert.match(ok.headers.get('access-control-allow-methods') ?? '', /POST/)
    assert.match(ok.headers.get('access-control-allow-headers') ?? '', /authorization/)
    assert.ok(Number(ok.headers.get('access-control-max-age')) > 0)

    const foreign = await preflight('https://evil.example')
    assert.equal(foreign.status, 403)
    assert.equal(foreign.body.error.code, 'FORBIDDEN')
    assert.equal(foreign.headers.get('access-control-allow-origin'), null)
    assert.equal((await preflight(ALLOWED, 'TRACE')).status, 403)
    assert.equal((await preflight(ALLOWED, 'POST', 'x-custom-thing')).status, 403)

    const plainOptions = await t.request('OPTIONS', '/api/v1/users')
    assert.equal(plainOptions.status, 204)
    assert.equal(plainOptions.headers.get('access-control-allow-origin'), null)
  })

  test('a JSON body over the limit is 413 with the envelope; deep nesting is a 400, never a 500', async () => {
    const big = JSON.stringify({ username: 'a', password: 'x'.repeat(t.config.bodyLimitBytes + 10) })
    const tooLarge = await t.request('POST', '/api/v1/auth/login', { body: big, headers: { 'content-type': 'application/json' } })
    assert.equal(tooLarge.status, 413)
    assert.equal(tooLarge.body.error.code, 'PAYLOAD_TOO_LARGE')
    assert.match(tooLarge.body.error.message, /请求体过大/)
    const bigToo = await t.request('POST', '/api/v1/orgs', { token: world.tokens.sysAdmin, body: { name: 'x'.repeat(2_000_000) } })
    assert.equal(bigToo.status, 413)

    for (const depth of [1_000, 100_000]) {
      const deep = `${'['.repeat(depth)}${']'.repeat(depth)}`
      const res = await t.request('POST', '/api/v1/users', { token: world.tokens.sysAdmin, body: deep, headers: { 'content-type': 'application/json' } })
      assert.ok(res.status === 400 || res.status === 413, `depth ${depth}: ${res.status}`)
      assert.match(res.body.error.code, /^(VALIDATION_FAILED|PAYLOAD_TOO_LARGE)$/)
    }
    const deepObject = `${'{"a":'.repeat(5_000)}1${'}'.repeat(5_000)}`
    const res = await t.request('POST', '/api/v1/auth/login', { body: deepObject, headers: { 'content-type': 'application/json' } })
    assert.equal(res.status, 400)
  })

  test('a smaller configured body limit applies', async () => {
    const small = await buildTestApp({ config: { bodyLimitBytes: 1024 } })
    try {
      const res = await small.request('POST', '/api/v1/auth/login', { body: { username: 'admin', password: 'p'.repeat(2000) } })
      assert.equal(res.status, 413)
      assert.equal(res.body.error.code, 'PAYLOAD_TOO_LARGE')
    } finally {
      await small.close()
    }
  })
})
