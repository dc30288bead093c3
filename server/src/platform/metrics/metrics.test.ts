import assert from 'node:assert/strict'
import { randomUUID } from 'node:crypto'
import { after, before, describe, test } from 'node:test'
import { setTimeout as sleep } from 'node:timers/promises'
import { sql } from 'kysely'
import { buildTestApp, type TestApp } from '../../testing/test-app.ts'
import { loadConfig, parseMetricsAllow } from '../config/config.ts'
import { startScheduler } from '../jobs/scheduler.ts'

/** The value of one sample in Prometheus text (0 when the series does not exist yet). */
function sample(text: string, name: string, labels: Record<string, string> = {}): number {
  const wanted = Object.entries(labels).map(([k, v]) => `${k}="${v}"`)
  for (const line of text.split('\n')) {
    if (line.startsWith('#')) continue
    const match = /^([a-zA-Z_:][\w:]*)(?:\{(.*)\})? (\S+)$/.exec(line)
    if (!match || match[1] !== name) continue
    const have = (match[2] ?? '').split(/,(?=\w+=")/)
    if (wanted.every((pair) => have.includes(pair))) return Number(match[3])
  }
  return 0
}

describe('metrics and health probes', () => {
  let t: TestApp
  const scrape = async (headers: Record<string, string> = {}, on: TestApp = t) => {
    const response = await fetch(`${on.baseUrl}/metrics`, { headers })
    return { status: response.status, type: response.headers.get('content-type') ?? '', text: await response.text() }
  }

  before(async () => {
    t = await buildTestApp()
  })
  after(() => t.close())

  test('GET /metrics serves Prometheus text with per-route request counts and latencies', async () => {
    const first = await scrape()
    assert.equal(first.status, 200)
    assert.match(first.type, /^text\/plain; version=0\.0\.4/)
    const labels = { method: 'GET', route: '/api/v1/catalog/resources/:id' }
    const before = sample(first.text, 'govshare_http_requests_total', { ...labels, status: '401' })
    const beforeCount = sample(first.text, 'govshare_http_request_duration_seconds_count', labels)
    for (let i = 0; i < 3; i++) await t.request('GET', `/api/v1/catalog/resources/${randomUUID()}`)
    const second = await scrape()
    // The route pattern is the label: three different ids are one series.
    assert.equal(sample(second.text, 'govshare_http_requests_total', { ...labels, status: '401' }) - before, 3)
    assert.equal(sample(second.text, 'govshare_http_request_duration_seconds_count', labels) - beforeCount, 3)
    assert.ok(sample(second.text, 'govshare_http_request_duration_seconds_bucket', { ...labels, le: '+Inf' }) >= 3)
    assert.doesNotMatch(second.text, /route="\/api\/v1\/catalog\/resources\/[0-9a-f]{8}-/)
    // Default process metrics come along (memory, event loop).
    assert.ok(sample(second.text, 'govshare_process_resident_memory_bytes') > 0)
  })

  test('gateway record reads are counted per outcome', async () => {
    const beforeText = (await scrape()).text
    const before = sample(beforeText, 'govshare_gateway_calls_total', { outcome: 'unauthenticated' })
    const response = await t.request('GET', `/api/v1/gateway/resources/${randomUUID()}/records`)
    assert.equal(response.status, 401)
    const afterText = (await scrape()).text
    assert.equal(sample(afterText, 'govshare_gateway_calls_total', { outcome: 'unauthenticated' }) - before, 1)
    // The refused call is journaled like every call: its batch is counted.
    assert.ok(sample(afterText, 'govshare_call_journal_batch_size_count') > sample(beforeText, 'govshare_call_journal_batch_size_count'))
    // Other routes are not gateway calls.
    await t.request('GET', '/api/health')
    assert.equal(sample((await scrape()).text, 'govshare_gateway_calls_total', { outcome: 'unauthenticated' }) - before, 1)
  })

  test('background task runs are counted by task and result', async () => {
    const logger = { info() {}, error() {} } as unknown as Parameters<typeof startScheduler>[2]
    const stop = startScheduler(
      t.db,
      [
        { name: 'metrics-test-ok', intervalMs: 60_000, run: async () => 4 },
        {
          name: 'metrics-test-fail',
          intervalMs: 60_000,
          run: async () => {
            throw new Error('boom')
          },
        },
      ],
      logger,
    )
    try {
      let text = ''
      for (let i = 0; i < 40; i++) {
        await sleep(100)
        text = (await scrape()).text
        if (
          sample(text, 'govshare_job_runs_total', { task: 'metrics-test-fail', result: 'failed' }) > 0 &&
          sample(text, 'govshare_job_runs_total', { task: 'metrics-test-ok', result: 'ok' }) > 0
        )
          break
      }
      assert.equal(sample(text, 'govshare_job_runs_total', { task: 'metrics-test-ok', result: 'ok' }), 1)
      assert.equal(sample(text, 'govshare_job_items_total', { task: 'metrics-test-ok' }), 4)
      assert.equal(sample(text, 'govshare_job_runs_total', { task: 'metrics-test-fail', result: 'failed' }), 1)
      assert.equal(sample(text, 'govshare_job_runs_total', { task: 'metrics-test-fail', result: 'ok' }), 0)
    } finally {
      stop()
    }
  })

  test('database pool gauges: the PostgreSQL pool is counted, PGlite has none', async () => {
    const text = (await scrape()).text
    assert.match(text, /^govshare_db_pool_connections /m)
    if (t.dbKind === 'postgres') assert.ok(sample(text, 'govshare_db_pool_max_connections') >= 1)
    else assert.equal(sample(text, 'govshare_db_pool_max_connections'), 0)
    assert.match(text, /^# TYPE govshare_call_journal_batch_size histogram/m)
  })

  test('live answers while the process runs; ready needs the database and every migration', async () => {
    assert.deepEqual((await t.request('GET', '/api/health/live')).body, { status: 'live' })
    const ready = await t.request('GET', '/api/health/ready')
    assert.equal(ready.status, 200)
    assert.deepEqual(ready.body, { status: 'ready', database: 'ok', migrations: 'ok', pendingMigrations: 0 })
    // The old probe keeps its shape.
    assert.equal((await t.request('GET', '/api/health')).body.status, 'ok')

    const [last] = (await sql<{ name: string }>`select name from schema_migrations order by name desc limit 1`.execute(t.db)).rows
    await sql`delete from schema_migrations where name = ${last.name}`.execute(t.db)
    try {
      const notReady = await t.request('GET', '/api/health/ready')
      assert.equal(notReady.status, 503)
      assert.deepEqual(notReady.body, { status: 'not_ready', database: 'ok', migrations: 'pending', pendingMigrations: 1 })
      assert.equal((await t.request('GET', '/api/health/live')).status, 200)
    } finally {
      await sql`insert into schema_migrations (name) values (${last.name})`.execute(t.db)
    }
    assert.equal((await t.request('GET', '/api/health/ready')).status, 200)
  })
})

describe('who may scrape /metrics', () => {
  const token = 'metrics-token-0123456789abcdef'
  let t: TestApp
  before(async () => {
    // Loopback is not on this allow-list: only the token opens it.
    t = await buildTestApp({ config: { metricsAllow: ['10.0.0.0/8', '::2'], metricsToken: token } })
  })
  after(() => t.close())

  test('an address off the allow-list needs the token; a wrong or missing token gets 403', async () => {
    const get = async (authorization?: string) => {
      const response = await fetch(`${t.baseUrl}/metrics`, { headers: authorization ? { authorization } : {} })
      return { status: response.status, body: await response.text() }
    }
    const missing = await get()
    assert.equal(missing.status, 403)
    assert.equal(JSON.parse(missing.body).error.code, 'FORBIDDEN')
    assert.doesNotMatch(missing.body, /govshare_/)
    assert.equal((await get(`Bearer ${token}x`)).status, 403)
    assert.equal((await get(`Bearer ${token.slice(0, -1)}`)).status, 403)
    assert.equal((await get(`Basic ${token}`)).status, 403)
    assert.equal((await get(`Bearer ${token}`)).status, 200)
    assert.equal((await get(`bearer ${token}`)).status, 200)
  })

  test('the allow-list setting takes addresses and CIDR ranges only', () => {
    assert.deepEqual(loadConfig({}).metricsAllow, ['127.0.0.1', '::1'])
    assert.deepEqual(parseMetricsAllow('none'), [])
    assert.deepEqual(parseMetricsAllow(' 10.0.0.0/8, 192.168.1.7 ,fd00::/8'), ['10.0.0.0/8', '192.168.1.7', 'fd00::/8'])
    for (const bad of ['*', 'localhost', '10.0.0.0/33', '10.0.0.1/8/1', '::1/129', '10.0.0.0/x'])
      assert.throws(() => parseMetricsAllow(bad), /GOVSHARE_METRICS_ALLOW/, bad)
    assert.throws(() => loadConfig({ GOVSHARE_METRICS_TOKEN: 'short' }), /GOVSHARE_METRICS_TOKEN/)
  })
})
