import assert from 'node:assert/strict'
import { mkdtempSync, readFileSync } from 'node:fs'
import type { AddressInfo } from 'node:net'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { after, before, describe, test } from 'node:test'
import Fastify from 'fastify'
import { type App, buildApp } from '../server/src/app.ts'
import { authPlugin } from '../server/src/platform/auth/plugin.ts'
import { loadConfig } from '../server/src/platform/config/config.ts'
import type { OpenDatabase } from '../server/src/platform/db/database.ts'
import { errorHandlerPlugin } from '../server/src/platform/http/error-handler.ts'
import { WEB_DIST_DIR, webConsolePlugin } from '../server/src/platform/http/web-console.ts'
import { openTestDatabase } from '../server/src/testing/test-db.ts'
import { ensureConsoleBuilt } from '../web/build-if-stale.ts'

/** How the server serves the built console (server/src/platform/http/web-console.ts). */
describe('the server serves the web console at /', () => {
  let database: OpenDatabase
  let app: App
  let base = ''

  before(async () => {
    ensureConsoleBuilt(() => undefined)
    database = await openTestDatabase()
    app = await buildApp({ db: database.db, dbKind: database.kind, config: loadConfig({}) })
    await app.listen({ host: '127.0.0.1', port: 0 })
    base = `http://127.0.0.1:${(app.server.address() as AddressInfo).port}`
  })
  after(async () => {
    await app?.close()
    await database?.close()
  })

  test('/ and client routes answer index.html, revalidated on every load', async () => {
    for (const path of ['/', '/workbench', '/catalog/8d5b7a3e-0000-4000-8000-000000000000', '/admin/calendar?year=2027']) {
      const response = await fetch(base + path)
      assert.equal(response.status, 200, path)
      assert.match(response.headers.get('content-type') ?? '', /text\/html/)
      assert.equal(response.headers.get('cache-control'), 'no-cache')
      assert.ok(response.headers.get('x-request-id'))
      assert.match(await response.text(), /<div id="root">/)
    }
  })

  test('hashed assets are sent pre-compressed and cached for a year', async () => {
    const index = readFileSync(join(WEB_DIST_DIR, 'index.html'), 'utf8')
    const script = /src="(\/assets\/[^"]+\.js)"/.exec(index)![1]
    const response = await fetch(base + script, { headers: { 'accept-encoding': 'gzip' } })
    assert.equal(response.status, 200)
    assert.equal(response.headers.get('content-encoding'), 'gzip')
    assert.match(response.headers.get('cache-control') ?? '', /max-age=31536000.*immutable/)
    assert.match(response.headers.get('content-type') ?? '', /javascript/)
  })

  test('unknown API paths and missing files keep the JSON 404 envelope', async () => {
    for (const path of ['/api/v1/no-such-thing', '/api/nothing', '/assets/old-build-1234.js', '/favicon.ico', '/%2e%2e/package.json']) {
      const response = await fetch(base + path)
      assert.equal(response.status, 404, path)
      const body = (await response.json()) as { error: { code: string; message: string } }
      assert.equal(body.error.code, 'NOT_FOUND', path)
      assert.match(body.error.message, /[\u4e00-\u9fff]/)
    }
    const api = await fetch(`${base}/api/health`)
    assert.equal(api.status, 200, 'API routes are untouched')
  })

  test('without a build, / explains in Chinese how to build the console', async () => {
    const bare = Fastify()
    bare.decorate('db', database.db)
    bare.decorate('config', loadConfig({}))
    bare.decorate('clock', () => new Date())
    await bare.register(errorHandlerPlugin)
    await bare.register(authPlugin)
    await bare.register(webConsolePlugin, { distDir: mkdtempSync(join(tmpdir(), 'govshare-no-dist-')) })
    const response = await bare.inject({ method: 'GET', url: '/catalog' })
    assert.equal(response.statusCode, 200)
    assert.match(response.body, /管理控制台尚未构建/)
    assert.match(response.body, /npm run build/)
    await bare.close()
  })
})
