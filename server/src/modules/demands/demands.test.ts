import assert from 'node:assert/strict'
import { after, before, describe, test } from 'node:test'
import ExcelJS from 'exceljs'
import { buildAppRow, buildOrg, buildUser, buildWorld, itemInput, publishResource, refreshTokens, tokenFor } from '../../testing/factories.ts'
import { type TestApp, buildTestApp } from '../../testing/test-app.ts'
import { escalateOverdueDemands, warnDemandsDueSoon } from './jobs.ts'

type World = Awaited<ReturnType<typeof buildWorld>>

const ESTATE_ITEMS = [
  itemInput('不动产权证号', 'cert_no', { length: 40, isPrimaryKey: true }),
  itemInput('权利人名称', 'owner_name'),
  itemInput('坐落', 'located'),
  itemInput('抵押情况', 'mortgage', { shareType: 3, shareCondition: '涉及金融机构商业秘密，依《商业银行法》不予共享' }),
]

describe('demands: triage, provider response, fulfilment with an automatic request, lists and deadlines', () => {
  let t: TestApp
  let w: World
  let appId: string
  let outsider: string
  let estate: any

  before(async () => {
    t = await buildTestApp()
    w = await buildWorld(t.db)
    appId = await buildAppRow(t.db, w.deptB.id)
    const other = await buildOrg(t.db, { name: '测试无关部门' })
    outsider = await tokenFor(t.db, await buildUser(t.db, { orgId: other.id, roles: ['REQUESTER', 'APPROVER'] }))
    await publishResource(t, w.tokens, { name: '婚姻登记信息', items: [itemInput('男方姓名', 'man'), itemInput('女方姓名', 'woman')] })
  })
  after(() => t.close())

  const submit = (body: Record<string, unknown> = {}, token = w.tokens.requester) =>
    t.request('POST', '/api/v1/demands', {
      token,
      body: {
        title: '不动产登记信息',
        description: '办理住房保障资格审核需核验申请人名下房产',
        wantedItems: ['不动产权证号', '权利人名称', '坐落'],
        purpose: '行政依据',
        dutyBasis: '《公共租赁住房管理办法》第七条',
        appIds: [appId],
        ...body,
      },
    })
  const act = (id: string, step: string, body: unknown, token = w.tokens.authAdmin) => t.request('POST', `/api/v1/demands/${id}/${step}`, { token, body })
  const notices = (kind: string) => t.db.selectFrom('notifications').selectAll().where('kind', '=', kind).execute()

  test('registered, assigned, accepted, fulfilled by a published entry: a request for the requester opens by itself', async () => {
    assert.equal((await submit({ wantedItems: [] })).status, 400)
    assert.equal((await submit({ appIds: [await buildAppRow(t.db, w.deptA.id)] })).status, 400, "another department's app")
    const created = await submit()
    assert.equal(created.status, 201, JSON.stringify(created.body))
    assert.equal(created.body.status, 'submitted')
    assert.equal(created.body.dueDate, '2026-03-04')
    assert.equal((await notices('demand.submitted')).length, 1)
    const id = created.body.id
    assert.equal((await t.request('GET', `/api/v1/demands/${id}`, { token: outsider })).status, 404)
    assert.equal((await t.request('GET', `/api/v1/demands/${id}`, { token: w.tokens.approver })).status, 404, 'not the provider until assigned')
    assert.equal((await act(id, 'triage', { decision: 'assign', providerOrgId: w.deptA.id }, w.tokens.requester)).status, 403)
    assert.equal((await act(id, 'triage', { decision: 'assign', providerOrgId: w.deptB.id })).status, 400, 'not the requester itself')
    const assigned = await act(id, 'triage', { decision: 'assign', providerOrgId: w.deptA.id, comment: '属市自然资源和规划局职责' })
    assert.equal(assigned.body.status, 'assigned')
    assert.equal(assigned.body.providerName, w.deptA.name)
    assert.equal(assigned.body.dueDate, '2026-03-16', '10 working days')
    assert.equal((await notices('demand.assigned')).filter((n) => n.orgId === w.deptA.id).length, 1)

    assert.equal((await act(id, 'response', { decision: 'accept' }, outsider)).status, 404)
    assert.equal((await act(id, 'response', { decision: 'accept' }, w.tokens.requester)).status, 403)
    const accepted = await act(id, 'response', { decision: 'accept', comment: '十个工作日内编目挂接' }, w.tokens.approver)
    assert.equal(accepted.body.status, 'accepted')

    const responsibilities = await t.request('GET', '/api/v1/demands?list=responsibility', { token: w.tokens.approver })
    assert.deepEqual(
      responsibilities.body.items.map((d: any) => [d.title, d.dueDate]),
      [['不动产登记信息', '2026-03-16']],
    )

    estate = await publishResource(t, w.tokens, { name: '不动产登记信息', items: ESTATE_ITEMS as never })
    const other = await publishResource(t, { cataloger: w.tokens.catalogerB, authAdmin: w.tokens.authAdmin }, { name: '民政自有目录', classCode: '301002' })
    assert.equal((await act(id, 'fulfilment', { resourceId: other.id }, w.tokens.cataloger)).status, 400, "another department's entry")
    const fulfilled = await act(id, 'fulfilment', { resourceId: estate.id }, w.tokens.cataloger)
    assert.equal(fulfilled.status, 200, JSON.stringify(fulfilled.body))
    assert.equal(fulfilled.body.status, 'fulfilled')
    assert.equal(fulfilled.body.resourceName, '不动产登记信息')
    const request = await t.request('GET', `/api/v1/share-requests/${fulfilled.body.requestId}`, { token: w.tokens.requester })
    assert.equal(request.status, 200)
    assert.equal(request.body.requesterOrgId, w.deptB.id)
    assert.equal(request.body.itemIds.length, 3, 'every shareable item, none of the 不予共享 one')
    assert.equal(request.body.status, 'granted', 'all 无条件 items: granted at once')
    assert.equal((await notices('demand.available'))[0].userId, w.users.requester.id)
  })

  test('the authority sees ranked matches and a match opens the request; a decline opens a coordination case', async () => {
    const created = await submit({ title: '不动产登记', wantedItems: ['权利人名称', '坐落'] })
    const suggestions = await t.request('GET', `/api/v1/demands/${created.body.id}/suggestions`, { token: w.tokens.authAdmin })
    assert.equal(suggestions.status, 200)
    assert.equal(suggestions.body.items[0].name, '不动产登记信息')
    assert.deepEqual(suggestions.body.items[0].matchedItems, ['权利人名称', '坐落'])
    assert.ok(!suggestions.body.items.some((s: any) => s.name === '婚姻登记信息'), 'unrelated entries are not suggested')
    assert.equal((await t.request('GET', `/api/v1/demands/${created.body.id}/suggestions`, { token: w.tokens.requester })).status, 403)
    const matched = await act(created.body.id, 'triage', { decision: 'match', resourceId: estate.id })
    assert.equal(matched.body.status, 'matched')
    assert.equal(matched.body.matchedResourceName, '不动产登记信息')
    assert.ok(matched.body.requestId)

    const declined = await submit({ title: '企业纳税明细', wantedItems: ['纳税额'] })
    await act(declined.body.id, 'triage', { decision: 'assign', providerOrgId: w.deptA.id })
    assert.equal((await act(declined.body.id, 'response', { decision: 'decline' }, w.tokens.approver)).status, 400, 'a reason is required')
    const refused = await act(declined.body.id, 'response', { decision: 'decline', comment: '不属本部门职责' }, w.tokens.approver)
    assert.equal(refused.body.status, 'declined')
    const kase = await t.request('GET', `/api/v1/coordination-cases/${refused.body.caseId}`, { token: w.tokens.requester })
    assert.equal(kase.body.origin, 'demand_refusal')
    assert.equal(kase.body.applicantOrgId, w.deptB.id)
    assert.equal(kase.body.demandId, declined.body.id)

    const rejected = await submit({ title: '无关需求' })
    assert.equal((await act(rejected.body.id, 'triage', { decision: 'reject' })).status, 400)
    assert.equal((await act(rejected.body.id, 'triage', { decision: 'reject', comment: '非履职需要' })).body.status, 'rejected')
  })

  test('the three lists export as Excel workbooks with the same rows as the pages', async () => {
    const parse = async (list: string) => {
      const res = await fetch(`${t.baseUrl}/api/v1/demands/export?list=${list}`, { headers: { authorization: `Bearer ${w.tokens.authAdmin}` } })
      assert.equal(res.status, 200)
      assert.match(res.headers.get('content-disposition')!, /filename\*=UTF-8''/)
      const workbook = new ExcelJS.Workbook()
      await workbook.xlsx.load(await res.arrayBuffer())
      const sheet = workbook.worksheets[0]
      return {
        name: sheet.name,
        rows: sheet
          .getSheetValues()
          .slice(2)
          .map((row: any) => row.slice(1)),
      }
    }
    const demands = await parse('demand')
    const page = await t.request('GET', '/api/v1/demands?pageSize=100', { token: w.tokens.authAdmin })
    assert.equal(demands.name, '需求清单')
    assert.equal(demands.rows.length, page.body.total)
    assert.deepEqual(demands.rows.map((r: any) => r[0]).sort(), page.body.items.map((d: any) => d.no).sort())
    const responsibilities = await parse('responsibility')
    assert.deepEqual(
      responsibilities.rows.map((r: any) => [r[0], r[2], r[6]]),
      [[w.deptA.name, '不动产登记信息', '不动产登记信息']],
    )
    const negative = await parse('negative')
    const negativePage = await t.request('GET', '/api/v1/demands/negative-list', { token: outsider })
    assert.ok(negativePage.body.items.some((n: any) => n.itemName === '抵押情况' && /商业银行法/.test(n.basis)))
    assert.equal(negative.rows.length, negativePage.body.items.length)
    assert.equal((await t.request('GET', '/api/v1/demands/export?list=other', { token: w.tokens.authAdmin })).status, 400)
  })

  test('triage and provider stages warn ahead and escalate once when overdue', async () => {
    t.clock.set('2026-03-17T02:00:00Z')
    await refreshTokens(t.db, w, t.clock.now())
    const created = await submit({ title: '公积金缴存信息' })
    assert.equal(created.body.dueDate, '2026-03-19')
    assert.equal(await warnDemandsDueSoon(t.db, t.clock.now()), 1)
    assert.equal(await escalateOverdueDemands(t.db, new Date('2026-03-19T15:59:00Z')), 0)
    assert.equal(await escalateOverdueDemands(t.db, new Date('2026-03-19T16:00:01Z')), 1)
    assert.equal(await escalateOverdueDemands(t.db, new Date('2026-03-20T16:00:01Z')), 0)
    t.clock.set('2026-03-20T02:00:00Z')
    await refreshTokens(t.db, w, t.clock.now())
    const assigned = await act(created.body.id, 'triage', { decision: 'assign', providerOrgId: w.deptA.id })
    assert.equal(assigned.body.escalated, false)
    assert.equal(assigned.body.dueDate, '2026-04-03')
    assert.equal(await escalateOverdueDemands(t.db, new Date('2026-04-03T16:00:01Z')), 1)
    const overdue = await notices('demand.overdue')
    assert.ok(overdue.some((n) => n.orgId === w.deptA.id))
    assert.ok(overdue.some((n) => n.orgId === w.authority.id))
    const late = await t.request('GET', `/api/v1/demands/${created.body.id}`, { token: w.tokens.approver })
    assert.match(late.body.statusLabel, /逾期/)
  })
})
