import assert from 'node:assert/strict'
import { spawnSync } from 'node:child_process'
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { after, before, describe, test } from 'node:test'
import { withUsccCheck } from '../../../common/uscc.ts'
import { type TestApp, buildTestApp } from '../testing/test-app.ts'
import { PROJECT_ROOT } from '../testing/template.ts'
import { CliError, createOrgCommand, createUserCommand, initCommand, parseArgs } from './commands.ts'

describe('govshare command-line tool', () => {
  let t: TestApp
  before(async () => {
    t = await buildTestApp()
  })
  after(() => t.close())

  test('init creates the authority and a system administrator who can log in', async () => {
    const code = withUsccCheck('11370700MB1234567')
    const { org, user } = await initCommand(t.db, { orgName: '潍坊市大数据局', orgCode: code, username: 'admin', name: '系统管理员', password: 'Admin@2026x' })
    assert.equal(org.name, '潍坊市大数据局')
    assert.deepEqual(user.roles, ['SYS_ADMIN'])
    const login = await t.request('POST', '/api/v1/auth/login', { body: { username: 'admin', password: 'Admin@2026x' } })
    assert.equal(login.status, 200)
    assert.deepEqual(login.body.user.roles, ['SYS_ADMIN'])
    const audit = await t.db.selectFrom('auditEvents').select('action').where('action', 'in', ['orgs.org.create', 'identity.user.create']).execute()
    assert.equal(audit.length, 2)
  })

  test('create-org and create-user validate like the API and refuse duplicates', async () => {
    await assert.rejects(createOrgCommand(t.db, { name: '潍坊市民政局', code: '11370700MB12345670' }), CliError)
    const org = await createOrgCommand(t.db, { name: '潍坊市民政局', code: withUsccCheck('11370700MB1234568') })
    await assert.rejects(createOrgCommand(t.db, { name: '潍坊市民政局', code: withUsccCheck('11370700MB1234569') }), /已存在/)
    await assert.rejects(createUserCommand(t.db, { username: 'mzj_user', name: '王芳', orgName: '潍坊市民政局', roles: 'REQUESTER', password: 'weak' }), /密码/)
    await assert.rejects(
      createUserCommand(t.db, { username: 'mzj_user', name: '王芳', orgName: '不存在的局', roles: 'REQUESTER', password: 'Strong@2026' }),
      /不存在/,
    )
    await assert.rejects(
      createUserCommand(t.db, { username: 'mzj_user', name: '王芳', orgName: '潍坊市民政局', roles: 'KING', password: 'Strong@2026' }),
      CliError,
    )
    // 三员分立 holds at the console too: no account holds two of the three, nor one of them with a data role.
    await assert.rejects(
      createUserCommand(t.db, { username: 'root2', name: '管理员', orgName: '潍坊市民政局', roles: 'SYS_ADMIN,AUDITOR', password: 'Strong@2026' }),
      /三员分立/,
    )
    await assert.rejects(
      createUserCommand(t.db, { username: 'root3', name: '管理员', orgName: '潍坊市民政局', roles: 'SEC_ADMIN,REQUESTER', password: 'Strong@2026' }),
      /三员分立/,
    )
    const user = await createUserCommand(t.db, {
      username: 'mzj_user',
      name: '王芳',
      orgName: '潍坊市民政局',
      roles: 'REQUESTER,CATALOGER',
      password: 'Strong@2026',
    })
    assert.deepEqual(user.roles, ['REQUESTER', 'CATALOGER'])
    assert.equal((await t.db.selectFrom('users').select('orgId').where('id', '=', user.id).executeTakeFirstOrThrow()).orgId, org.id)
  })

  test('create-org keeps every flag it accepts: short name, kind, type, region, parent', async () => {
    const parent = await createOrgCommand(t.db, {
      name: '潍坊市卫生健康委员会',
      code: withUsccCheck('11370700MB1234570'),
      shortName: '市卫健委',
      orgType: '事业单位',
    })
    const child = await createOrgCommand(t.db, {
      name: '潍坊市疾病预防控制中心',
      code: withUsccCheck('11370700MB1234571'),
      shortName: '市疾控',
      parentId: parent.id,
      region: '370700',
    })
    const rows = await t.db
      .selectFrom('orgs')
      .select(['id', 'shortName', 'orgType', 'parentId', 'regionCode', 'kind'])
      .where('id', 'in', [parent.id, child.id])
      .execute()
    const byId = new Map(rows.map((r) => [r.id, r]))
    assert.deepEqual(byId.get(parent.id), {
      id: parent.id,
      shortName: '市卫健委',
      orgType: '事业单位',
      parentId: null,
      regionCode: '370700',
      kind: 'department',
    })
    assert.deepEqual(byId.get(child.id), {
      id: child.id,
      shortName: '市疾控',
      orgType: '政府部门',
      parentId: parent.id,
      regionCode: '370700',
      kind: 'department',
    })
    // The API's checks hold here too: the same code twice, a parent in another region.
    await assert.rejects(createOrgCommand(t.db, { name: '另一个单位', code: withUsccCheck('11370700MB1234570') }), /已被其他单位使用/)
    await assert.rejects(
      createOrgCommand(t.db, { name: '昌乐县疾控', code: withUsccCheck('11370700MB1234572'), parentId: parent.id, region: '370725' }),
      /行政区划/,
    )
  })
})

