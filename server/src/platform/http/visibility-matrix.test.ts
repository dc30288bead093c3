import assert from 'node:assert/strict'
import { after, before, describe, test } from 'node:test'
import type { Role } from '../../../../common/roles.ts'
import { buildOrg, buildUser, buildWorld, publishResource, resourceBody, tokenFor } from '../../testing/factories.ts'
import { type TestApp, buildTestApp } from '../../testing/test-app.ts'
import type { RegisteredRoute } from '../auth/plugin.ts'
import { ruleOf } from '../auth/policy.ts'

/**
 * The visibility half of the route matrix: on every object route (a route with `:id` whose rule is a
 * read rule or names one), a user of an uninvolved department holding a listed role gets 404, as if
 * the object did not exist, and on a write route that 404 is an audited denial; a party that sees the
 * object but may not act gets 403. Generated from the route registry, so a new object route is covered.
 */

/** The fixture object each family of object routes is walked with (a draft, so only its department sees it). */
const FAMILIES: { prefix: string; key: keyof Fixtures }[] = [
  { prefix: '/api/v1/catalog/resources/:id', key: 'draftId' },
  { prefix: '/api/v1/catalog/review-tasks/:id', key: 'taskId' },
  { prefix: '/api/v1/share-requests/:id', key: 'requestId' },
  { prefix: '/api/v1/grants/:id', key: 'grantId' },
  { prefix: '/api/v1/coordination-cases/:id', key: 'caseId' },
  { prefix: '/api/v1/apps/:id', key: 'appId' },
  { prefix: '/api/v1/users/:id', key: 'userId' },
  { prefix: '/api/v1/objections/:id', key: 'objectionId' },
  { prefix: '/api/v1/demands/:id', key: 'demandId' },
  { prefix: '/api/v1/data-element-cases/:id', key: 'elementCaseId' },
]

interface Fixtures {
  draftId: string
  taskId: string
  requestId: string
  grantId: string
  caseId: string
  appId: string
  userId: string
  objectionId: string
  demandId: string
  elementCaseId: string
}

/** A valid body per action, so the refusal comes from visibility, not from validation. */
const BODIES: Record<string, unknown> = {
  'catalog.resource.update': { name: '改名后的目录' },
  'catalog.resource.review': { decision: 'approve' },
  'catalog.resource.withdraw': { reason: '测试下架' },
  'catalog.review-task.complete': { resolution: '已核对，无需修改' },
  'mounts.api.register': { upstreamUrl: 'https://api.example.gov.cn/v1/query' },
  'identity.user.update': { name: '张三' },
  'sharing.request.decide': { decision: 'approve' },
  'sharing.request.preview-terms': {},
  'sharing.request.request-info': { comment: '请补充履职依据' },
  'sharing.request.resubmit': { comment: '已补充' },
  'sharing.request.authority-decide': { decision: 'extend' },
  'sharing.grant.revoke': { reason: '不再需要该数据' },
  'sharing.grant.suspend': { reason: '安全事件排查' },
  'sharing.grant.resume': { reason: '排查结束' },
  'sharing.grant.reconfirm': {},
  'sharing.case.note': { text: '协商记录' },
  'sharing.case.escalate': { text: '协商不成' },
  'sharing.case.decide': { decision: 'uphold_refusal', text: '维持' },
  'sharing.case.escalate-up': { text: '报省级协调' },
  'sharing.case.close': { text: '结案' },
  'objections.objection.accept': { decision: 'accept' },
  'objections.objection.verify': { outcome: 'explain', comment: '核实说明' },
  'objections.objection.dispute': { comment: '提请协调' },
  'demands.demand.triage': { decision: 'reject', comment: '退回' },
  'demands.demand.respond': { decision: 'accept' },
  'demands.demand.fulfil': { resourceId: '00000000-0000-4000-8000-000000000000' },
  'elements.case.decide': { decision: 'request_instead' },
}

/** Uploads are multipart: a one-line CSV (the check comes before any part is read). */
function uploadBody() {
  const form = new FormData()
  form.append('file', new Blob(['a,b\n1,2\n'], { type: 'text/csv' }), 'data.csv')
  return form
}

