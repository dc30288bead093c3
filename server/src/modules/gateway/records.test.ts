import assert from 'node:assert/strict'
import { createServer } from 'node:http'
import type { AddressInfo } from 'node:net'
import { after, before, describe, test } from 'node:test'
import fc from 'fast-check'
import { buildUser, buildWorld, itemInput, publishApiResource, publishResource, refreshTokens, tokenFor } from '../../testing/factories.ts'
import { type TestApp, buildTestApp } from '../../testing/test-app.ts'

type World = Awaited<ReturnType<typeof buildWorld>>

const item = itemInput
const PERSON_ITEMS = [
  item('公民身份号码', 'id_no', {
    length: 18,
    isPrimaryKey: true,
    sensitive: true,
    piCategory: 'sensitive_personal',
    shareType: 2,
    shareCondition: '用于身份核验',
  }),
  item('姓名', 'full_name', { sensitive: true, piCategory: 'personal', shareType: 2, shareCondition: '用于身份核验' }),
  item('手机号码', 'mobile', { sensitive: true, piCategory: 'personal', shareType: 2, shareCondition: '用于联系' }),
  item('银行卡号', 'bank_card', { sensitive: true, piCategory: 'sensitive_personal', shareType: 2, shareCondition: '用于发放补贴' }),
  item('户籍地址', 'address', { length: 200, sensitive: true, piCategory: 'personal', shareType: 2, shareCondition: '用于核对' }),
  item('出生日期', 'birth_date', { dataType: 'D', length: undefined, sensitive: true, piCategory: 'personal', shareType: 2, shareCondition: '用于核对' }),
  item('所属区县', 'county', { length: 20 }),
  item('救助类别', 'aid_type', { length: 20, shareType: 3, shareCondition: '涉及个人隐私' }),
]
const CSV_HEADER = 'id_no,full_name,mobile,bank_card,address,birth_date,county,aid_type'
const ROWS = [
  '370702199003071234,张三,13805361234,6222021234567890123,山东省潍坊市潍城区胜利西街1号,1990-03-07,潍城区,城市低保',
  '370705198512120021,欧阳娜娜,13905362222,6228480000111122223,山东省潍坊市奎文区东风东街8号,1985-12-12,奎文区,特困供养',
  '370783200101015678,李四,15666661111,6217000011112222333,潍坊市寿光市圣城街道100号,2001-01-01,寿光市,农村低保',
]

