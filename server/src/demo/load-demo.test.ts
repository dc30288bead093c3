import assert from 'node:assert/strict'
import { after, before, describe, test } from 'node:test'
import { COUNTIES } from '../../../common/regions.ts'
import { usccProblem } from '../../../common/uscc.ts'
import { buildTestApp, type TestApp } from '../testing/test-app.ts'
import { DEMO_ENTRIES } from './catalog-entries.ts'
import { CATALOG_END } from './catalog-loader.ts'
import { type DemoSummary, loadDemo } from './load-demo.ts'
import { DEMO_ORGS } from './orgs.ts'
import { DEMO_PASSWORD, DEMO_USERS } from './users.ts'
import { oneSourceWarnings } from '../modules/elements/index.ts'

/** The Weifang demo (API.md "Demo data"): well-formed data, and what a user of the demo sees over HTTP. */

const API_MD_USERS = [
  { username: 'admin', orgName: '潍坊市大数据局', roles: ['SYS_ADMIN'] },
  { username: 'authority', orgName: '潍坊市大数据局', roles: ['AUTH_ADMIN'] },
  { username: 'auditor', orgName: '潍坊市大数据局', roles: ['AUDITOR'] },
  { username: 'gaj_cataloger', orgName: '潍坊市公安局', roles: ['CATALOGER'] },
  { username: 'gaj_approver', orgName: '潍坊市公安局', roles: ['APPROVER'] },
  { username: 'scj_cataloger', orgName: '潍坊市市场监督管理局', roles: ['CATALOGER'] },
  { username: 'scj_approver', orgName: '潍坊市市场监督管理局', roles: ['APPROVER'] },
  { username: 'mzj_user', orgName: '潍坊市民政局', roles: ['REQUESTER'] },
  { username: 'rsj_user', orgName: '潍坊市人力资源和社会保障局', roles: ['REQUESTER'] },
  { username: 'wcq_user', orgName: '潍坊市潍城区民政局', roles: ['REQUESTER'] },
]

const CITY_DEPARTMENTS = [
  '潍坊市公安局',
  '潍坊市民政局',
  '潍坊市人力资源和社会保障局',
  '潍坊市市场监督管理局',
  '潍坊市自然资源和规划局',
  '潍坊市住房和城乡建设局',
  '潍坊市卫生健康委员会',
  '潍坊市教育局',
  '潍坊市发展和改革委员会',
  '潍坊市医疗保障局',
  '潍坊市生态环境局',
]

describe('demo data', () => {
  test('orgs carry valid credit codes of government organs and county departments hang under their county', () => {
    for (const org of DEMO_ORGS) {
      if (org.kind === 'region') {
        assert.equal(org.code, null)
        continue
      }
      assert.equal(usccProblem(org.code!), null, org.name)
      assert.ok(org.code!.startsWith(`11${org.regionCode}`), org.name)
      const parent = DEMO_ORGS.find((o) => o.key === org.parentKey)
      if (parent) assert.equal(parent.regionCode, org.regionCode, org.name)
    }
    assert.equal(new Set(DEMO_ORGS.map((o) => o.name)).size, DEMO_ORGS.length)
  })

  test('usernames are unique and every user has a name and an 11-digit mobile', () => {
    assert.equal(new Set(DEMO_USERS.map((u) => u.username)).size, DEMO_USERS.length)
    for (const user of DEMO_USERS) {
      assert.match(user.name, /^[\u4e00-\u9fff]{2,4}$/, user.username)
      assert.match(user.mobile, /^1\d{10}$/, user.username)
    }
  })

  test('entries have abstracts of 30–120 characters, snake_case column names and one timestamp when structured', () => {
    for (const entry of DEMO_ENTRIES) {
      const length = [...entry.abstract].length
      assert.ok(length >= 30 && length <= 120, `「${entry.name}」 abstract has ${length} characters`)
      for (const item of entry.items ?? []) assert.match(item.nameEn ?? '', /^[a-z][a-z0-9_]*$/, `「${entry.name}」${item.name}`)
      if (entry.formatClass === 2 || entry.formatClass === 3) {
        assert.equal((entry.items ?? []).filter((item) => item.isTimestamp).length, 1, `「${entry.name}」 timestamp items`)
      }
    }
  })
})