describe('visibility matrix: uninvolved departments get 404, parties without the right 403', () => {
  let t: TestApp
  let w: Awaited<ReturnType<typeof buildWorld>>
  let fixtures: Fixtures
  let publishedId: string
  let deptCId: string
  /** A third department with one user per data role: a party to nothing. */
  const outsiders = new Map<Role, string>()

  const ok = async (method: string, path: string, token: string, body?: unknown) => {
    const res = await t.request(method, path, { token, body })
    assert.ok(res.status < 300, `${method} ${path} → ${res.status} ${JSON.stringify(res.body)}`)
    return res.body
  }

  before(async () => {
    t = await buildTestApp()
    w = await buildWorld(t.db)
    const published = await publishResource(t, w.tokens)
    publishedId = published.id
    const draft = await ok('POST', '/api/v1/catalog/resources', w.tokens.cataloger, resourceBody({ name: '未发布的草稿目录' }))
    const app = await ok('POST', '/api/v1/apps', w.tokens.requester, { name: '低保核查系统' })
    const ask = (purpose: '业务协同' | '数据校核') =>
      ok('POST', '/api/v1/share-requests', w.tokens.requester, {
        resourceId: published.id,
        itemIds: published.items.map((i: { id: string }) => i.id),
        purpose,
        dutyBasis: '社会组织登记管理',
        mode: 'api',
        appIds: [app.id],
        validUntil: '2027-03-31',
      })
    const granted = await ask('业务协同')
    await ok('POST', `/api/v1/share-requests/${granted.id}/decision`, w.tokens.approver, { decision: 'approve' })
    const refused = await ask('数据校核')
    await ok('POST', `/api/v1/share-requests/${refused.id}/decision`, w.tokens.approver, { decision: 'reject', reason: '申请用途与履职事项不符' })
    const opened = await ok('POST', '/api/v1/coordination-cases', w.tokens.requester, { requestId: refused.id, statement: '履职确需该数据' })
    await ok('POST', '/api/v1/catalog/change-events', w.tokens.cataloger, { kind: 'law_revision', description: '相关条例修订' })
    const task = await t.db.selectFrom('catalogReviewTasks').select('id').where('orgId', '=', w.deptA.id).executeTakeFirstOrThrow()
    const grantId = (await ok('GET', `/api/v1/share-requests/${granted.id}`, w.tokens.requester)).grantId
    const clerk = await buildUser(t.db, { orgId: w.deptA.id, roles: ['REQUESTER'] })
    const objection = await ok('POST', '/api/v1/objections', w.tokens.requester, {
      resourceId: published.id,
      itemIds: [published.items[0].id],
      recordKeys: ['样例1'],
      type: 'error',
      description: '与登记不一致',
    })
    const demand = await ok('POST', '/api/v1/demands', w.tokens.requester, {
      title: '不动产登记信息',
      description: '核对房产',
      wantedItems: ['坐落'],
      purpose: '数据校核',
      dutyBasis: '社会救助',
    })
    await ok('POST', `/api/v1/demands/${demand.id}/triage`, w.tokens.authAdmin, { decision: 'assign', providerOrgId: w.deptA.id })
    const element = await ok('POST', '/api/v1/data-elements', w.tokens.authAdmin, { name: '统一社会信用代码', sourceOrgId: w.deptB.id })
    const elementCase = await t.db
      .insertInto('elementCases')
      .values({ elementId: element.id, resourceId: draft.id, itemId: draft.items[0].id, itemName: draft.items[0].name, orgId: w.deptA.id })
      .returning('id')
      .executeTakeFirstOrThrow()
    fixtures = {
      draftId: draft.id,
      taskId: task.id,
      requestId: granted.id,
      grantId,
      caseId: opened.id,
      appId: app.id,
      userId: clerk.id,
      objectionId: objection.id,
      demandId: demand.id,
      elementCaseId: elementCase.id,
    }

    const deptC = await buildOrg(t.db, { name: '测试住建局（无关部门）' })
    deptCId = deptC.id
    for (const role of ['REQUESTER', 'APPROVER', 'CATALOGER', 'DEPT_ADMIN', 'NODE_OPERATOR'] as Role[]) {
      outsiders.set(role, await tokenFor(t.db, await buildUser(t.db, { orgId: deptC.id, roles: [role] })))
    }
  })
  after(() => t.close())

  const objectRoutes = () =>
    t.app.routeRegistry.filter((r: RegisteredRoute) => {
      const rule = r.action ? ruleOf(r.action) : undefined
      return rule && (rule.scope || rule.visibility) && FAMILIES.some((f) => r.url.startsWith(f.prefix))
    })

  const pathOf = (route: RegisteredRoute) => {
    const family = FAMILIES.find((f) => route.url.startsWith(f.prefix))!
    // A second parameter (an evidence file) names nothing: visibility is decided by the object first.
    return route.url.replace(':id', fixtures[family.key]).replace(/:[a-zA-Z]+/g, '00000000-0000-4000-8000-000000000000')
  }

  test('every object route answers 404 to a department that is not a party, and audits it on writes', async () => {
    const routes = objectRoutes()
    assert.ok(routes.length >= 25, `only ${routes.length} object routes found`)
    const failures: string[] = []
    const writeRefusals: { requestId: string; route: string; action: string }[] = []
    for (const route of routes) {
      const rule = ruleOf(route.action!)!
      for (const [role, token] of outsiders) {
        if (rule.roles !== 'any-user' && !rule.roles.includes(role)) continue
        const upload = route.method === 'POST' && (route.url.endsWith('/mounts/table') || route.url.endsWith('/mounts/file'))
        const body = upload ? uploadBody() : BODIES[route.action!]
        const res = await t.request(route.method, pathOf(route), { token, body })
        const where = `${route.method} ${route.url} as outsider ${role}`
        if (res.status !== 404) failures.push(`${where}: ${res.status} ${JSON.stringify(res.body).slice(0, 160)}`)
        else if (route.method !== 'GET') writeRefusals.push({ requestId: res.headers.get('x-request-id') ?? '', route: where, action: route.action! })
      }
    }
    assert.deepEqual(failures, [], failures.join('\n'))
    assert.ok(writeRefusals.length >= 15, `only ${writeRefusals.length} write refusals`)
    // The first refusal of a kind is written at once; repeats of the same kind (same actor, action and
    // object) are summed into one event with a count. After a flush, every refusal is counted exactly once.
    await t.app.auditDenials.flush()
    const outsiderIds = await t.db.selectFrom('users').select('id').where('orgId', '=', deptCId).execute()
    const denied = await t.db
      .selectFrom('auditEvents')
      .select(['action', 'detail'])
      .where('result', '=', 'denied')
      .where(
        'actorId',
        'in',
        outsiderIds.map((u) => u.id),
      )
      .execute()
    const counted = new Map<string, number>()
    for (const event of denied) {
      const n = (event.detail as { repeated?: { count: number } }).repeated?.count ?? 1
      counted.set(event.action, (counted.get(event.action) ?? 0) + n)
    }
    const expected = new Map<string, number>()
    for (const r of writeRefusals) expected.set(r.action, (expected.get(r.action) ?? 0) + 1)
    assert.deepEqual(Object.fromEntries(counted), Object.fromEntries(expected), 'every 404 on a write route is an audited denial, counted once')
  })

  test("a GET of another department's request, grant or case says 404, like a command on it", async () => {
    const token = outsiders.get('REQUESTER')!
    for (const path of [
      `/api/v1/share-requests/${fixtures.requestId}`,
      `/api/v1/grants/${fixtures.grantId}`,
      `/api/v1/coordination-cases/${fixtures.caseId}`,
      `/api/v1/grants/${fixtures.grantId}/usage`,
      `/api/v1/objections/${fixtures.objectionId}`,
      `/api/v1/demands/${fixtures.demandId}`,
    ]) {
      const res = await t.request('GET', path, { token })
      assert.equal(res.status, 404, path)
      assert.equal(res.body.error.code, 'NOT_FOUND')
    }
    // Lists are filtered by the same rule: the outsider's "all" holds nothing of theirs.
    for (const path of ['/api/v1/share-requests?box=all', '/api/v1/grants?box=all', '/api/v1/coordination-cases', '/api/v1/objections', '/api/v1/demands']) {
      const res = await t.request('GET', path, { token })
      assert.equal(res.status, 200, path)
      assert.equal(res.body.total, 0, path)
    }
    const mine = await t.request('GET', '/api/v1/share-requests?box=all', { token: w.tokens.requester })
    assert.equal(mine.body.total, 2, 'a party\'s "all" is every request it is a party to')
  })

  test('a party that sees the object but may not act gets 403', async () => {
    const approverB = await tokenFor(t.db, await buildUser(t.db, { orgId: w.deptB.id, roles: ['APPROVER'] }))
    const cases: [string, string, string, unknown][] = [
      // The requesting department's approver sees its request and grant, but decides and revokes nothing.
      ['POST', `/api/v1/share-requests/${fixtures.requestId}/decision`, approverB, { decision: 'approve' }],
      ['POST', `/api/v1/grants/${fixtures.grantId}/revoke`, approverB, { reason: '不再需要该数据' }],
      ['POST', `/api/v1/grants/${fixtures.grantId}/suspend`, approverB, { reason: '安全事件排查' }],
      // Another department's cataloger sees a published entry but may not change or mount it.
      ['PATCH', `/api/v1/catalog/resources/${publishedId}`, w.tokens.catalogerB, { name: '改名' }],
      ['POST', `/api/v1/catalog/resources/${publishedId}/withdraw`, w.tokens.catalogerB, { reason: '测试下架' }],
      ['POST', `/api/v1/catalog/resources/${publishedId}/submit`, w.tokens.catalogerB, undefined],
      // The raiser sees its objection but neither accepts nor verifies it; the provider does not dispute.
      ['POST', `/api/v1/objections/${fixtures.objectionId}/acceptance`, w.tokens.requester, { decision: 'accept' }],
      ['POST', `/api/v1/objections/${fixtures.objectionId}/dispute`, w.tokens.approver, { comment: '提请协调' }],
      // The requesting department sees its demand but does not answer it for the provider.
      ['POST', `/api/v1/demands/${fixtures.demandId}/response`, approverB, { decision: 'accept' }],
      ['POST', `/api/v1/data-element-cases/${fixtures.elementCaseId}/decision`, w.tokens.cataloger, { decision: 'request_instead' }],
    ]
    const failures: string[] = []
    for (const [method, path, token, body] of cases) {
      const res = await t.request(method, path, { token, body })
      if (res.status !== 403 || res.body.error.code !== 'FORBIDDEN') failures.push(`${method} ${path}: ${res.status} ${JSON.stringify(res.body).slice(0, 160)}`)
    }
    assert.deepEqual(failures, [], failures.join('\n'))
  })
})