describe('data service gateway', () => {
  let t: TestApp
  let w: World
  let resource: any
  let grantId: string
  let accessToken: string
  let appId: string
  // The application log, captured: no personal data from the query may reach it.
  const logLines: string[] = []

  const itemId = (nameEn: string) => resource.items.find((i: any) => i.nameEn === nameEn).id
  const records = (query = '', token = accessToken, headers: Record<string, string> = {}) =>
    t.request('GET', `/api/v1/gateway/resources/${resource.id}/records${query}`, { headers: { authorization: `Bearer ${token}`, ...headers } })

  async function upload(csv: string) {
    const form = new FormData()
    form.append('file', new Blob([Buffer.from(csv, 'utf8')]), 'persons.csv')
    form.append('confirm', 'true') // a fixture's upload may replace rows mounted before: confirmed
    const res = await t.request('POST', `/api/v1/catalog/resources/${resource.id}/mounts/table`, { token: w.tokens.cataloger, body: form })
    assert.equal(res.status, 201, JSON.stringify(res.body))
  }

  async function newApp(token: string, name: string, ipAllowList: string[] = []) {
    const created = await t.request('POST', '/api/v1/apps', { token, body: { name, ipAllowList } })
    assert.equal(created.status, 201, JSON.stringify(created.body))
    const issued = await t.request('POST', '/api/v1/gateway/token', { body: { appKey: created.body.appKey, appSecret: created.body.appSecret } })
    assert.equal(issued.status, 200)
    return { app: created.body, token: issued.body.accessToken as string }
  }

  before(async () => {
    t = await buildTestApp({ logger: { level: 'info', stream: { write: (line: string) => void logLines.push(line) } } })
    w = await buildWorld(t.db)
    resource = await publishResource(t, w.tokens, { name: '城乡低保救助对象信息', shareModes: ['api', 'table'], items: PERSON_ITEMS })
    await upload([CSV_HEADER, ...ROWS].join('\n'))
    const made = await newApp(w.tokens.requester, '低保核对系统')
    accessToken = made.token
    appId = made.app.id
    const request = await t.request('POST', '/api/v1/share-requests', {
      token: w.tokens.requester,
      body: {
        resourceId: resource.id,
        itemIds: ['id_no', 'full_name', 'mobile', 'bank_card', 'address', 'birth_date', 'county'].map(itemId),
        purpose: '数据校核',
        dutyBasis: '社会救助家庭经济状况核对',
        mode: 'api',
        appIds: [appId],
        validUntil: '2026-12-31',
      },
    })
    assert.equal(request.status, 201, JSON.stringify(request.body))
    const decided = await t.request('POST', `/api/v1/share-requests/${request.body.id}/decision`, {
      token: w.tokens.approver,
      body: {
        decision: 'approve',
        itemIds: ['id_no', 'full_name', 'mobile', 'bank_card', 'address', 'birth_date', 'county'].map(itemId),
        masking: {
          [itemId('id_no')]: 'id_card',
          [itemId('full_name')]: 'name',
          [itemId('mobile')]: 'phone',
          [itemId('bank_card')]: 'bank_card',
          [itemId('address')]: 'address',
          [itemId('birth_date')]: 'birth_year',
        },
        rowFilter: { county: { in: ['潍城区', '奎文区'] } },
        rateLimitPerMinute: 20,
      },
    })
    assert.equal(decided.status, 200, JSON.stringify(decided.body))
    grantId = decided.body.grantId
  })
  after(() => t.close())

  test('the app reads exactly the granted items, masked, inside the row filter', async () => {
    const res = await records()
    assert.equal(res.status, 200, JSON.stringify(res.body))
    assert.equal(res.body.grantId, grantId)
    assert.equal(res.body.items.length, 2) // 寿光市 is outside the row filter
    assert.deepEqual(res.body.items[0], {
      id_no: '370702********1234',
      full_name: '张*',
      mobile: '138****1234',
      bank_card: '***************0123',
      address: '山东省潍坊市潍城区****',
      birth_date: '1990',
      county: '潍城区',
    })
    assert.equal(res.body.items[1].full_name, '欧阳**')
    assert.ok(!JSON.stringify(res.body).includes('aid_type'))
  })

  test('a lookup on an item in clear returns its records; on a masked item it is refused; unknown or ungranted keys are 400', async () => {
    const one = await records('?county=奎文区')
    assert.equal(one.status, 200)
    assert.equal(one.body.items.length, 1)
    assert.equal(one.body.items[0].id_no, '370705********0021')
    const outside = await records('?county=寿光市') // exists but outside the row filter
    assert.deepEqual(outside.body.items, [])
    // This grant names no lookup key: the masked 身份证号 cannot be probed (see masked-lookups.test.ts).
    const masked = await records('?id_no=370705198512120021')
    assert.equal(masked.status, 403)
    assert.equal(masked.body.error.code, 'LOOKUP_ON_MASKED_ITEM')
    for (const query of ['?aid_type=城市低保', '?nonsense=1', '?limit=0', '?limit=1001', "?county=' OR 1=1 --"]) {
      const res = await records(query)
      assert.ok(res.status === 400 || (res.status === 200 && res.body.items.length === 0), `${query} → ${res.status}`)
    }
  })

  test('the app secret is shown once; the list never shows it', async () => {
    const list = await t.request('GET', '/api/v1/apps', { token: w.tokens.requester })
    assert.equal(list.status, 200)
    assert.ok(list.body.items.length >= 1)
    assert.ok(list.body.items.every((a: any) => !('appSecret' in a) && !('secretHash' in a)))
    const wrong = await t.request('POST', '/api/v1/gateway/token', { body: { appKey: list.body.items[0].appKey, appSecret: 'wrong' } })
    assert.equal(wrong.status, 401)
  })

  test('without a token, with a user token, or for another department: refused with the API.md codes', async () => {
    assert.equal((await t.request('GET', `/api/v1/gateway/resources/${resource.id}/records`)).status, 401)
    assert.equal((await records('', w.tokens.requester)).status, 401) // a user session is not an app token
    const other = await buildUser(t.db, { orgId: w.authority.id, roles: ['REQUESTER'] })
    const { token } = await newApp(await tokenFor(t.db, other, t.clock.now()), '无授权应用')
    const denied = await records('', token)
    assert.equal(denied.status, 403)
    assert.equal(denied.body.error.code, 'NO_GRANT')
  })

  test('an IP outside the allow-list is refused', async () => {
    const { token } = await newApp(w.tokens.requester, '内网应用', ['10.0.0.0/8'])
    const res = await records('', token)
    assert.equal(res.status, 403)
    assert.equal(res.body.error.code, 'IP_NOT_ALLOWED')
    // An allowed address passes the IP check; this app is then refused only because the grant does not name it.
    const { token: allowed } = await newApp(w.tokens.requester, '本机应用', ['127.0.0.1', '::1'])
    assert.equal((await records('', allowed)).body.error.code, 'APP_NOT_GRANTED')
  })

  test('every call, allowed or denied, is in the call log and the audit chain; usage keeps the 办件号', async () => {
    const ok = await records('?county=潍城区', accessToken, { 'x-business-ref': 'BJ2026030200001' })
    assert.equal(ok.status, 200)
    const logs = await t.db.selectFrom('callLogs').selectAll().where('resourceId', '=', resource.id).orderBy('id').execute()
    assert.ok(logs.some((l) => l.result === 'success' && l.businessRef === 'BJ2026030200001' && l.rowsReturned === 1 && l.grantId === grantId))
    assert.ok(logs.some((l) => l.result === 'denied' && l.errorCode === 'NO_GRANT' && l.errorClass === '无调用权限'))
    const withTimes = logs.find((l) => l.result === 'success')!
    assert.ok(withTimes.upstreamOutAt && withTimes.upstreamInAt && new Date(withTimes.requestInAt) <= new Date(withTimes.responseOutAt))
    assert.ok(logs.every((l) => !String(l.paramsDigest).includes('370705198512120021'))) // probed in the lookup test
    const usage = await t.request('GET', `/api/v1/grants/${grantId}/usage`, { token: w.tokens.requester })
    assert.ok(usage.body.items.some((u: any) => u.businessRef === 'BJ2026030200001' && u.appId === appId))
    const providerView = await t.request('GET', '/api/v1/gateway/calls?box=provided', { token: w.tokens.approver })
    // Unauthenticated attempts are logged too, but the provider only sees calls of identified apps.
    assert.ok(providerView.body.total >= logs.filter((l) => l.providerOrgId).length)
    const consumerView = await t.request('GET', '/api/v1/gateway/calls?box=mine', { token: w.tokens.requester })
    assert.ok(consumerView.body.items.every((c: any) => c.consumerOrgId === w.deptB.id))
    const audited = await t.db.selectFrom('auditEvents').select('result').where('action', '=', 'gateway.records.read').execute()
    assert.ok(audited.some((a) => a.result === 'success') && audited.some((a) => a.result === 'denied'))
    const chain = await t.request('GET', '/api/v1/audit/verify', { token: w.tokens.auditor })
    assert.equal(chain.body.ok, true)
  })

  test('the application log shows no query value: gateway calls are in the call log only, other URLs keep parameter names', async () => {
    logLines.length = 0
    // Refused (a masked item is no lookup key here), which logs no more than a served call.
    assert.equal((await records('?id_no=370705198512120021&businessRef=BJ2026030200002')).status, 403)
    assert.equal((await records('?id_no=370702199003071234', 'not-a-token')).status, 401)
    const search = await t.request('GET', `/api/v1/catalog/resources?q=${encodeURIComponent('低保')}&page=1`, { token: w.tokens.requester })
    assert.equal(search.status, 200)
    const log = logLines.join('')
    for (const raw of ['370705198512120021', '370702199003071234', 'BJ2026030200002', encodeURIComponent('低保')])
      assert.ok(!log.includes(raw), `${raw} in the log`)
    // The records route logs warnings and errors only: its calls are in the sealed call log.
    assert.ok(!log.includes('/records'), log)
    const urls = logLines.map((line) => JSON.parse(line).req?.url).filter(Boolean)
    assert.ok(urls.includes('/api/v1/catalog/resources?q=*&page=*'), JSON.stringify(urls))
    const calls = await t.db
      .selectFrom('callLogs')
      .select(['result', 'errorCode'])
      .where('resourceId', '=', resource.id)
      .orderBy('id', 'desc')
      .limit(2)
      .execute()
    assert.deepEqual(calls.map((c) => c.errorCode).sort(), ['LOOKUP_ON_MASKED_ITEM', 'UNAUTHENTICATED'])
  })

  test('no raw value of a masked item ever appears in a gateway response (property)', async () => {
    const digits = (n: number) => fc.array(fc.integer({ min: 0, max: 9 }), { minLength: n, maxLength: n }).map((d) => d.join(''))
    const person = fc.record({
      id: digits(18),
      name: fc.constantFrom('王', '李', '张', '欧阳').chain((s) => fc.constantFrom('小明', '建国', '秀英', '娜').map((g) => s + g)),
      mobile: digits(11).map((d) => `1${d.slice(1)}`),
      card: digits(19),
      street: fc.constantFrom('胜利街', '东风街', '健康路'),
      birth: fc.date({ min: new Date('1940-01-01'), max: new Date('2020-12-31'), noInvalidDate: true }).map((d) => d.toISOString().slice(0, 10)),
    })
    await fc.assert(
      fc.asyncProperty(fc.uniqueArray(person, { minLength: 1, maxLength: 15, selector: (p) => p.id }), async (people) => {
        const csv = [
          CSV_HEADER,
          ...people.map((p) => `${p.id},${p.name},${p.mobile},${p.card},山东省潍坊市奎文区${p.street}${p.id.slice(0, 2)}号,${p.birth},奎文区,城市低保`),
        ].join('\n')
        await upload(csv)
        const res = await records('?limit=1000')
        assert.equal(res.status, 200)
        assert.equal(res.body.items.length, people.length)
        const text = JSON.stringify(res.body)
        for (const p of people) {
          for (const raw of [p.id, p.mobile, p.card, p.name, p.birth, p.street]) assert.ok(!text.includes(raw), `raw value ${raw} leaked`)
        }
      }),
      { numRuns: 8 },
    )
    await upload([CSV_HEADER, ...ROWS].join('\n'))
  })

  test('over the per-minute rate limit → 429, counted in the database', async () => {
    let limited = 0
    for (let i = 0; i < 25; i++) if ((await records('?limit=1')).status === 429) limited++
    assert.ok(limited >= 1)
    const res = await records('?limit=1')
    assert.equal(res.status, 429)
    assert.equal(res.body.error.code, 'RATE_LIMITED')
    t.clock.advanceMinutes(1)
    assert.equal((await records('?limit=1')).status, 200)
  })

  test('a revoked grant is refused with GRANT_INACTIVE; so is one past its validity', async () => {
    t.clock.set('2027-01-02T02:00:00Z') // after validUntil 2026-12-31
    await refreshTokens(t.db, w, t.clock.now())
    const { token } = await newApp(w.tokens.requester, '过期测试应用')
    const expired = await records('', token)
    assert.equal(expired.status, 403)
    assert.equal(expired.body.error.code, 'GRANT_INACTIVE')
    t.clock.set('2026-03-02T03:00:00Z')
    await refreshTokens(t.db, w, t.clock.now())
    await t.request('POST', `/api/v1/grants/${grantId}/revoke`, { token: w.tokens.approver, body: { reason: '核对工作结束' } })
    const revoked = await records()
    assert.equal(revoked.status, 403)
    assert.equal(revoked.body.error.code, 'GRANT_INACTIVE')
  })
})

