import assert from 'node:assert/strict'
import { type IncomingMessage, type Server, type ServerResponse, createServer } from 'node:http'
import type { AddressInfo } from 'node:net'
import { after, before, describe, test } from 'node:test'
import { buildWorld, itemInput, publishApiResource } from '../../testing/factories.ts'
import { type TestApp, buildTestApp } from '../../testing/test-app.ts'

/**
 * The gateway's calls to upstream APIs (SSRF, issue 13 §4), against real HTTP servers on 127.0.0.1. Host
 * names are resolved by an injected resolver (no DNS server is asked, nothing but 127.0.0.1 is contacted).
 */

type World = Awaited<ReturnType<typeof buildWorld>>

const ROWS = [
  { uscc: '91370700MA3C000001', ent_name: '潍坊市甲公司' },
  { uscc: '91370700MA3C000002', ent_name: '潍坊市乙公司' },
]
// What a failing upstream might say: none of it may reach the caller.
const SECRET_BODY = 'ERROR at db 10.9.8.7:5432 user=etl password=hunter2 — stack: at Query.run (/srv/app/query.js:12)'

/** A local upstream with one behaviour per path; it counts what it was asked. */
async function startUpstream() {
  const hits: string[] = []
  const hosts: string[] = []
  const timers = new Set<NodeJS.Timeout>()
  let redirectTarget = ''
  const json = (res: ServerResponse, body: unknown) => {
    res.setHeader('content-type', 'application/json')
    res.end(JSON.stringify(body))
  }
  const routes: Record<string, (req: IncomingMessage, res: ServerResponse) => void> = {
    '/ok': (_req, res) => json(res, { items: ROWS }),
    '/redirect': (_req, res) => {
      res.writeHead(302, { location: redirectTarget })
      res.end()
    },
    '/big': (_req, res) => {
      // Chunked (no length given): cut off while streaming.
      res.writeHead(200, { 'content-type': 'application/json' })
      res.write('{"items":[')
      for (let i = 0; i < 64; i++) res.write(`${JSON.stringify({ uscc: String(i).padStart(18, '0'), ent_name: 'x'.repeat(2000) })},`)
      res.end('{}]}')
    },
    '/big-declared': (_req, res) => {
      res.writeHead(200, { 'content-type': 'application/json', 'content-length': String(50 * 1024 * 1024) })
      res.write('{"items":[')
    },
    '/slow': (_req, res) => {
      res.writeHead(200, { 'content-type': 'application/json' })
      res.write('{"items":[')
      const timer = setTimeout(() => res.end(']}'), 5000)
      timers.add(timer)
    },
    '/fail': (_req, res) => {
      res.writeHead(500, { 'content-type': 'text/plain' })
      res.end(SECRET_BODY)
    },
    '/not-json': (_req, res) => {
      res.writeHead(200, { 'content-type': 'text/html' })
      res.end(`<html>${SECRET_BODY}</html>`)
    },
  }
  const server: Server = createServer((req, res) => {
    const path = new URL(req.url!, 'http://x').pathname
    hits.push(path)
    hosts.push(String(req.headers.host))
    const route = routes[path]
    if (route) route(req, res)
    else json(res, { items: [] })
  })
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  const port = (server.address() as AddressInfo).port
  return {
    port,
    hits,
    hosts,
    setRedirectTarget: (url: string) => void (redirectTarget = url),
    async close() {
      for (const timer of timers) clearTimeout(timer)
      server.closeAllConnections()
      await new Promise((resolve) => server.close(resolve))
    },
  }
}

type Upstream = Awaited<ReturnType<typeof startUpstream>>

/** Name → addresses, as a DNS server would answer; names it does not know do not resolve. */
const resolverOf = (answers: Record<string, string[]>) => async (hostname: string) => {
  const found = answers[hostname.replace(/\.$/, '')]
  if (!found) throw Object.assign(new Error(`getaddrinfo ENOTFOUND ${hostname}`), { code: 'ENOTFOUND' })
  return found
}

/** Publishes a 接口 entry on `upstreamUrl`, has department B's request granted (无条件 items), returns its id. */
async function grantedApiEntry(t: TestApp, w: World, name: string, upstreamUrl: string, allow: { host: string; port?: number | null }[], timeoutMs = 2000) {
  const resource = await publishApiResource(t, w.tokens, { upstreamUrl, method: 'GET', params: [], timeoutMs }, allow, {
    name,
    shareCondition: undefined,
    shareBasis: undefined,
    items: [itemInput('统一社会信用代码', 'uscc', { length: 18 }), itemInput('企业名称', 'ent_name', { length: 200 })],
  })
  const app = await requesterApp(t, w)
  const request = await t.request('POST', '/api/v1/share-requests', {
    token: w.tokens.requester,
    body: {
      resourceId: resource.id,
      itemIds: resource.items.map((i: { id: string }) => i.id),
      purpose: '业务协同',
      dutyBasis: '企业开办一件事',
      mode: 'api',
      appIds: [app.id],
      validUntil: '2026-12-31',
    },
  })
  assert.equal(request.body.status, 'granted', JSON.stringify(request.body))
  return resource.id as string
}

