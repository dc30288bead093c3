import assert from 'node:assert/strict'
import { after, before, describe, test } from 'node:test'
import ExcelJS from 'exceljs'
import JSZip from 'jszip'
import { sql } from 'kysely'
import { buildUser, buildWorld, publishResource, refreshTokens, resourceBody, tokenFor } from '../../testing/factories.ts'
import { buildTestApp, type TestApp } from '../../testing/test-app.ts'
import { warnRectificationNotices } from './jobs.ts'
import { bj, recordCalls, recordRequest, recordReviewTask } from './fixtures.ts'

/**
 * 考核 M1–M12 (SPEC §9) against a small world whose every figure is worked out by hand below, a frozen
 * snapshot recomputed later, drill-down to the records, R-17 notices with their clock, and the reports.
 */

let t: TestApp
let world: Awaited<ReturnType<typeof buildWorld>>
let deptBAdmin: string
let eX: { id: string }
let eY: { id: string }
let eZ: { id: string }
const PERIOD = { from: '2026-01-01', to: '2026-01-31', label: '2026年1月考核' }

before(async () => {
  t = await buildTestApp()
  world = await buildWorld(t.db)
  deptBAdmin = await tokenFor(t.db, await buildUser(t.db, { orgId: world.deptB.id, roles: ['DEPT_ADMIN'] }))
  const tokens = { cataloger: world.tokens.cataloger, authAdmin: world.tokens.authAdmin }
  // deptA publishes eX (有条件, with a basis) and eY (无条件), both 共享平台方式 with a daily table mount; eZ stays a draft.
  eX = await publishResource(t, tokens)
  const allOpen = resourceBody().items.map((item) => ({ ...item, shareType: 1 as const, sensitive: false, piCategory: 'none' as const }))
  eY = await publishResource(t, tokens, { items: allOpen, shareCondition: undefined })
  eZ = (await t.request('POST', '/api/v1/catalog/resources', { token: world.tokens.cataloger, body: resourceBody() })).body
  // The recorded times of the scenario (the factories ran on the test clock; the metrics read these columns).
  const created = bj('2026-01-05T10:00:00')
  await sql`update resources set created_at = ${created} where id in (${eX.id}, ${eY.id}, ${eZ.id})`.execute(t.db)
  await sql`update resource_versions set published_at = ${created} where resource_id in (${eX.id}, ${eY.id}) and published_at is not null`.execute(t.db)
  await sql`update mounts set created_at = ${created}, updated_at = ${created} where resource_id in (${eX.id}, ${eY.id})`.execute(t.db)
  await sql`update mount_batches set finished_at = ${created} where mount_id in (select id from mounts where resource_id in (${eX.id}, ${eY.id}))`.execute(t.db)
  // eX gets a second batch on 2026-01-20 12:00: that day is fresh again (daily cycle: 26 h).
  await sql`insert into mount_batches (mount_id, table_name, status, rows_loaded, started_at, finished_at)
            select id, active_table, 'replaced', 1, ${bj('2026-01-20T11:59:00')}, ${bj('2026-01-20T12:00:00')} from mounts where resource_id = ${eX.id}`.execute(
    t.db,
  )

  const A = world.deptA.id
  const B = world.deptB.id
  const req = { resourceId: eX.id, providerOrgId: A, requesterOrgId: B, requesterId: world.users.requester.id, decidedBy: world.users.approver.id }
  await recordRequest(t.db, { ...req, dueAt: bj('2026-01-19T23:59:59'), decision: 'approve', decidedAt: bj('2026-01-07T09:00:00') }) // on time
  await recordRequest(t.db, {
    ...req,
    dueAt: bj('2026-01-20T23:59:59'),
    decision: 'reject',
    decidedAt: bj('2026-01-22T09:00:00'),
    reason: '申请用途超出职责范围',
  }) // late, reasoned
  await recordRequest(t.db, { ...req, dueAt: bj('2026-01-21T23:59:59'), status: 'escalated', escalatedAt: bj('2026-01-22T00:01:00') }) // late
  await recordRequest(t.db, { ...req, dueAt: bj('2026-01-25T23:59:59'), status: 'withdrawn' }) // not counted
  await recordRequest(t.db, { ...req, dueAt: bj('2026-02-10T23:59:59'), decision: 'approve', decidedAt: bj('2026-01-28T09:00:00') }) // due after: M8 only
  await recordRequest(t.db, {
    ...req,
    dueAt: bj('2026-01-09T23:59:59'),
    decision: 'reject',
    decidedAt: bj('2026-01-29T09:00:00'),
    reason: null,
    status: 'rejected',
  }) // late, no basis
  // eY's 无条件 request is granted automatically: no decision by the provider, no clock.
  await recordRequest(t.db, { ...req, resourceId: eY.id, dueAt: null, decision: 'approve', decidedAt: bj('2026-01-08T09:00:00'), decidedBy: null })

  await recordReviewTask(t.db, {
    orgId: A,
    resourceId: eX.id,
    createdBy: world.users.cataloger.id,
    dueAt: bj('2026-01-15T23:59:59'),
    doneAt: bj('2026-01-14T16:00:00'),
  })
  await recordReviewTask(t.db, {
    orgId: A,
    resourceId: eY.id,
    createdBy: world.users.cataloger.id,
    dueAt: bj('2026-01-16T23:59:59'),
    doneAt: bj('2026-01-20T16:00:00'),
  })
  await recordReviewTask(t.db, { orgId: A, resourceId: eX.id, createdBy: world.users.cataloger.id, dueAt: bj('2026-01-30T23:59:59') })
  await recordReviewTask(t.db, { orgId: A, resourceId: eY.id, createdBy: world.users.cataloger.id, dueAt: bj('2026-02-13T23:59:59') })

  const C = (await t.db.insertInto('orgs').values({ name: '测试外县单位', regionCode: '370702', kind: 'department' }).returning('id').executeTakeFirstOrThrow())
    .id
  await recordCalls(t.db, { providerOrgId: A, consumerOrgId: B, resourceId: eX.id, at: bj('2026-01-10T09:00:00'), count: 3, rows: 5 })
  await recordCalls(t.db, { providerOrgId: A, consumerOrgId: B, resourceId: eX.id, at: bj('2026-01-11T09:00:00'), count: 2, rows: 5 })
  await recordCalls(t.db, { providerOrgId: A, consumerOrgId: C, resourceId: eY.id, at: bj('2026-01-12T23:30:00'), count: 1, rows: 7 })
  await recordCalls(t.db, { providerOrgId: A, consumerOrgId: B, resourceId: eX.id, at: bj('2026-01-13T09:00:00'), count: 4, result: 'denied' })
  await recordCalls(t.db, { providerOrgId: A, consumerOrgId: B, resourceId: eX.id, at: bj('2026-02-03T09:00:00'), count: 1 })

  const app = (
    await t.db
      .insertInto('apps')
      .values({ orgId: B, name: '救助核对系统', appKey: `k${Date.now()}`, secretHash: 'x', ipAllowList: [] })
      .returning('id')
      .executeTakeFirstOrThrow()
  ).id
  await t.db
    .insertInto('gatewayAppFlags')
    .values({ appId: app, orgId: B, reason: 'lookup_misses', misses: 40, firstAt: bj('2026-01-15T10:00:00'), lastAt: bj('2026-01-15T11:00:00') })
    .execute()

  t.clock.set(bj('2026-03-02T10:00:00'))
  await refreshTokens(t.db, world, t.clock.now())
  deptBAdmin = await deptBAdminToken()
})
const deptBAdminToken = async () =>
  tokenFor(
    t.db,
    await t.db.selectFrom('users').select('id').where('orgId', '=', world.deptB.id).where(sql<boolean>`'DEPT_ADMIN' = any(roles)`).executeTakeFirstOrThrow(),
    t.clock.now(),
  )