describe('the demo loaded into an empty database, seen over HTTP', () => {
  let t: TestApp
  let summary: DemoSummary
  const tokens: Record<string, string> = {}

  before(async () => {
    t = await buildTestApp()
    summary = await loadDemo(t.db, t.config)
    for (const username of ['mzj_user', 'authority', 'auditor', 'gaj_cataloger']) {
      const res = await t.request('POST', '/api/v1/auth/login', { body: { username, password: DEMO_PASSWORD } })
      assert.equal(res.status, 200, JSON.stringify(res.body))
      tokens[username] = res.body.token
    }
  })
  after(() => t.close())

  const search = (username: string, query: Record<string, string>) =>
    t.request('GET', `/api/v1/catalog/resources?${new URLSearchParams({ pageSize: '200', ...query })}`, { token: tokens[username] })

  test('the summary counts what was loaded', () => {
    assert.equal(summary.orgs, DEMO_ORGS.length)
    assert.equal(summary.users, DEMO_USERS.length)
    assert.equal(summary.resources, DEMO_ENTRIES.length)
    assert.ok(summary.resources >= 70)
    assert.ok(summary.byClass['1'] >= 12 && summary.byClass['2'] >= 10, JSON.stringify(summary.byClass))
  })

  test('every API.md demo user logs in with the demo password', async () => {
    for (const expected of API_MD_USERS) {
      const res = await t.request('POST', '/api/v1/auth/login', { body: { username: expected.username, password: 'Govshare@2026' } })
      assert.equal(res.status, 200, `${expected.username}: ${JSON.stringify(res.body)}`)
      assert.equal(res.body.user.orgName, expected.orgName, expected.username)
      assert.deepEqual(res.body.user.roles, expected.roles, expected.username)
    }
  })

  test('the orgs list has the authority, the city departments and the 12 counties', async () => {
    const res = await t.request('GET', '/api/v1/orgs?pageSize=200', { token: tokens.mzj_user })
    assert.equal(res.status, 200, JSON.stringify(res.body))
    const byName = new Map<string, any>(res.body.items.map((org: any) => [org.name, org]))
    assert.equal(byName.get('潍坊市大数据局')?.kind, 'authority')
    for (const name of CITY_DEPARTMENTS) {
      assert.equal(byName.get(name)?.kind, 'department', name)
      assert.equal(byName.get(name)?.regionCode, '370700', name)
    }
    for (const county of COUNTIES) {
      assert.equal(byName.get(county.name)?.kind, 'region', county.name)
      assert.equal(byName.get(county.name)?.regionCode, county.code, county.name)
    }
    const wcq = byName.get('潍坊市潍城区民政局')
    assert.equal(wcq?.parentId, byName.get('潍城区')?.id)
    assert.equal(wcq?.regionCode, '370702')
  })

  test('a requester sees at least 60 published entries, in every class, and finds 户籍', async () => {
    const published = await search('mzj_user', { status: 'published', pageSize: '1' })
    assert.equal(published.status, 200, JSON.stringify(published.body))
    assert.ok(published.body.total >= 60, `published: ${published.body.total}`)
    for (const classCode of ['1', '2', '3']) {
      const res = await search('mzj_user', { status: 'published', classCode, pageSize: '1' })
      assert.ok(res.body.total > 0, `class ${classCode}`)
    }
    const found = await search('mzj_user', { q: '户籍' })
    assert.equal(found.status, 200, JSON.stringify(found.body))
    assert.ok(found.body.items.some((r: any) => r.name === '户籍登记信息' && r.status === 'published'))
  })

  test('一数一源: a county draft that collects 公民身份号码 itself is flagged against 人口基础信息 of 市公安局', async () => {
    // A draft is its department's own (no demo account of 昌邑市民政局): the warning its cataloger sees.
    const draft = await t.db
      .selectFrom('resourceVersions')
      .select(['resourceId', 'providerOrgId', 'items', 'status'])
      .where('name', '=', '昌邑市特困人员供养信息')
      .where('isLatest', '=', true)
      .executeTakeFirstOrThrow()
    assert.ok(draft.items.some((i) => i.dataElementRef === 'GB 11643-1999 公民身份号码'))
    const warnings = await oneSourceWarnings(t.db, draft)
    const warning = warnings.find((w) => w.itemName === '公民身份号码')
    assert.ok(warning, JSON.stringify(warnings))
    assert.match(warning.message, /数源部门/)
    assert.match(warning.message, /公安/)
  })

  test('drafts of 市公安局 are its own: hidden from other departments and from the authority until submitted', async () => {
    const orgs = await t.request('GET', `/api/v1/orgs?q=${encodeURIComponent('潍坊市公安局')}`, { token: tokens.mzj_user })
    const gaj = orgs.body.items.find((org: any) => org.name === '潍坊市公安局')
    const drafts = await search('gaj_cataloger', { providerOrgId: gaj.id, status: 'draft' })
    const neverPublished = drafts.body.items.filter((r: any) => r.publishedVersion === null)
    assert.ok(neverPublished.length >= 1, JSON.stringify(drafts.body))
    for (const draft of neverPublished) {
      for (const username of ['mzj_user', 'authority']) {
        const res = await t.request('GET', `/api/v1/catalog/resources/${draft.id}`, { token: tokens[username] })
        assert.equal(res.status, 404, `${username}: ${draft.name}`)
      }
    }
    const seenByRequester = await search('mzj_user', { providerOrgId: gaj.id })
    assert.ok(seenByRequester.body.items.every((r: any) => r.status === 'published'))
  })

  test('every lifecycle state exists, with comments, reasons and version history', async () => {
    const count = async (status: string) => (await search('authority', { status })).body.items
    // Drafts are their departments' own (the authority sees submissions): counted in the database.
    const drafts = await t.db
      .selectFrom('resourceVersions as v')
      .select(['v.resourceId', 'v.name', 'v.version'])
      .where('v.isLatest', '=', true)
      .where('v.status', '=', 'draft')
      .select((eb) =>
        eb
          .exists(eb.selectFrom('resourceVersions as p').select('p.id').whereRef('p.resourceId', '=', 'v.resourceId').where('p.isPublished', '=', true))
          .as('published'),
      )
      .execute()
    const revised = drafts.filter((r) => r.published).map((r) => ({ id: r.resourceId, name: r.name, version: r.version }))
    assert.ok(drafts.length - revised.length >= 3, 'drafts never published')
    assert.ok(revised.length >= 3, 'published entries with a newer draft')
    assert.ok((await count('pending_review')).length >= 3)
    const returned = await count('returned')
    assert.ok(returned.length >= 2 && returned.every((r: any) => r.reviewComment), JSON.stringify(returned.map((r: any) => r.reviewComment)))
    const withdrawn = await count('withdrawn')
    assert.ok(withdrawn.length >= 2 && withdrawn.every((r: any) => r.withdrawnReason))
    assert.ok((await count('published')).length >= 55)

    // The requester still sees the published version of an entry edited after publication.
    const edited = revised.find((r) => r.name === '户籍登记信息')!
    const seen = await t.request('GET', `/api/v1/catalog/resources/${edited.id}`, { token: tokens.mzj_user })
    assert.equal(seen.body.status, 'published')
    assert.ok(seen.body.version < edited.version)
    const versions = await t.request('GET', `/api/v1/catalog/resources/${edited.id}/versions`, { token: tokens.authority })
    assert.deepEqual(
      versions.body.items.map((v: any) => v.status),
      ['draft', 'published'],
    )
    assert.ok(new Date(versions.body.items[1].publishedAt) <= new Date(`${CATALOG_END}T23:59:59+08:00`))
  })

  test('share requests exist in every state, and platform-mode published entries have mounted data', async () => {
    const all = await t.request('GET', '/api/v1/share-requests?box=all&pageSize=200', { token: tokens.authority })
    assert.equal(all.status, 200)
    const states = new Set(all.body.items.map((r: { status: string }) => r.status))
    for (const state of ['pending', 'need_more_info', 'granted', 'rejected', 'withdrawn', 'escalated']) assert.ok(states.has(state), state)
    const mine = await t.request('GET', '/api/v1/grants?box=mine', { token: tokens.mzj_user })
    assert.ok(mine.body.items.some((g: { status: string }) => g.status === 'active'))
    const cases = await t.request('GET', '/api/v1/coordination-cases', { token: tokens.authority })
    assert.ok(cases.body.total >= 1)
    const unmounted = await t.db
      .selectFrom('resourceVersions as v')
      .select('v.name')
      .where('v.isPublished', '=', true)
      .where('v.shareModeClass', '=', '共享平台方式')
      .where((eb) => eb.not(eb.exists(eb.selectFrom('mounts as m').select('m.id').whereRef('m.resourceId', '=', 'v.resourceId'))))
      .execute()
    assert.deepEqual(unmounted, [])
  })

  test('the 民政局 app has read its grant: call logs with 办件号, a refused call, and the usage records of the successes', async () => {
    const calls = await t.request('GET', '/api/v1/gateway/calls?box=mine', { token: tokens.mzj_user })
    assert.equal(calls.status, 200, JSON.stringify(calls.body))
    // The story's dates move with the load time (whole weeks); a 办件号 carries its call's Beijing date.
    const refOf = (c: { requestInAt: string }, serial: string) =>
      `MZ${new Date(new Date(c.requestInAt).getTime() + 8 * 3600_000).toISOString().slice(0, 10).replaceAll('-', '')}${serial}`
    const results = calls.body.items.map((c: { result: string; rowsReturned: number; businessRef: string }) => [c.result, c.rowsReturned, c.businessRef])
    const items = calls.body.items
    assert.deepEqual(results, [
      ['success', 20, refOf(items[0], '00045')],
      ['denied', 0, refOf(items[1], '00012')],
      ['success', 5, refOf(items[2], '00107')],
      ['success', 10, refOf(items[3], '00031')],
      ['success', 10, refOf(items[4], '00031')],
    ])
    const usage = await t.request('GET', `/api/v1/grants/${calls.body.items[0].grantId}/usage`, { token: tokens.mzj_user })
    assert.deepEqual(
      usage.body.items.map((u: { businessRef: string }) => u.businessRef),
      [results[0][2], results[2][2], results[3][2], results[4][2]],
    )
  })

  test('the audit chain written on the demo clock verifies, with the demo calls sealed', async () => {
    const res = await t.request('GET', '/api/v1/audit/verify', { token: tokens.auditor })
    assert.equal(res.status, 200, JSON.stringify(res.body))
    assert.equal(res.body.ok, true)
    assert.equal(res.body.callLogs.sealedCalls, 5 + summary.activity.calls)
  })

  test('a year of recorded activity: the authority sees every providing department ranked in the annual run, with notices', async () => {
    assert.ok(summary.activity.requests >= 50 && summary.activity.calls >= 1000 && summary.activity.batches >= 1000, JSON.stringify(summary.activity))
    const runs = await t.request('GET', '/api/v1/evaluation/runs', { token: tokens.authority })
    assert.deepEqual(runs.body.items.map((r: { label: string }) => r.label).sort(), ['2026年度', '2026年第一季度', '2026年第三季度', '2026年第二季度'])
    const annual = runs.body.items.find((r: { label: string }) => r.label === '2026年度')
    const scores = await t.request('GET', `/api/v1/evaluation/runs/${annual.id}/scores?regionCode=370700`, { token: tokens.authority })
    const ranked = scores.body.items.filter((i: { rank: number | null }) => i.rank !== null)
    assert.ok(ranked.length >= 8, `${ranked.length} ranked city departments`)
    assert.ok(new Set(ranked.map((i: { total: number }) => i.total)).size >= 5, 'the scores tell departments apart')
    const notices = await t.request('GET', '/api/v1/notices?pageSize=200', { token: tokens.authority })
    assert.ok(notices.body.total >= 5)
    assert.ok(notices.body.items.some((n: { status: string }) => n.status === 'responded'))
  })
})
