import assert from 'node:assert/strict'
import { after, before, describe, test } from 'node:test'
import { buildApp } from '../../app.ts'
import { loadConfig } from '../../platform/config/config.ts'
import { buildWorld } from '../../testing/factories.ts'
import { type TestApp, buildTestApp } from '../../testing/test-app.ts'
import { assertError, createEntry } from '../mounts/test-helpers.ts'

type World = Awaited<ReturnType<typeof buildWorld>>

const HOSTS = '/api/v1/security/upstream-hosts'

describe('upstream allow-list kept by SEC_ADMIN', () => {
  let t: TestApp
  let w: World
  before(async () => {
    t = await buildTestApp()
    w = await buildWorld(t.db)
  })
  after(() => t.close())

  const rows = () => t.db.selectFrom('upstreamHosts').select(['host', 'port', 'note']).orderBy('host').execute()
  const audits = (action: string) =>
    t.db.selectFrom('auditEvents').select(['objectId', 'detail', 'result', 'actorId']).where('action', '=', action).orderBy('id').execute()

  test('SEC_ADMIN adds (canonical form), lists and removes entries; each change is audited with what changed', async () => {
    const added = await t.request('POST', HOSTS, { token: w.tokens.secAdmin, body: { host: ' API.WF.gov.cn. ', port: 8443, note: '市市场监管局企业登记接口' } })
    assert.equal(added.status, 201, JSON.stringify(added.body))
    assert.equal(added.body.host, 'api.wf.gov.cn')
    assert.equal(added.body.port, 8443)
    const range = await t.request('POST', HOSTS, { token: w.tokens.secAdmin, body: { host: '10.37.0.0/16', note: '政务云数据中心' } })
    assert.equal(range.status, 201, JSON.stringify(range.body))
    assert.equal(range.body.port, null)

    const listed = await t.request('GET', HOSTS, { token: w.tokens.secAdmin })
    assert.equal(listed.status, 200)
    assert.deepEqual(
      listed.body.items.map((i: { host: string; port: number | null }) => [i.host, i.port]),
      [
        ['10.37.0.0/16', null],
        ['api.wf.gov.cn', 8443],
      ],
    )
    assert.equal(listed.body.items[0].createdByName, '测试用户')

    const removed = await t.request('DELETE', `${HOSTS}/${range.body.id}`, { token: w.tokens.secAdmin })
    assert.equal(removed.status, 200, JSON.stringify(removed.body))
    assert.deepEqual(await rows(), [{ host: 'api.wf.gov.cn', port: 8443, note: '市市场监管局企业登记接口' }])
    assertError(await t.request('DELETE', `${HOSTS}/${range.body.id}`, { token: w.tokens.secAdmin }), 404, 'NOT_FOUND')

    const addAudits = await audits('security.upstream.add')
    assert.deepEqual(
      addAudits.map((a) => [a.objectId, a.detail, a.actorId]),
      [
        [added.body.id, { host: 'api.wf.gov.cn', port: 8443, note: '市市场监管局企业登记接口' }, w.users.secAdmin.id],
        [range.body.id, { host: '10.37.0.0/16', port: null, note: '政务云数据中心' }, w.users.secAdmin.id],
      ],
    )
    // The removal, then the second attempt on the removed entry: a 404 on a write route is an audited denial.
    const removeAudits = await audits('security.upstream.remove')
    assert.deepEqual(
      removeAudits.map((a) => [a.objectId, a.result, a.detail]),
      [
        [range.body.id, 'success', { host: '10.37.0.0/16', port: null, note: '政务云数据中心' }],
        [range.body.id, 'denied', { code: 'NOT_FOUND' }],
      ],
    )
  })

  test('bad entries → 400 naming the field, a duplicate → 409; nothing is stored', async () => {
    const before = await rows()
    const cases: [Record<string, unknown>, string, string][] = [
      [{ host: '127.0.0.1', note: '本机' }, 'VALIDATION_FAILED', 'host'],
      [{ host: 'localhost', note: '本机' }, 'VALIDATION_FAILED', 'host'],
      [{ host: '169.254.169.254', note: '元数据' }, 'VALIDATION_FAILED', 'host'],
      [{ host: '0.0.0.0/0', note: '全部' }, 'VALIDATION_FAILED', 'host'],
      [{ host: 'api.wf.gov.cn:8080', note: '端口写错位置' }, 'VALIDATION_FAILED', 'host'],
      [{ host: 'api.wf.gov.cn', port: 70000, note: '端口越界' }, 'VALIDATION_FAILED', 'port'],
      [{ host: 'api.wf.gov.cn' }, 'VALIDATION_FAILED', 'note'],
      [{ host: 'API.wf.gov.cn', port: 8443, note: '重复' }, 'CONFLICT', ''],
    ]
    for (const [body, code, field] of cases) {
      const res = await t.request('POST', HOSTS, { token: w.tokens.secAdmin, body })
      assertError(res, code === 'CONFLICT' ? 409 : 400, code)
      if (field)
        assert.ok(
          res.body.error.details.some((d: { field: string }) => d.field === field),
          JSON.stringify(res.body),
        )
    }
    assert.deepEqual(await rows(), before)
  })

  test('no other role reads or changes the list (403, audited as denied)', async () => {
    const before = await rows()
    const [entry] = (await t.request('GET', HOSTS, { token: w.tokens.secAdmin })).body.items
    for (const who of ['sysAdmin', 'auditor', 'authAdmin', 'deptAdmin', 'cataloger', 'approver', 'requester', 'nodeOperator'] as const) {
      assertError(await t.request('GET', HOSTS, { token: w.tokens[who] }), 403, 'FORBIDDEN')
      assertError(await t.request('POST', HOSTS, { token: w.tokens[who], body: { host: '10.9.0.0/16', note: '自行放行' } }), 403, 'FORBIDDEN')
      assertError(await t.request('DELETE', `${HOSTS}/${entry.id}`, { token: w.tokens[who] }), 403, 'FORBIDDEN')
    }
    assert.deepEqual(await rows(), before)
    const denied = await t.db.selectFrom('auditEvents').select('action').where('result', '=', 'denied').where('action', 'like', 'security.upstream.%').execute()
    assert.ok(denied.length >= 8, `${denied.length} denials audited`)
  })
})