/** Department B's one app, created once per test app: every grant names it (SPEC §7.6). */
const apps = new WeakMap<TestApp, Promise<{ id: string; appKey: string; appSecret: string }>>()
function requesterApp(t: TestApp, w: World) {
  if (!apps.has(t))
    apps.set(
      t,
      t.request('POST', '/api/v1/apps', { token: w.tokens.requester, body: { name: '一件事平台' } }).then((res) => res.body),
    )
  return apps.get(t)!
}

async function appToken(t: TestApp, w: World) {
  const created = await requesterApp(t, w)
  const issued = await t.request('POST', '/api/v1/gateway/token', { body: { appKey: created.appKey, appSecret: created.appSecret } })
  return issued.body.accessToken as string
}

describe('gateway → upstream API, with loopback allowed for the tests (listed explicitly)', () => {
  let t: TestApp
  let w: World
  let up: Upstream
  let elsewhere: Upstream
  let token: string
  const logLines: string[] = []
  const records = (resourceId: string) => t.request('GET', `/api/v1/gateway/resources/${resourceId}/records`, { headers: { authorization: `Bearer ${token}` } })

  before(async () => {
    up = await startUpstream()
    elsewhere = await startUpstream()
    t = await buildTestApp({
      config: { upstreamLoopbackForTests: true, upstreamMaxBytes: 64 * 1024, gatewayCacheMs: 0 },
      resolveHost: resolverOf({
        'upstream.test': ['127.0.0.1'],
        'internal.test': ['10.20.30.40'],
        'metadata.test': ['169.254.169.254'],
        'mixed.test': ['127.0.0.1', '169.254.169.254'],
      }),
      logger: { level: 'warn', stream: { write: (line: string) => void logLines.push(line) } },
    })
    w = await buildWorld(t.db)
    token = await appToken(t, w)
  })
  after(async () => {
    await t.close()
    await up.close()
    await elsewhere.close()
  })

  /** The upstream's loopback address on its port, and the test name, are what SEC_ADMIN lists. */
  const allowUp = () => [
    { host: '127.0.0.1', port: up.port },
    { host: 'upstream.test', port: up.port },
  ]

  test('a listed host works end to end; the connection goes to the checked address under the registered name', async () => {
    const id = await grantedApiEntry(t, w, '企业登记查询（正常）', `http://upstream.test:${up.port}/ok`, allowUp())
    const res = await records(id)
    assert.equal(res.status, 200, JSON.stringify(res.body))
    assert.deepEqual(res.body.items, ROWS)
    assert.equal(up.hosts.at(-1), `upstream.test:${up.port}`)

    // Removing the entry applies to the next call: the upstream is not asked again.
    const entries = (await t.request('GET', '/api/v1/security/upstream-hosts', { token: w.tokens.secAdmin })).body.items
    const byName = entries.find((e: { host: string }) => e.host === 'upstream.test')
    assert.equal((await t.request('DELETE', `/api/v1/security/upstream-hosts/${byName.id}`, { token: w.tokens.secAdmin })).status, 200)
    const asked = up.hits.length
    const refused = await records(id)
    assert.equal(refused.status, 502, JSON.stringify(refused.body))
    assert.equal(refused.body.error.code, 'UPSTREAM_FAILED')
    assert.equal(up.hits.length, asked)
    await t.request('POST', '/api/v1/security/upstream-hosts', { token: w.tokens.secAdmin, body: { host: 'upstream.test', port: up.port, note: '恢复' } })
    assert.equal((await records(id)).status, 200)
  })

  test('a listed name that resolves to a forbidden or unlisted internal address is refused before connecting', async () => {
    for (const name of ['internal.test', 'metadata.test', 'mixed.test']) {
      const id = await grantedApiEntry(t, w, `企业登记查询（${name}）`, `http://${name}:${up.port}/ok`, [...allowUp(), { host: name, port: up.port }])
      const asked = up.hits.length
      const res = await records(id)
      assert.equal(res.status, 502, `${name}: ${JSON.stringify(res.body)}`)
      assert.equal(res.body.error.code, 'UPSTREAM_FAILED')
      assert.equal(up.hits.length, asked, `${name}: the upstream was contacted`)
    }
    assert.ok(
      logLines.some((line) => line.includes('internal.test resolved to 10.20.30.40')),
      'the reason is in the server log',
    )
  })

  test('a redirect is not followed (here to an unlisted port on the same machine)', async () => {
    elsewhere.setRedirectTarget('')
    up.setRedirectTarget(`http://127.0.0.1:${elsewhere.port}/ok`)
    const id = await grantedApiEntry(t, w, '企业登记查询（跳转）', `http://127.0.0.1:${up.port}/redirect`, allowUp())
    const res = await records(id)
    assert.equal(res.status, 502, JSON.stringify(res.body))
    assert.equal(res.body.error.code, 'UPSTREAM_FAILED')
    assert.equal(up.hits.at(-1), '/redirect')
    assert.deepEqual(elsewhere.hits, [])
    assert.equal(JSON.stringify(res.body).includes(String(elsewhere.port)), false)
  })

  test('an answer over the size cap is cut off, whether declared or streamed', async () => {
    for (const path of ['/big', '/big-declared']) {
      const id = await grantedApiEntry(t, w, `企业登记查询（${path}）`, `http://127.0.0.1:${up.port}${path}`, allowUp())
      const started = Date.now()
      const res = await records(id)
      assert.equal(res.status, 502, `${path}: ${JSON.stringify(res.body)}`)
      assert.equal(res.body.error.code, 'UPSTREAM_FAILED')
      assert.ok(Date.now() - started < 1500, `${path} took ${Date.now() - started} ms`)
    }
    assert.ok(logLines.some((line) => line.includes('more than 65536 bytes')))
    assert.ok(logLines.some((line) => line.includes('cap 65536')))
  })

  test('a slow upstream is cut off at the registered timeout', async () => {
    const id = await grantedApiEntry(t, w, '企业登记查询（缓慢）', `http://127.0.0.1:${up.port}/slow`, allowUp(), 300)
    const started = Date.now()
    const res = await records(id)
    const took = Date.now() - started
    assert.equal(res.status, 504, JSON.stringify(res.body))
    assert.equal(res.body.error.code, 'UPSTREAM_TIMEOUT')
    assert.ok(took >= 250 && took < 2500, `took ${took} ms`)
  })

  test('upstream status codes and bodies never reach the caller; the call log and the server log keep the facts', async () => {
    for (const path of ['/fail', '/not-json']) {
      const id = await grantedApiEntry(t, w, `企业登记查询（${path}）`, `http://127.0.0.1:${up.port}${path}`, allowUp())
      const res = await records(id)
      assert.equal(res.status, 502)
      assert.deepEqual(res.body.error, { code: 'UPSTREAM_FAILED', message: '数据源暂时无法提供数据，请稍后再试或联系提供方' })
      const text = JSON.stringify(res.body)
      for (const leak of ['hunter2', '10.9.8.7', '500', 'html', 'query.js', String(up.port)])
        assert.equal(text.includes(leak), false, `${path} leaked ${leak}: ${text}`)
      const logged = await t.db.selectFrom('callLogs').select(['result', 'errorCode']).where('resourceId', '=', id).execute()
      assert.deepEqual(logged, [{ result: 'error', errorCode: 'UPSTREAM_FAILED' }])
    }
    assert.ok(logLines.some((line) => line.includes('upstream answered HTTP 500')))
    assert.equal(
      logLines.some((line) => line.includes('hunter2')),
      false,
      'the upstream body is not logged either',
    )
  })
})