after(() => t.close())

const indicator = (row: { indicators: { id: string }[] }, id: string) =>
  row.indicators.find((i) => i.id === id) as unknown as { numerator: number; denominator: number; value: number | null; score: number | null }

describe('evaluation runs', () => {
  let runId: string
  let first: any

  test('the formulas give the figures worked out by hand', async () => {
    const created = await t.request('POST', '/api/v1/evaluation/runs', { token: world.tokens.authAdmin, body: PERIOD })
    assert.equal(created.status, 201, JSON.stringify(created.body))
    runId = created.body.id
    const scores = await t.request('GET', `/api/v1/evaluation/runs/${runId}/scores`, { token: world.tokens.authAdmin })
    assert.equal(scores.status, 200)
    first = scores.body
    const a = scores.body.items.find((i: any) => i.orgId === world.deptA.id)
    const b = scores.body.items.find((i: any) => i.orgId === world.deptB.id)
    // M1: tasks due in January 3 (15th done on 14th ✓, 16th done on 20th ✗, 30th open ✗) → 1/3.
    assert.deepEqual([indicator(a, 'M1').numerator, indicator(a, 'M1').denominator, indicator(a, 'M1').score], [1, 3, 33.33])
    // M2: compiled 3 (eX, eY, eZ), published 2 → 66.67.
    assert.deepEqual([indicator(a, 'M2').numerator, indicator(a, 'M2').denominator, indicator(a, 'M2').score], [2, 3, 66.67])
    // M3: both published 共享平台方式 entries mounted → 100.
    assert.deepEqual([indicator(a, 'M3').numerator, indicator(a, 'M3').denominator, indicator(a, 'M3').score], [2, 2, 100])
    // M4: 2 mounts × 27 days (5–31 Jan); fresh: both on the 5th (14 h), eX on the 20th (12 h) → 3/54.
    assert.deepEqual([indicator(a, 'M4').numerator, indicator(a, 'M4').denominator, indicator(a, 'M4').score], [3, 54, 5.56])
    // M5: due in January and not withdrawn: 19th ✓, 20th ✗ (decided 22nd), 21st ✗ (escalated), 9th ✗ (decided 29th) → 1/4.
    assert.deepEqual([indicator(a, 'M5').numerator, indicator(a, 'M5').denominator, indicator(a, 'M5').score], [1, 4, 25])
    // M7: 1 of 2 published entries 无条件; the 有条件 one has a basis → 50.
    assert.deepEqual([indicator(a, 'M7').numerator, indicator(a, 'M7').denominator, indicator(a, 'M7').score], [1, 2, 50])
    // M8: provider decisions in January 4 (2 approvals; rejections 2, one with a reason): 50×(1−2/4) + 50×1/2 = 50.
    assert.deepEqual([indicator(a, 'M8').numerator, indicator(a, 'M8').denominator, indicator(a, 'M8').score], [2, 4, 50])
    // M9: consumers B and C (the denied and the February calls are not counted); the tenant's highest is 2 → 100.
    assert.deepEqual([indicator(a, 'M9').value, indicator(a, 'M9').score], [2, 100])
    assert.deepEqual((a.indicators.find((i: any) => i.id === 'M9') as any).detail, { calls: 6, rows: 32, callDays: 3 })
    assert.deepEqual([indicator(b, 'M9').value, indicator(b, 'M9').score], [0, 0])
    // M6 and M10 have no records to count: not applicable, left out of the total.
    assert.equal(indicator(a, 'M6').score, null)
    assert.equal(indicator(a, 'M10').score, null)
    // M11: deptB's app flagged once → 80; M12: no overdue notices → 100.
    assert.deepEqual([indicator(b, 'M11').score, indicator(a, 'M11').score, indicator(a, 'M12').score], [80, 100, 100])
    // Totals: weights of the applicable indicators renormalised.
    const totalA = (7 * 33.33 + 7 * 66.67 + 10 * 100 + 12 * 5.56 + 12 * 25 + 6 * 50 + 8 * 50 + 10 * 100 + 8 * 100 + 7 * 100) / 87
    assert.equal(a.total, Math.round(totalA * 100) / 100)
    assert.equal(b.total, Math.round(((10 * 0 + 8 * 80 + 7 * 100) / 25) * 100) / 100)
    assert.deepEqual([a.rank, b.rank], [1, 2])
    // The county department is ranked in its own tenant; the city aggregate is there for the authority.
    const c = scores.body.items.find((i: any) => i.regionCode === '370702')
    assert.equal(c.rank, null, 'nothing to count for it: no total, no rank')
    assert.ok(scores.body.aggregates.some((x: any) => x.level === 'city'))
  })

  test('every figure drills down to the records behind it', async () => {
    const url = (id: string, q = '') => `/api/v1/evaluation/runs/${runId}/scores/${world.deptA.id}/indicators/${id}/evidence${q}`
    const m5 = await t.request('GET', url('M5'), { token: world.tokens.authAdmin })
    assert.equal(m5.status, 200)
    assert.equal(m5.body.total, 4)
    assert.equal(m5.body.items.filter((e: any) => e.ok).length, 1)
    assert.ok(m5.body.items.every((e: any) => e.objectType === 'share_request'))
    const late = await t.request('GET', url('M5', '?ok=false'), { token: world.tokens.authAdmin })
    assert.equal(late.body.total, 3)
    const m9 = await t.request('GET', url('M9'), { token: world.tokens.authAdmin })
    // One row per consumer and Beijing day; 23:30 on the 12th is the 12th in Beijing.
    assert.deepEqual(
      m9.body.items.map((e: any) => [e.day, e.label, e.amount]).sort(),
      [
        ['2026-01-10', world.deptB.name, 3],
        ['2026-01-11', world.deptB.name, 2],
        ['2026-01-12', '测试外县单位', 1],
      ].sort(),
    )
    const m4 = await t.request('GET', url('M4'), { token: world.tokens.authAdmin })
    const days = (range: [string, string]) => (Date.parse(range[1]) - Date.parse(range[0])) / 86_400_000 + 1
    const stale = m4.body.items.map((e: any) => [e.detail.staleRanges, e.detail.staleRanges.reduce((n: number, r: [string, string]) => n + days(r), 0)])
    // eY: fresh on the 5th only; eX: fresh on the 5th and the 20th.
    assert.deepEqual(stale.map((x: any) => x[1]).sort(), [25, 26])
    assert.ok(
      stale.some(
        (x: any) =>
          JSON.stringify(x[0]) ===
          JSON.stringify([
            ['2026-01-06', '2026-01-19'],
            ['2026-01-21', '2026-01-31'],
          ]),
      ),
    )
  })

  test('a department sees only its own scores; others get 404, other roles 403', async () => {
    const own = await t.request('GET', `/api/v1/evaluation/runs/${runId}/scores`, { token: world.tokens.deptAdmin })
    assert.equal(own.status, 200)
    assert.deepEqual(
      own.body.items.map((i: any) => i.orgId),
      [world.deptA.id],
    )
    assert.deepEqual(own.body.aggregates, [])
    const foreign = await t.request('GET', `/api/v1/evaluation/runs/${runId}/scores/${world.deptA.id}/indicators/M5/evidence`, { token: deptBAdmin })
    assert.equal(foreign.status, 404)
    assert.equal((await t.request('GET', `/api/v1/evaluation/runs/${runId}/scores`, { token: world.tokens.requester })).status, 403)
    assert.equal((await t.request('POST', '/api/v1/evaluation/runs', { token: world.tokens.deptAdmin, body: PERIOD })).status, 403)
    const cityReport = await t.request('GET', `/api/v1/evaluation/runs/${runId}/report?format=xlsx`, { token: world.tokens.deptAdmin })
    assert.equal(cityReport.status, 404)
    const otherReport = await t.request('GET', `/api/v1/evaluation/runs/${runId}/report?format=xlsx&orgId=${world.deptB.id}`, { token: world.tokens.deptAdmin })
    assert.equal(otherReport.status, 404)
  })

  test('bad input is a 400 naming the field, and changes nothing', async () => {
    const runs = await t.db.selectFrom('evaluationRuns').select('id').execute()
    const reversed = await t.request('POST', '/api/v1/evaluation/runs', { token: world.tokens.authAdmin, body: { from: '2026-02-01', to: '2026-01-01' } })
    assert.equal(reversed.status, 400)
    assert.equal(reversed.body.error.details[0].field, 'to')
    const future = await t.request('POST', '/api/v1/evaluation/runs', { token: world.tokens.authAdmin, body: { from: '2027-01-01', to: '2027-12-31' } })
    assert.equal(future.status, 400)
    const badDate = await t.request('POST', '/api/v1/evaluation/runs', { token: world.tokens.authAdmin, body: { from: '2026-02-30', to: '2026-03-01' } })
    assert.equal(badDate.status, 400)
    assert.equal((await t.db.selectFrom('evaluationRuns').select('id').execute()).length, runs.length)
  })

  test('a period recomputed later, after more activity, gives the same scores and evidence', async () => {
    // Activity after the period: a late decision, more calls, a task done, another entry published.
    await recordCalls(t.db, { providerOrgId: world.deptB.id, consumerOrgId: world.deptA.id, resourceId: eX.id, at: bj('2026-02-20T09:00:00'), count: 5 })
    await sql`update catalog_review_tasks set status = 'done', done_at = ${bj('2026-02-25T09:00:00')} where status = 'open'`.execute(t.db)
    await recordRequest(t.db, {
      resourceId: eX.id,
      providerOrgId: world.deptA.id,
      requesterOrgId: world.deptB.id,
      requesterId: world.users.requester.id,
      dueAt: bj('2026-02-27T23:59:59'),
      decision: 'reject',
      decidedAt: bj('2026-02-26T09:00:00'),
      decidedBy: world.users.approver.id,
      reason: '不符合',
    })
    t.clock.set(bj('2026-04-01T10:00:00'))
    await refreshTokens(t.db, world, t.clock.now())
    deptBAdmin = await deptBAdminToken()
    const again = await t.request('POST', '/api/v1/evaluation/runs', { token: world.tokens.authAdmin, body: PERIOD })
    assert.equal(again.status, 201)
    const scores = await t.request('GET', `/api/v1/evaluation/runs/${again.body.id}/scores`, { token: world.tokens.authAdmin })
    const strip = (body: any) => ({ items: body.items, aggregates: body.aggregates })
    assert.deepEqual(strip(scores.body), strip(first))
    const evidence = (run: string) =>
      sql<{
        n: string
      }>`select md5(string_agg(org_id || indicator || object_type || object_id || label || coalesce(day::text, '') || coalesce(ok::text, '') || coalesce(amount::text, '') || detail::text, ',' order by org_id, indicator, object_type, object_id, day)) as n from evaluation_evidence where run_id = ${run}`.execute(
        t.db,
      )
    assert.equal((await evidence(again.body.id)).rows[0]!.n, (await evidence(runId)).rows[0]!.n)
    // The first run itself never changed.
    const firstAgain = await t.request('GET', `/api/v1/evaluation/runs/${runId}/scores`, { token: world.tokens.authAdmin })
    assert.deepEqual(strip(firstAgain.body), strip(first))
  })

  test('notices for indicators below threshold: issued once, answered, returned, closed, warned and escalated', async () => {
    const issued = await t.request('POST', `/api/v1/evaluation/runs/${runId}/notices`, { token: world.tokens.authAdmin })
    assert.equal(issued.status, 200)
    const got = issued.body.items.map((n: any) => `${n.orgId === world.deptA.id ? 'A' : 'B'}:${n.indicator}`).sort()
    // A: M1 33.33, M4 5.56, M5 25, M8 50 under 60 (M7 50 ≥ its 30); B: M9 0 under 30.
    assert.deepEqual(got, ['A:M1', 'A:M4', 'A:M5', 'A:M8', 'B:M9'])
    // 20 working days from Wed 2026-04-01 (Qingming 4–6 Apr is off) → due date on the calendar.
    const dueDate = issued.body.items[0].dueDate
    assert.ok(issued.body.items.every((n: any) => n.dueDate === dueDate && n.status === 'issued'))
    assert.equal(
      (await t.request('POST', `/api/v1/evaluation/runs/${runId}/notices`, { token: world.tokens.authAdmin })).body.items.length,
      0,
      'issuing twice adds nothing',
    )

    const bNotice = issued.body.items.find((n: any) => n.orgId === world.deptB.id)
    const aNotice = issued.body.items.find((n: any) => n.orgId === world.deptA.id && n.indicator === 'M5')
    // The department is told in its notification centre.
    const inbox = await t.request('GET', '/api/v1/notifications?unread=true', { token: world.tokens.deptAdmin })
    assert.equal(inbox.body.unread, 4)
    assert.ok(inbox.body.items.every((n: any) => n.kind === 'evaluation.notice.issued'))
    // Only the notified department answers; another department's admin does not even see it.
    assert.equal(
      (await t.request('POST', `/api/v1/notices/${aNotice.id}/respond`, { token: deptBAdmin, body: { measures: '已建立答复台账并每日督办' } })).status,
      404,
    )
    assert.equal((await t.request('POST', `/api/v1/notices/${aNotice.id}/respond`, { token: world.tokens.deptAdmin, body: { measures: '短' } })).status, 400)
    const responded = await t.request('POST', `/api/v1/notices/${aNotice.id}/respond`, {
      token: world.tokens.deptAdmin,
      body: { measures: '已建立答复台账并每日督办' },
    })
    assert.equal(responded.status, 200)
    assert.equal(responded.body.status, 'responded')
    assert.equal(
      (await t.request('POST', `/api/v1/notices/${aNotice.id}/respond`, { token: world.tokens.deptAdmin, body: { measures: '再次反馈整改措施' } })).status,
      409,
    )
    const returned = await t.request('POST', `/api/v1/notices/${aNotice.id}/close`, {
      token: world.tokens.authAdmin,
      body: { accept: false, comment: '请说明逾期申请的处理结果' },
    })
    assert.equal(returned.body.status, 'issued')
    await t.request('POST', `/api/v1/notices/${aNotice.id}/respond`, { token: world.tokens.deptAdmin, body: { measures: '逾期申请均已补办答复，台账见附件' } })
    assert.equal((await t.request('POST', `/api/v1/notices/${aNotice.id}/close`, { token: world.tokens.deptAdmin, body: { comment: '自行办结' } })).status, 403)
    const closed = await t.request('POST', `/api/v1/notices/${aNotice.id}/close`, {
      token: world.tokens.authAdmin,
      body: { accept: true, comment: '整改到位' },
    })
    assert.equal(closed.body.status, 'closed')

    // The clock: 2 working days before the due date, on it, then past it.
    const dueAt = new Date(bNotice.dueAt)
    t.clock.set(new Date(dueAt.getTime() - 36 * 3_600_000))
    const before = await warnRectificationNotices(t.db, t.clock.now())
    assert.ok(before >= 1)
    assert.equal(await warnRectificationNotices(t.db, t.clock.now()), 0, 'a stage is warned once')
    t.clock.set(new Date(dueAt.getTime() - 10 * 3_600_000))
    assert.ok((await warnRectificationNotices(t.db, t.clock.now())) >= 1)
    t.clock.set(new Date(dueAt.getTime() + 60_000))
    assert.ok((await warnRectificationNotices(t.db, t.clock.now())) >= 2)
    const kinds = await t.db.selectFrom('notifications').select(['kind', 'orgId']).where('objectId', '=', bNotice.id).orderBy('createdAt').execute()
    assert.deepEqual(
      kinds.map((k) => k.kind),
      ['evaluation.notice.issued', 'evaluation.notice.due_soon', 'evaluation.notice.due_today', 'evaluation.notice.overdue', 'evaluation.notice.overdue'],
    )
    assert.equal(kinds.at(-1)!.orgId, world.authority.id, 'the authority is told of the overdue notice')
    const after = await t.db.selectFrom('rectificationNotices').select(['escalatedAt']).where('id', '=', bNotice.id).executeTakeFirstOrThrow()
    assert.ok(after.escalatedAt)
    const closedNotice = await t.db.selectFrom('notifications').select('kind').where('objectId', '=', aNotice.id).where('kind', 'like', '%overdue').execute()
    assert.equal(closedNotice.length, 0, 'a closed notice has no clock')
  })

  test('the reports, parsed back, carry the figures of the API', async () => {
    await refreshTokens(t.db, world, t.clock.now())
    const scores = (await t.request('GET', `/api/v1/evaluation/runs/${runId}/scores`, { token: world.tokens.authAdmin })).body
    const a = scores.items.find((i: any) => i.orgId === world.deptA.id)
    const docx = await fetch(`${t.baseUrl}/api/v1/evaluation/runs/${runId}/report?format=docx&orgId=${world.deptA.id}`, {
      headers: { authorization: `Bearer ${world.tokens.deptAdmin}` },
    })
    assert.equal(docx.status, 200)
    assert.match(docx.headers.get('content-type')!, /wordprocessingml/)
    const zip = await JSZip.loadAsync(Buffer.from(await docx.arrayBuffer()))
    const xml = await zip.file('word/document.xml')!.async('string')
    const text = [...xml.matchAll(/<w:t(?: [^>]*)?>([^<]*)<\/w:t>/g)].map((m) => m[1]).join('|')
    assert.ok(text.includes(`综合得分 ${a.total} 分`), text.slice(0, 400))
    assert.ok(text.includes(world.deptA.name))
    for (const line of a.indicators) {
      const expected = line.score === null ? '不适用' : String(line.score)
      assert.ok(text.includes(`|${line.id}|${line.name}|${line.numerator} / ${line.denominator}|`), `${line.id} row`)
      assert.ok(text.includes(`|${expected}|${line.weight}|${line.threshold}`), `${line.id} score ${expected}`)
    }
    assert.ok(text.includes('整改措施：逾期申请均已补办答复'))
    assert.match(xml, /仿宋_GB2312/)

    const xlsx = await fetch(`${t.baseUrl}/api/v1/evaluation/runs/${runId}/report?format=xlsx`, {
      headers: { authorization: `Bearer ${world.tokens.authAdmin}` },
    })
    assert.equal(xlsx.status, 200)
    const workbook = new ExcelJS.Workbook()
    await workbook.xlsx.load(Buffer.from(await xlsx.arrayBuffer()) as never)
    const ranking = workbook.getWorksheet('部门排名')!
    const rows = ranking
      .getSheetValues()
      .slice(2)
      .map((r: any) => [r[2], r[4]])
    for (const item of scores.items)
      assert.ok(
        rows.some(([name, total]) => name === item.orgName && total === (item.total ?? '不适用')),
        item.orgName,
      )
    const sheet = workbook.getWorksheet('指标得分')!
    const city = scores.aggregates.find((x: any) => x.level === 'city')
    for (const line of city.indicators) {
      const row = sheet.getSheetValues().find((r: any) => r?.[1] === line.id) as any[]
      assert.equal(row[5], line.score === null ? '不适用' : String(line.score), line.id)
    }
  })
})