describe('registering an upstream API: only listed hosts, never internal-only addresses', () => {
  let t: TestApp
  let w: World
  let resourceId: string
  before(async () => {
    t = await buildTestApp()
    w = await buildWorld(t.db)
    resourceId = await createEntry(t, w.tokens.cataloger, { formatClass: 7, formatType: 'RESTful', shareModes: ['api'] })
    for (const [host, port] of [
      ['api.wf.gov.cn', null],
      ['*.dc.wf.gov.cn', null],
      ['10.37.0.0/16', null],
      ['203.0.113.10', 8443],
    ] as const) {
      const res = await t.request('POST', HOSTS, { token: w.tokens.secAdmin, body: { host, port, note: '测试' } })
      assert.equal(res.status, 201, JSON.stringify(res.body))
    }
  })
  after(() => t.close())

  const register = (upstreamUrl: string) =>
    t.request('POST', `/api/v1/catalog/resources/${resourceId}/mounts/api`, { token: w.tokens.cataloger, body: { upstreamUrl } })
  const apiMounts = () => t.db.selectFrom('mounts').select('upstreamUrl').where('resourceId', '=', resourceId).where('kind', '=', 'api').execute()

  test('each class of bad upstream URL → 400 with a stable code and a message naming 接口地址; nothing is stored', async () => {
    const cases: [string, string, string][] = [
      // [class, URL, code]
      ['scheme', 'ftp://api.wf.gov.cn/data', 'VALIDATION_FAILED'],
      ['scheme', 'file:///etc/passwd', 'VALIDATION_FAILED'],
      ['credentials', 'http://user:secret@api.wf.gov.cn/', 'VALIDATION_FAILED'],
      ['credentials (userinfo@host trick)', 'http://api.wf.gov.cn@127.0.0.1/', 'VALIDATION_FAILED'],
      ['not listed', 'http://other.gov.cn/api', 'UPSTREAM_NOT_ALLOWED'],
      ['not listed (suffix trick)', 'http://api.wf.gov.cn.attacker.cn/api', 'UPSTREAM_NOT_ALLOWED'],
      ['not listed (port)', 'http://203.0.113.10/api', 'UPSTREAM_NOT_ALLOWED'],
      ['loopback', 'http://127.0.0.1:8080/api', 'UPSTREAM_NOT_ALLOWED'],
      ['loopback (decimal)', 'http://2130706433/', 'UPSTREAM_NOT_ALLOWED'],
      ['loopback (hex)', 'http://0x7f.1/', 'UPSTREAM_NOT_ALLOWED'],
      ['loopback (octal)', 'http://0177.0.0.1/', 'UPSTREAM_NOT_ALLOWED'],
      ['loopback (trailing dot)', 'http://127.0.0.1./', 'UPSTREAM_NOT_ALLOWED'],
      ['loopback (IPv6)', 'http://[::1]/', 'UPSTREAM_NOT_ALLOWED'],
      ['loopback (IPv4-mapped IPv6)', 'http://[::ffff:127.0.0.1]/', 'UPSTREAM_NOT_ALLOWED'],
      ['loopback (name, uppercase, trailing dot)', 'http://LOCALHOST./', 'UPSTREAM_NOT_ALLOWED'],
      ['link-local', 'http://169.254.10.1/', 'UPSTREAM_NOT_ALLOWED'],
      ['link-local (IPv6)', 'http://[fe80::1]/', 'UPSTREAM_NOT_ALLOWED'],
      ['metadata', 'http://169.254.169.254/latest/meta-data/', 'UPSTREAM_NOT_ALLOWED'],
      ['metadata (IPv6)', 'http://[fd00:ec2::254]/', 'UPSTREAM_NOT_ALLOWED'],
      ['metadata (name)', 'http://metadata.google.internal/computeMetadata/v1/', 'UPSTREAM_NOT_ALLOWED'],
      ['unspecified', 'http://0.0.0.0/', 'UPSTREAM_NOT_ALLOWED'],
      ['unspecified (IPv6)', 'http://[::]/', 'UPSTREAM_NOT_ALLOWED'],
      ['multicast', 'http://224.0.0.251/', 'UPSTREAM_NOT_ALLOWED'],
      ['private, not listed', 'http://10.1.2.3/api', 'UPSTREAM_NOT_ALLOWED'],
      ['private, not listed', 'http://172.16.5.4/api', 'UPSTREAM_NOT_ALLOWED'],
      ['private, not listed', 'http://192.168.1.10/api', 'UPSTREAM_NOT_ALLOWED'],
      ['private, not listed (IPv6)', 'http://[fc00::10]/api', 'UPSTREAM_NOT_ALLOWED'],
    ]
    for (const [kind, url, code] of cases) {
      const res = await register(url)
      assert.equal(res.status, 400, `${kind} ${url}: ${JSON.stringify(res.body)}`)
      assertError(res, 400, code)
      assert.match(res.body.error.details.find((d: { field: string }) => d.field === 'upstreamUrl')?.message ?? '', /接口地址/, `${kind} ${url}`)
    }
    assert.deepEqual(await apiMounts(), [])
  })

  test('listed hosts, domains and ranges are accepted', async () => {
    for (const url of ['https://API.wf.gov.cn./v1/orgs', 'http://svc.dc.wf.gov.cn/v1', 'http://10.37.1.20:8080/x', 'https://203.0.113.10:8443/q']) {
      const res = await register(url)
      assert.equal(res.status, 201, `${url}: ${JSON.stringify(res.body)}`)
    }
  })

  test('by default loopback is refused even when it is on the list, and the tests-only switch cannot be used outside the test runner', async () => {
    // An entry the rules would refuse today (a database carried over, or edited by hand).
    await t.db.insertInto('upstreamHosts').values({ host: '127.0.0.1', port: null, note: '手工写入' }).execute()
    assertError(await register('http://127.0.0.1:8080/api'), 400, 'UPSTREAM_NOT_ALLOWED')
    assert.equal(loadConfig({ GOVSHARE_UPSTREAM_LOOPBACK_FOR_TESTS: 'true', NODE_ENV: 'test' } as NodeJS.ProcessEnv).upstreamLoopbackForTests, false)
    assert.equal(t.config.upstreamLoopbackForTests, false)
    const testContext = process.env.NODE_TEST_CONTEXT
    delete process.env.NODE_TEST_CONTEXT
    try {
      await assert.rejects(
        buildApp({ db: t.db, dbKind: t.dbKind, config: { ...t.config, upstreamLoopbackForTests: true } }),
        /only allowed under the test runner/,
      )
    } finally {
      process.env.NODE_TEST_CONTEXT = testContext
    }
  })
})
