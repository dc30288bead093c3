import assert from 'node:assert/strict'
import { after, before, describe, test } from 'node:test'
import { buildOrg, buildUser, buildWorld, refreshTokens, tokenFor } from '../../testing/factories.ts'
import { grantWithApp } from '../../testing/gateway-grant.ts'
import { type TestApp, buildTestApp } from '../../testing/test-app.ts'
import { escalateOverdueObjections, warnObjectionsDueSoon } from './jobs.ts'
import { flaggedKeysOf } from './flags.ts'
import { resolveCorrectedObjections } from './service.ts'

type World = Awaited<ReturnType<typeof buildWorld>>

const ZHANG = '370702199003071234'
const OUYANG = '370705198512120021'

describe('data objections: raise, accept, verify, correct at the source or explain, deadlines', () => {
  let t: TestApp
  let w: World
  let g: Awaited<ReturnType<typeof grantWithApp>>
  let outsider: string

  before(async () => {
    t = await buildTestApp()
    w = await buildWorld(t.db)
    g = await grantWithApp(t, w)
    const other = await buildOrg(t.db, { name: '测试无关部门' })
    outsider = await tokenFor(t.db, await buildUser(t.db, { orgId: other.id, roles: ['REQUESTER', 'APPROVER'] }))
  })
  after(() => t.close())

  const raise = (body: Record<string, unknown> = {}, token = w.tokens.requester) =>
    t.request('POST', '/api/v1/objections', {
      token,
      body: { resourceId: g.resource.id, itemIds: [g.resource.items[1].id], recordKeys: [ZHANG], type: 'error', description: '姓名与户籍登记不一致', ...body },
    })
  const act = (id: string, step: string, body: unknown, token = w.tokens.authAdmin) => t.request('POST', `/api/v1/objections/${id}/${step}`, { token, body })
  const notices = async (kind: string) => t.db.selectFrom('notifications').selectAll().where('kind', '=', kind).execute()
  const flaggedRows = async () => {
    const res = await g.records()
    assert.equal(res.status, 200, JSON.stringify(res.body))
    return { flagged: res.body.items.filter((row: any) => row._objection === true).length, notice: res.body.objectionNotice as string | undefined }
  }

  test('only a department that received the data may object, on granted items, with bounded evidence', async () => {
    assert.equal((await raise({}, outsider)).status, 400)
    assert.equal((await raise({}, w.tokens.approver)).status, 403, 'the provider raises nothing on its own data')
    const missingItem = await raise({ itemIds: ['00000000-0000-4000-8000-000000000000'] })
    assert.equal(missingItem.status, 400)
    assert.match(missingItem.body.error.message, /授权范围/)
    assert.equal((await raise({ recordKeys: [] })).status, 400)
    const tooBig = await raise({ evidence: [{ fileName: 'a.jpg', contentBase64: Buffer.alloc(1024 * 1024 + 1).toString('base64') }] })
    assert.equal(tooBig.status, 400)
    assert.equal(await t.db.selectFrom('objections').select('id').executeTakeFirst(), undefined, 'refused input changes nothing')
  })

  test('accepted: the record shows 有异议 with the R-11 rule; an explanation clears it and may go to coordination', async () => {
    const raised = await raise({ evidence: [{ fileName: '户口簿.jpg', contentType: 'image/jpeg', contentBase64: Buffer.from('scan').toString('base64') }] })
    assert.equal(raised.status, 201, JSON.stringify(raised.body))
    assert.equal(raised.body.status, 'raised')
    assert.equal(raised.body.dueDate, '2026-03-04', '2 working days from Monday')
    assert.deepEqual(raised.body.itemNames, ['姓名'])
    assert.match(raised.body.rule, /照常办理/)
    assert.equal((await notices('objection.raised')).length, 1, 'the authority is told')
    const id = raised.body.id
    // Visibility: parties and the authority; an uninvolved department gets 404.
    assert.equal((await t.request('GET', `/api/v1/objections/${id}`, { token: outsider })).status, 404)
    assert.equal((await t.request('GET', `/api/v1/objections/${id}`, { token: w.tokens.approver })).status, 200)
    const file = await t.request('GET', `/api/v1/objections/${id}/evidence/${raised.body.evidence[0].id}`, { token: w.tokens.authAdmin })
    assert.equal(file.status, 200)
    assert.equal(file.body, 'scan')

    assert.equal((await act(id, 'acceptance', { decision: 'accept' }, w.tokens.approver)).status, 403)
    assert.equal((await act(id, 'verification', { outcome: 'explain', comment: 'x' }, w.tokens.approver)).status, 409, 'not before acceptance')
    assert.deepEqual(await flaggedRows(), { flagged: 0, notice: undefined })
    const accepted = await act(id, 'acceptance', { decision: 'accept' })
    assert.equal(accepted.body.status, 'verifying')
    assert.equal(accepted.body.flagged, true)
    assert.equal(accepted.body.dueDate, '2026-03-09', '5 working days')
    const shown = await flaggedRows()
    assert.equal(shown.flagged, 1, 'only the record named is flagged')
    assert.match(shown.notice!, /持有效证明材料/)
    // The gateway holds an entry's flagged keys, or asks per call past a bound.
    assert.deepEqual(await flaggedKeysOf(t.db, g.resource.id), new Set([ZHANG]))
    assert.equal(await flaggedKeysOf(t.db, g.resource.id, 0), 'many')
    const rows = (await g.records()).body.items
    assert.equal(rows.filter((r: any) => r._objection).length, 1)

    assert.equal((await act(id, 'verification', { outcome: 'explain', comment: '已与户籍核对无误' }, outsider)).status, 404)
    const explained = await act(id, 'verification', { outcome: 'explain', comment: '已与户籍核对无误' }, w.tokens.approver)
    assert.equal(explained.body.status, 'explained')
    assert.deepEqual(await flaggedRows(), { flagged: 0, notice: undefined })
    assert.equal((await notices('objection.explained'))[0].userId, w.users.requester.id, 'the raiser is told')

    assert.equal((await act(id, 'dispute', { comment: '户籍系统显示不同' }, w.tokens.approver)).status, 403)
    const disputed = await act(id, 'dispute', { comment: '户籍系统显示不同' }, w.tokens.requester)
    assert.equal(disputed.body.status, 'coordination')
    const kase = await t.request('GET', `/api/v1/coordination-cases/${disputed.body.caseId}`, { token: w.tokens.requester })
    assert.equal(kase.body.origin, 'objection_dispute')
    assert.equal(kase.body.objectionId, id)
  })

  test('a confirmed error is corrected at the source: the flag stays until a new batch is active, then the raiser is told', async () => {
    const raised = await raise({ recordKeys: [OUYANG], type: 'outdated', description: '已迁出' })
    const id = raised.body.id
    await act(id, 'acceptance', { decision: 'accept', comment: '受理' })
    const confirmed = await act(id, 'verification', { outcome: 'confirm', comment: '确认有误，源头更正中' }, w.tokens.approver)
    assert.equal(confirmed.body.status, 'correcting')
    assert.equal((await flaggedRows()).flagged, 1, 'still flagged while being corrected')
    const early = await act(id, 'corrected', { comment: '已更正' }, w.tokens.approver)
    assert.equal(early.status, 409, 'no new batch yet')
    assert.equal(await resolveCorrectedObjections(t.db, t.clock.now()), 0)

    t.clock.advanceMinutes(5)
    const form = new FormData()
    form.append('file', new Blob([Buffer.from('id_no,full_name,county\n370705198512120021,欧阳娜娜,寿光市\n')]), 'fixed.csv')
    form.append('confirm', 'true') // a fixture's upload may replace rows mounted before: confirmed
    const upload = await t.request('POST', `/api/v1/catalog/resources/${g.resource.id}/mounts/table`, { token: w.tokens.cataloger, body: form })
    assert.equal(upload.status, 201, JSON.stringify(upload.body))
    assert.equal(await resolveCorrectedObjections(t.db, t.clock.now()), 1)
    assert.equal(await resolveCorrectedObjections(t.db, t.clock.now()), 0, 'once')
    const resolved = await t.request('GET', `/api/v1/objections/${id}`, { token: w.tokens.requester })
    assert.equal(resolved.body.status, 'resolved')
    assert.equal(resolved.body.flagged, false)
    assert.equal((await flaggedRows()).flagged, 0)
    assert.equal((await notices('objection.resolved'))[0].userId, w.users.requester.id)
  })

  test('a dismissal needs a reason; overdue stages escalate once, with warnings before', async () => {
    const dismissed = await raise({ recordKeys: ['no-such-key'] })
    assert.equal((await act(dismissed.body.id, 'acceptance', { decision: 'dismiss' })).status, 400)
    assert.equal((await act(dismissed.body.id, 'acceptance', { decision: 'dismiss', comment: '记录不存在' })).body.status, 'dismissed')

    t.clock.set('2026-03-10T02:00:00Z')
    await refreshTokens(t.db, w, t.clock.now())
    const raised = await raise({ recordKeys: ['370783200101015678'] })
    assert.equal(raised.body.dueDate, '2026-03-12')
    assert.equal(await warnObjectionsDueSoon(t.db, t.clock.now()), 1, 'due within the warning horizon')
    assert.equal(await warnObjectionsDueSoon(t.db, t.clock.now()), 0)
    assert.equal(await escalateOverdueObjections(t.db, new Date('2026-03-12T15:59:00Z')), 0, 'due at 23:59:59 Beijing time')
    assert.equal(await escalateOverdueObjections(t.db, new Date('2026-03-12T16:00:01Z')), 1)
    assert.equal(await escalateOverdueObjections(t.db, new Date('2026-03-13T16:00:01Z')), 0, 'escalated once')
    t.clock.set('2026-03-13T02:00:00Z')
    await refreshTokens(t.db, w, t.clock.now())
    const late = await t.request('GET', `/api/v1/objections/${raised.body.id}`, { token: w.tokens.authAdmin })
    assert.equal(late.body.escalated, true)
    assert.match(late.body.statusLabel, /逾期/)
    // Accepting late starts the provider's stage with a fresh clock, which escalates in turn.
    const accepted = await act(raised.body.id, 'acceptance', { decision: 'accept' })
    assert.equal(accepted.body.escalated, false)
    assert.equal(accepted.body.dueDate, '2026-03-20')
    assert.equal(await escalateOverdueObjections(t.db, new Date('2026-03-20T16:00:01Z')), 1)
    const overdue = await notices('objection.overdue')
    assert.ok(
      overdue.some((n) => n.orgId === w.deptA.id),
      'the provider hears of its overdue verification',
    )
    assert.ok(overdue.some((n) => n.orgId === w.authority.id))
    const list = await t.request('GET', '/api/v1/objections?box=received', { token: w.tokens.approver })
    assert.equal(list.body.total, 4)
    assert.equal((await t.request('GET', '/api/v1/objections?box=raised', { token: w.tokens.approver })).body.total, 0)
  })
})