describe('gateway over an upstream API mount', () => {
  let t: TestApp
  let w: World
  let upstream: ReturnType<typeof createServer>
  before(async () => {
    upstream = createServer((req, res) => {
      const url = new URL(req.url!, 'http://x')
      const all = [
        { uscc: '91370700MA3C000001', ent_name: '潍坊市甲公司', legal_rep: '王建国', status: '存续' },
        { uscc: '91370700MA3C000002', ent_name: '潍坊市乙公司', legal_rep: '李秀英', status: '注销' },
      ]
      const q = url.searchParams.get('uscc')
      res.setHeader('content-type', 'application/json')
      res.end(JSON.stringify({ items: q ? all.filter((r) => r.uscc === q) : all }))
    })
    await new Promise<void>((resolve) => upstream.listen(0, '127.0.0.1', resolve))
    // The upstream is a local server: loopback is allowed (when listed) only under the test runner.
    t = await buildTestApp({ config: { upstreamLoopbackForTests: true } })
    w = await buildWorld(t.db)
  })
  after(async () => {
    await t.close()
    upstream.close()
  })

  test('the gateway proxies the upstream with the same item whitelist, filter and masking', async () => {
    const { port } = upstream.address() as AddressInfo
    const upstreamApi = { upstreamUrl: `http://127.0.0.1:${port}/ent`, method: 'GET' as const, params: [{ name: 'uscc', required: false }], timeoutMs: 2000 }
    const resource = await publishApiResource(t, w.tokens, upstreamApi, [{ host: '127.0.0.1', port }], {
      name: '企业登记状态查询接口',
      shareCondition: undefined,
      shareBasis: undefined,
      items: [
        item('统一社会信用代码', 'uscc', { length: 18 }),
        item('企业名称', 'ent_name'),
        item('法定代表人', 'legal_rep', { sensitive: true, piCategory: 'personal' }),
        item('登记状态', 'status', { length: 10 }),
      ],
    })
    const ids = resource.items.filter((i: any) => i.nameEn !== 'status').map((i: any) => i.id)
    const created = await t.request('POST', '/api/v1/apps', { token: w.tokens.requester, body: { name: '一件事平台' } })
    const request = await t.request('POST', '/api/v1/share-requests', {
      token: w.tokens.requester,
      body: {
        resourceId: resource.id,
        itemIds: ids,
        purpose: '业务协同',
        dutyBasis: '企业开办一件事',
        mode: 'api',
        appIds: [created.body.id],
        validUntil: '2026-12-31',
      },
    })
    assert.equal(request.body.status, 'granted')
    const token = (await t.request('POST', '/api/v1/gateway/token', { body: { appKey: created.body.appKey, appSecret: created.body.appSecret } })).body
      .accessToken
    const res = await t.request('GET', `/api/v1/gateway/resources/${resource.id}/records?uscc=91370700MA3C000002`, {
      headers: { authorization: `Bearer ${token}` },
    })
    assert.equal(res.status, 200, JSON.stringify(res.body))
    assert.deepEqual(res.body.items, [{ uscc: '91370700MA3C000002', ent_name: '潍坊市乙公司', legal_rep: '李**' }])
  })
})
