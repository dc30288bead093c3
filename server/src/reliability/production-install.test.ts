import assert from 'node:assert/strict'
import { execFileSync, spawnSync } from 'node:child_process'
import { randomBytes } from 'node:crypto'
import { copyFileSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { dirname, join } from 'node:path'
import { test } from 'node:test'
import pg from 'pg'
import { withUsccCheck } from '../../../common/uscc.ts'
import { publishResource } from '../testing/factories.ts'
import { PROJECT_ROOT, testDatabaseUrl, withDatabase } from '../testing/template.ts'
import { clientOf, http, startServer, stopServer } from './harness.ts'

/**
 * The README's production install, step by step, on a clean copy of the repository: `npm ci`, `npm run
 * build`, `npm prune --omit=dev`, the CLI's first steps, `npm run start:prod`, then the way from an empty
 * database to a published entry and a gateway call. On PostgreSQL the database starts empty (not the test
 * template), as an operator's does.
 */
const STEP_TIMEOUT_MS = 15 * 60_000
const PASSWORD = 'Prod@2026install'

test('a production install from the README reaches a published entry and a gateway call', { timeout: 40 * 60_000 }, async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'govshare-prod-'))
  const url = testDatabaseUrl()
  const dbName = `govshare_t_prod_${randomBytes(4).toString('hex')}`
  let server: Awaited<ReturnType<typeof startServer>> | null = null
  try {
    // A clean copy: exactly the files git tracks, as a fresh clone has them (no node_modules, dist or data).
    const files = execFileSync('git', ['ls-files', '-z'], { cwd: PROJECT_ROOT }).toString().split('\0').filter(Boolean)
    for (const file of files) {
      if (!existsSync(join(PROJECT_ROOT, file))) continue
      mkdirSync(dirname(join(dir, file)), { recursive: true })
      copyFileSync(join(PROJECT_ROOT, file), join(dir, file))
    }
    const run = (args: string[], env: Record<string, string> = {}) => {
      const result = spawnSync('npm', args, { cwd: dir, env: { ...process.env, ...env }, encoding: 'utf8', timeout: STEP_TIMEOUT_MS })
      assert.equal(result.status, 0, `npm ${args.join(' ')} failed:\n${result.stdout?.slice(-3000)}\n${result.stderr?.slice(-3000)}`)
      return result.stdout
    }
    // The packages come from npm's cache when it has them (CI installed the same lock just before).
    run(['ci', '--prefer-offline', '--no-audit', '--no-fund'])
    run(['run', 'build'])
    run(['prune', '--omit=dev', '--no-audit', '--no-fund'])
    for (const dev of ['tsx', 'vite', 'typescript', '@biomejs/biome', 'playwright-core']) {
      assert.ok(!existsSync(join(dir, 'node_modules', dev)), `${dev} is a dev dependency and must be gone after npm prune`)
    }
    assert.ok(existsSync(join(dir, 'dist/server/src/main.js')) && existsSync(join(dir, 'web/dist/index.html')))

    if (url) {
      const admin = new pg.Client({ connectionString: url })
      await admin.connect()
      await admin.query(`create database ${dbName}`)
      await admin.end()
    }
    const env: Record<string, string> = {
      ...(url ? { DATABASE_URL: withDatabase(url, dbName) } : { DATABASE_URL: '', GOVSHARE_DATA_DIR: join(dir, 'data/pglite'), GOVSHARE_DEMO: 'never' }),
      GOVSHARE_AUDIT_CHECKPOINT_DIR: join(dir, 'data/audit-checkpoints'),
      GOVSHARE_PASSWORD: PASSWORD,
      NODE_ENV: 'production',
    }
    // The CLI's first steps, as the README lists them (the output is the created object as JSON).
    const cli = (...args: string[]) => JSON.parse(run(['run', '--silent', 'govshare:prod', '--', ...args], env))
    const authority = cli(
      'init',
      '--org-name',
      '潍坊市大数据局',
      '--org-code',
      withUsccCheck('11370700MB0000001'),
      '--username',
      'admin',
      '--name',
      '系统管理员',
    ).org
    const mzj = cli('create-org', '--name', '潍坊市民政局', '--short-name', '市民政局', '--code', withUsccCheck('11370700MB0000002'))
    cli('create-org', '--name', '潍坊市人力资源和社会保障局', '--short-name', '市人社局', '--code', withUsccCheck('11370700MB0000003'))
    cli('create-user', '--username', 'authority', '--name', '李主管', '--org-name', '潍坊市大数据局', '--roles', 'AUTH_ADMIN')
    cli('create-user', '--username', 'mzj_cataloger', '--name', '王编目', '--org-name', '潍坊市民政局', '--roles', 'CATALOGER')
    cli('create-user', '--username', 'rsj_user', '--name', '赵申请', '--org-name', '潍坊市人力资源和社会保障局', '--roles', 'REQUESTER')
    assert.ok(authority.id && mzj.id)

    // `npm run start:prod` is `node dist/server/src/main.js`; the server is started without npm in between
    // so that the test's SIGTERM reaches it (npm does not always pass signals on to its child).
    const scripts = JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8')).scripts
    assert.equal(scripts['start:prod'], 'node dist/server/src/main.js')
    const started = performance.now()
    server = await startServer(env, { cwd: dir, command: [process.execPath, 'dist/server/src/main.js'] })
    const base = server.baseUrl
    let ready = await http(base, 'GET', '/api/health/ready')
    while (ready.status !== 200 && performance.now() - started < 60_000) ready = await http(base, 'GET', '/api/health/ready')
    assert.equal(ready.status, 200, JSON.stringify(ready.body))
    t.diagnostic(`production server ready in ${Math.round(performance.now() - started)} ms (${url ? 'PostgreSQL' : 'PGlite'})`)
    assert.equal((await http(base, 'GET', '/api/health')).body.status, 'ok')

    const login = async (username: string) => {
      const response = await http(base, 'POST', '/api/v1/auth/login', { body: { username, password: PASSWORD } })
      assert.equal(response.status, 200, JSON.stringify(response.body))
      return response.body.token as string
    }
    const tokens = { authAdmin: await login('authority'), cataloger: await login('mzj_cataloger'), requester: await login('rsj_user') }
    // The authority gives the department its 部门 class node (市直部门 → 潍坊市民政局).
    const node = await http(base, 'POST', '/api/v1/catalog/classes', {
      token: tokens.authAdmin,
      body: { parentCode: '301', code: '301001', name: '潍坊市民政局' },
    })
    assert.equal(node.status, 201, JSON.stringify(node.body))
    const lead = await http(base, 'PATCH', '/api/v1/catalog/classes/301001', { token: tokens.authAdmin, body: { leadOrgId: mzj.id } })
    assert.equal(lead.status, 200, JSON.stringify(lead.body))

    const client = clientOf(base)
    const resource = await publishResource(client, tokens, { classCode: '301001' })
    assert.equal(resource.status, 'published')
    const openItems = resource.items.filter((i: { shareType: number }) => i.shareType === 1).map((i: { id: string }) => i.id)

    const app = await http(base, 'POST', '/api/v1/apps', { token: tokens.requester, body: { name: '社保资格核验' } })
    assert.equal(app.status, 201, JSON.stringify(app.body))
    const request = await http(base, 'POST', '/api/v1/share-requests', {
      token: tokens.requester,
      body: {
        resourceId: resource.id,
        itemIds: openItems,
        purpose: '数据校核',
        dutyBasis: '《社会保险法》第八条：社会保险经办机构核定社会保险待遇',
        mode: 'api',
        appIds: [app.body.id],
      },
    })
    assert.equal(request.status, 201, JSON.stringify(request.body))
    assert.equal(request.body.status, 'granted', 'a request for 无条件 items only is granted at once')
    const issued = await http(base, 'POST', '/api/v1/gateway/token', { body: { appKey: app.body.appKey, appSecret: app.body.appSecret } })
    assert.equal(issued.status, 200, JSON.stringify(issued.body))
    const records = await http(base, 'GET', `/api/v1/gateway/resources/${resource.id}/records`, { token: issued.body.accessToken })
    assert.equal(records.status, 200, JSON.stringify(records.body))
    assert.equal(records.body.items.length, 1)

    const metrics = await http(base, 'GET', '/metrics')
    assert.match(String(metrics.body), /govshare_gateway_calls_total\{outcome="ok"\} 1/)
  } finally {
    if (server) await stopServer(server, 'SIGTERM')
    if (url) {
      const admin = new pg.Client({ connectionString: url })
      await admin.connect()
      await admin.query(`drop database if exists ${dbName} with (force)`)
      await admin.end()
    }
    rmSync(dir, { recursive: true, force: true })
  }
})
