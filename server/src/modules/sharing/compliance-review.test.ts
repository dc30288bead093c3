import assert from 'node:assert/strict'
import { after, before, describe, test } from 'node:test'
import { buildAppRow, buildOrg, buildUser, buildWorld, publishResource, refreshTokens, tokenFor } from '../../testing/factories.ts'
import { type TestApp, buildTestApp } from '../../testing/test-app.ts'
import { escalateOverdueRequests, notifyRequestClocks } from './jobs.ts'

/**
 * GP24 mode (SPEC §7.1, §7.5): with the tenant's compliance review on, a conditional request waits for the
 * authority (2 WD) before the provider; the provider's short clock (5 WD) applies only to data already mounted.
 */
describe('share requests under the compliance review (GP24)', () => {
  let t: TestApp
  let w: Awaited<ReturnType<typeof buildWorld>>
  let appId: string
  let mounted: any
  let unmounted: any
  const reason = '依据市政务服务管理办公室2026年12号文件调整'

  before(async () => {
    t = await buildTestApp()
    w = await buildWorld(t.db)
    appId = await buildAppRow(t.db, w.deptB.id)
    mounted = await publishResource(t, w.tokens, { name: '社会组织登记信息' })
    // Catalogued for the gateway, but only a file is on the platform: nothing yet serves an 接口 request.
    unmounted = await publishResource(t, w.tokens, { name: '社会组织年检结果', shareModes: ['api', 'file'] }, async (resource) => {
      const form = new FormData()
      form.append('file', new Blob([Buffer.from('年检结果汇总')]), '年检结果.txt')
      const res = await t.request('POST', `/api/v1/catalog/resources/${resource.id}/mounts/file`, { token: w.tokens.cataloger, body: form })
      assert.equal(res.status, 201, JSON.stringify(res.body))
    })
  })
  after(() => t.close())

  const at = async (iso: string) => {
    t.clock.set(iso)
    await refreshTokens(t.db, w, t.clock.now())
  }
  const conditionalItems = (resource: any) => resource.items.filter((i: any) => i.nameEn === 'uscc' || i.nameEn === 'legal_rep_id').map((i: any) => i.id)
  const apply = (resource: any, token = w.tokens.requester) =>
    t.request('POST', '/api/v1/share-requests', {
      token,
      body: {
        resourceId: resource.id,
        itemIds: conditionalItems(resource),
        purpose: '行政依据',
        dutyBasis: '《社会团体登记管理条例》 社会组织监管',
        mode: 'api',
        appIds: [appId],
      },
    })
  const review = (id: string, body: unknown, token = w.tokens.authAdmin) => t.request('POST', `/api/v1/share-requests/${id}/compliance-review`, { token, body })
  const setParameter = (key: string, value: number, regionCode?: string) =>
    t.request('PUT', `/api/v1/parameters/${key}${regionCode ? `?regionCode=${regionCode}` : ''}`, { token: w.tokens.sysAdmin, body: { value, reason } })

  test('off by default: a conditional request goes straight to the provider on the standard 10 WD, mounted or not', async () => {
    await at('2026-03-02T02:00:00Z')
    for (const resource of [mounted, unmounted]) {
      const res = await apply(resource)
      assert.equal(res.status, 201, JSON.stringify(res.body))
      assert.deepEqual([res.body.status, res.body.dueDate, res.body.replyWorkdays, res.body.replyClock], ['pending', '2026-03-16', 10, 'standard'])
      assert.equal(res.body.actions.complianceReview, false)
    }
  })

  test('the reply deadline can no longer be set to 5 WD for all data: the short clock is the mounted-data parameter', async () => {
    const refused = await setParameter('sharing.providerReplyWorkdays', 5)
    assert.equal(refused.status, 400)
    assert.equal(refused.body.error.details[0].field, 'value')
    assert.equal((await setParameter('sharing.mountedReplyWorkdays', 7)).status, 400)
  })

  test('on: the authority reviews within 2 WD; a pass gives mounted data 5 WD from the pass, unmounted data 10 WD', async () => {
    assert.equal((await setParameter('sharing.complianceReview', 1)).status, 200)
    await at('2026-03-02T02:00:00Z') // Monday 10:00
    const fast = (await apply(mounted)).body
    const slow = (await apply(unmounted)).body
    for (const req of [fast, slow]) {
      assert.deepEqual([req.status, req.dueDate, req.replyWorkdays, req.replyClock, req.remainingWorkdays], ['compliance_review', '2026-03-04', null, null, 2])
    }
    // Nobody but the authority moves a request out of its review: the provider cannot decide it yet.
    const early = await t.request('POST', `/api/v1/share-requests/${fast.id}/decision`, {
      token: w.tokens.approver,
      body: { decision: 'reject', reason: '涉及个人隐私，申请用途不足以支持' },
    })
    assert.equal(early.status, 409)
    assert.equal((await review(fast.id, { decision: 'pass' }, w.tokens.approver)).status, 403)
    assert.equal((await review(fast.id, { decision: 'pass' }, w.tokens.requester)).status, 403)
    const noComment = await review(fast.id, { decision: 'return' })
    assert.equal(noComment.status, 400)
    assert.equal(noComment.body.error.details[0].field, 'comment')
    const seenByAuthority = await t.request('GET', `/api/v1/share-requests/${fast.id}`, { token: w.tokens.authAdmin })
    assert.equal(seenByAuthority.body.actions.complianceReview, true)

    await at('2026-03-03T02:00:00Z') // Tuesday: the review passes
    const passed = await review(fast.id, { decision: 'pass', comment: '用途与履职依据明确' })
    assert.equal(passed.status, 200, JSON.stringify(passed.body))
    assert.deepEqual([passed.body.status, passed.body.replyWorkdays, passed.body.replyClock, passed.body.dueDate], ['pending', 5, 'mounted', '2026-03-10'])
    assert.ok(passed.body.reviewedAt)
    assert.match(passed.body.history.at(-1).comment, /数据已挂接，提供部门答复时限 5 个工作日（至 2026-03-10）/)
    const passedSlow = await review(slow.id, { decision: 'pass' })
    assert.deepEqual(
      [passedSlow.body.status, passedSlow.body.replyWorkdays, passedSlow.body.replyClock, passedSlow.body.dueDate],
      ['pending', 10, 'standard', '2026-03-17'],
    )
    assert.equal((await review(fast.id, { decision: 'pass' })).status, 409, 'reviewed once')

    // The short clock runs out first and escalates like any reply clock.
    assert.equal(await escalateOverdueRequests(t.db, new Date('2026-03-10T15:00:00Z')), 0)
    assert.ok((await escalateOverdueRequests(t.db, new Date('2026-03-10T16:00:01Z'))) >= 1)
    const statuses = await t.db.selectFrom('shareRequests').select(['id', 'status']).where('id', 'in', [fast.id, slow.id]).execute()
    assert.deepEqual(Object.fromEntries(statuses.map((s) => [s.id, s.status])), { [fast.id]: 'escalated', [slow.id]: 'pending' })
  })

  test('unmounted data never gets the short clock, whatever the short clock is set to', async () => {
    assert.equal((await setParameter('sharing.mountedReplyWorkdays', 3)).status, 200)
    await at('2026-03-02T02:00:00Z')
    const req = (await apply(unmounted)).body
    const passed = await review(req.id, { decision: 'pass' })
    assert.deepEqual([passed.body.replyWorkdays, passed.body.replyClock, passed.body.dueDate], [10, 'standard', '2026-03-16'])
    const short = await review((await apply(mounted)).body.id, { decision: 'pass' })
    assert.deepEqual([short.body.replyWorkdays, short.body.dueDate], [3, '2026-03-05'])
    assert.equal((await setParameter('sharing.mountedReplyWorkdays', 5)).status, 200)
  })

  test('a returned request goes back to its requester, who edits and resubmits it into a fresh review', async () => {
    await at('2026-03-02T02:00:00Z')
    const req = (await apply(mounted)).body
    const returned = await review(req.id, { decision: 'return', comment: '履职依据未写明具体条款' })
    assert.deepEqual([returned.body.status, returned.body.dueDate, returned.body.remainingWorkdays], ['returned', null, null])
    const mine = await t.request('GET', `/api/v1/share-requests/${req.id}`, { token: w.tokens.requester })
    assert.deepEqual([mine.body.actions.resubmit, mine.body.actions.withdraw], [true, true])
    assert.equal((await t.request('POST', `/api/v1/share-requests/${req.id}/resubmit`, { token: w.tokens.approver, body: { comment: '补充' } })).status, 403)
    await at('2026-03-05T02:00:00Z') // Thursday
    const again = await t.request('POST', `/api/v1/share-requests/${req.id}/resubmit`, {
      token: w.tokens.requester,
      body: { comment: '已补充条款', dutyBasis: '《社会团体登记管理条例》第二十七条' },
    })
    assert.equal(again.status, 200, JSON.stringify(again.body))
    assert.deepEqual([again.body.status, again.body.dueDate, again.body.dutyBasis], ['compliance_review', '2026-03-09', '《社会团体登记管理条例》第二十七条'])
    assert.deepEqual(
      again.body.history.map((h: any) => h.action),
      ['submit', 'compliance_return', 'resubmit'],
    )
  })

  test('the review clock warns the authority at due − 2 and due − 0 WD; the reply clock warns the provider', async () => {
    await at('2026-03-02T02:00:00Z')
    const req = (await apply(mounted)).body // review due 03-04
    await notifyRequestClocks(t.db, new Date('2026-03-02T02:00:00Z'))
    await notifyRequestClocks(t.db, new Date('2026-03-04T02:00:00Z'))
    const kinds = async (id: string) =>
      (await t.db.selectFrom('notifications').select(['kind', 'orgId']).where('objectId', '=', id).orderBy('createdAt').orderBy('kind').execute()).map(
        (n) => `${n.kind}@${n.orgId === w.authority.id ? 'authority' : n.orgId === w.deptA.id ? 'provider' : 'other'}`,
      )
    assert.deepEqual(await kinds(req.id), ['sharing.review.due_soon@authority', 'sharing.review.due_today@authority'])
    await at('2026-03-04T02:00:00Z')
    await review(req.id, { decision: 'pass' }) // reply due 03-11
    await notifyRequestClocks(t.db, new Date('2026-03-09T02:00:00Z'))
    assert.deepEqual((await kinds(req.id)).slice(2), ['sharing.request.due_soon@provider'])
  })

  test('per tenant: a county turns the review on for its own departments only, with its own warning lead', async () => {
    assert.equal((await setParameter('sharing.complianceReview', 0)).status, 200)
    const county = '370702'
    const countyDept = await buildOrg(t.db, { name: '潍城区民政局', regionCode: county })
    const countyCataloger = await tokenFor(t.db, await buildUser(t.db, { orgId: countyDept.id, roles: ['CATALOGER'] }))
    await at('2026-03-02T02:00:00Z')
    const countyEntry = await publishResource(t, { cataloger: countyCataloger, authAdmin: w.tokens.authAdmin }, { name: '潍城区社会组织信息' })
    assert.equal((await setParameter('sharing.complianceReview', 1, county)).status, 200)
    assert.equal((await setParameter('sharing.warnBeforeWorkdays', 1, county)).status, 200)
    const inCounty = (await apply(countyEntry)).body
    const inCity = (await apply(mounted)).body
    assert.deepEqual([inCounty.status, inCity.status], ['compliance_review', 'pending'])
    // The county warns one working day ahead: nothing on Monday for a Wednesday deadline, a warning on Tuesday.
    await notifyRequestClocks(t.db, new Date('2026-03-02T02:00:00Z'))
    assert.equal((await t.db.selectFrom('notifications').select('id').where('objectId', '=', inCounty.id).execute()).length, 0)
    await notifyRequestClocks(t.db, new Date('2026-03-03T02:00:00Z'))
    assert.equal((await t.db.selectFrom('notifications').select('kind').where('objectId', '=', inCounty.id).execute()).length, 1)
  })
})