describe('gateway → upstream API, default configuration', () => {
  let t: TestApp
  let w: World
  let up: Upstream

  before(async () => {
    up = await startUpstream()
    // DNS that answers 127.0.0.1 for a listed name: rebinding to the machine itself.
    t = await buildTestApp({ config: { gatewayCacheMs: 0 }, resolveHost: resolverOf({ 'rebind.test': ['127.0.0.1'] }) })
    w = await buildWorld(t.db)
  })
  after(async () => {
    await t.close()
    await up.close()
  })

  test('loopback cannot be listed, and a listed name resolving to loopback is refused at call time without connecting', async () => {
    const listLoopback = await t.request('POST', '/api/v1/security/upstream-hosts', { token: w.tokens.secAdmin, body: { host: '127.0.0.1', note: '本机' } })
    assert.equal(listLoopback.status, 400)
    const id = await grantedApiEntry(t, w, '企业登记查询（重绑定）', `http://rebind.test:${up.port}/ok`, [{ host: 'rebind.test' }])
    const token = await appToken(t, w)
    const res = await t.request('GET', `/api/v1/gateway/resources/${id}/records`, { headers: { authorization: `Bearer ${token}` } })
    assert.equal(res.status, 502, JSON.stringify(res.body))
    assert.equal(res.body.error.code, 'UPSTREAM_FAILED')
    assert.deepEqual(up.hits, [])
  })
})