describe('command-line flags', () => {
  test('every command refuses flags it does not know, repeated flags and flags without a value', () => {
    assert.deepEqual(parseArgs('create-org', ['--name', '市卫健委', '--short-name', '卫健委', '--org-type', '事业单位']), {
      name: '市卫健委',
      shortName: '卫健委',
      orgType: '事业单位',
    })
    assert.deepEqual(parseArgs('audit-archive', ['--dry-run', '--online-months', '7']), { dryRun: 'true', onlineMonths: '7' })
    assert.throws(() => parseArgs('create-org', ['--name', 'x', '--shortname', 'y']), /create-org 不接受参数 --shortname/)
    assert.throws(() => parseArgs('create-user', ['--username', 'a', '--role', 'REQUESTER']), /不接受参数 --role/)
    assert.throws(() => parseArgs('init', ['--org-name']), /--org-name 缺少取值/)
    assert.throws(() => parseArgs('init', ['--org-name', '--username', 'admin']), /--org-name 缺少取值/)
    assert.throws(() => parseArgs('init', ['--username', 'a', '--username', 'b']), /重复/)
    assert.throws(() => parseArgs('migrate', ['--force']), /migrate 不接受参数 --force/)
    assert.throws(() => parseArgs('create-org', ['name', 'x']), /无法识别的参数/)
    assert.throws(() => parseArgs('audit-verify', ['--dry-run']), /不接受参数 --dry-run/)
  })
})

test('the tool runs through npm on an embedded data directory', () => {
  const dir = mkdtempSync(join(tmpdir(), 'govshare-cli-'))
  try {
    const env = { ...process.env, GOVSHARE_DATA_DIR: join(dir, 'pglite'), DATABASE_URL: '', GOVSHARE_PASSWORD: 'Admin@2026x' }
    const run = (...args: string[]) =>
      spawnSync(process.execPath, ['--import', 'tsx', 'server/src/cli/main.ts', ...args], { cwd: PROJECT_ROOT, env, encoding: 'utf8', timeout: 120_000 })
    const init = run('init', '--org-name', '潍坊市大数据局', '--org-code', withUsccCheck('11370700MB7654321'), '--username', 'admin')
    assert.equal(init.status, 0, init.stderr)
    assert.match(init.stdout, /SYS_ADMIN/)
    const bad = run('create-user', '--username', 'x1')
    assert.equal(bad.status, 1)
    assert.match(bad.stderr, /name|姓名|orgId|单位/)
    // An unknown flag stops the tool before it changes anything.
    const typo = run('create-org', '--name', '潍坊市民政局', '--code', withUsccCheck('11370700MB7654322'), '--shortname', '民政局')
    assert.equal(typo.status, 1)
    assert.match(typo.stderr, /不接受参数 --shortname/)
    const org = run('create-org', '--name', '潍坊市民政局', '--code', withUsccCheck('11370700MB7654322'), '--short-name', '民政局')
    assert.equal(org.status, 0, org.stderr)
    assert.equal(JSON.parse(org.stdout).shortName, '民政局')
    const again = run('create-org', '--name', '潍坊市民政局', '--code', withUsccCheck('11370700MB7654323'))
    assert.equal(again.status, 1)
    assert.match(again.stderr, /已存在/)
    const usage = run()
    assert.equal(usage.status, 0)
    assert.match(usage.stdout, /create-user/)
  } finally {
    rmSync(dir, { recursive: true, force: true })
  }
})
