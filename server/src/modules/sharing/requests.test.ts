import assert from 'node:assert/strict'
import { after, before, describe, test } from 'node:test'
import { buildAppRow, buildUser, buildWorld, publishResource, refreshTokens, tokenFor } from '../../testing/factories.ts'
import { type TestApp, buildTestApp } from '../../testing/test-app.ts'
import { escalateOverdueRequests, warnDueSoon } from './jobs.ts'

type World = Awaited<ReturnType<typeof buildWorld>>

const ITEMS = {
  uscc: {
    name: '统一社会信用代码',
    nameEn: 'uscc',
    dataType: 'C' as const,
    length: 18,
    shareType: 1 as const,
    sensitive: false,
    piCategory: 'none' as const,
    secret: false,
    isPrimaryKey: true,
    isTimestamp: false,
    basicItem: false,
  },
  name: {
    name: '法定代表人姓名',
    nameEn: 'rep_name',
    dataType: 'C' as const,
    length: 50,
    shareType: 1 as const,
    sensitive: true,
    piCategory: 'personal' as const,
    secret: false,
    isPrimaryKey: false,
    isTimestamp: false,
    basicItem: false,
  },
  idCard: {
    name: '法定代表人身份证号',
    nameEn: 'rep_id',
    dataType: 'C' as const,
    length: 18,
    shareType: 2 as const,
    shareCondition: '仅用于身份核验',
    sensitive: true,
    piCategory: 'sensitive_personal' as const,
    secret: false,
    isPrimaryKey: false,
    isTimestamp: false,
    basicItem: false,
  },
  tax: {
    name: '纳税信用评价',
    nameEn: 'tax_grade',
    dataType: 'C' as const,
    length: 2,
    shareType: 3 as const,
    shareCondition: '涉及纳税人商业秘密',
    sensitive: false,
    piCategory: 'none' as const,
    secret: false,
    isPrimaryKey: false,
    isTimestamp: false,
    basicItem: false,
  },
}

describe('share requests: three paths, decisions and deadlines', () => {
  let t: TestApp
  let w: World
  let conditional: any // 有条件共享 with one 不予共享 item
  let unconditional: any
  let notShared: any
  let requesterApprover: string
  let appId: string

  before(async () => {
    t = await buildTestApp()
    w = await buildWorld(t.db)
    appId = await buildAppRow(t.db, w.deptB.id)
    conditional = await publishResource(t, w.tokens, { name: '企业登记信息', items: [ITEMS.uscc, ITEMS.name, ITEMS.idCard, ITEMS.tax] })
    unconditional = await publishResource(t, w.tokens, {
      name: '社会组织名录',
      shareCondition: undefined,
      shareBasis: undefined,
      items: [ITEMS.uscc, ITEMS.name],
    })
    notShared = await publishResource(t, w.tokens, {
      name: '涉税评价明细',
      openFlag: false,
      items: [{ ...ITEMS.tax }, { ...ITEMS.uscc, shareType: 3, shareCondition: '同上' }],
    })
    // An approver who belongs to the requesting department.
    requesterApprover = await tokenFor(t.db, await buildUser(t.db, { orgId: w.deptB.id, roles: ['APPROVER', 'REQUESTER'] }))
  })
  after(() => t.close())

  const itemId = (resource: any, nameEn: string) => resource.items.find((i: any) => i.nameEn === nameEn).id
  const apply = (resource: any, nameEns: string[], extra: Record<string, unknown> = {}, token = w.tokens.requester) =>
    t.request('POST', '/api/v1/share-requests', {
      token,
      body: {
        resourceId: resource.id,
        itemIds: nameEns.map((n) => itemId(resource, n)),
        purpose: '行政依据',
        dutyBasis: '《社会组织登记管理条例》 社会组织年检',
        mode: 'api',
        appIds: [appId],
        validUntil: '2026-12-31',
        ...extra,
      },
    })
  const count = async (table: 'shareRequests' | 'grants') =>
    (
      await t.db
        .selectFrom(table)
        .select((eb) => eb.fn.countAll<number>().as('n'))
        .executeTakeFirstOrThrow()
    ).n

  test('unconditional data is granted at once, with default masking of personal items', async () => {
    const res = await apply(unconditional, ['uscc', 'rep_name'])
    assert.equal(res.status, 201, JSON.stringify(res.body))
    assert.equal(res.body.status, 'granted')
    assert.ok(res.body.grantId)
    assert.match(res.body.no, /^SQ20260302\d{4}$/)
    const grant = await t.request('GET', `/api/v1/grants/${res.body.grantId}`, { token: w.tokens.requester })
    assert.equal(grant.status, 200)
    assert.equal(grant.body.status, 'active')
    assert.equal(grant.body.masking[itemId(unconditional, 'rep_name')], 'name')
    assert.equal(grant.body.masking[itemId(unconditional, 'uscc')], 'none')
    assert.deepEqual(
      res.body.history.map((h: any) => h.action),
      ['submit', 'auto_grant'],
    )
  })

  test('conditional data waits for the provider, due at the end of the 10th working day', async () => {
    const res = await apply(conditional, ['uscc', 'rep_id'])
    assert.equal(res.status, 201)
    assert.equal(res.body.status, 'pending')
    assert.equal(res.body.dueDate, '2026-03-16')
    assert.equal(new Date(res.body.dueAt).toISOString(), '2026-03-16T15:59:59.000Z')
    assert.equal(res.body.remainingWorkdays, 10)
    assert.equal(res.body.grantId, null)
  })

  test('not-shared data and not-shared items cannot be requested', async () => {
    const before = await count('shareRequests')
    const whole = await apply(notShared, ['tax_grade'])
    assert.equal(whole.status, 409)
    assert.equal(whole.body.error.code, 'NOT_SHAREABLE')
    assert.match(whole.body.error.message, /协调/)
    const item = await apply(conditional, ['uscc', 'tax_grade'])
    assert.equal(item.status, 409)
    assert.equal(item.body.error.code, 'ITEM_NOT_SHAREABLE')
    assert.match(item.body.error.message, /纳税信用评价/)
    assert.equal(await count('shareRequests'), before)
    // The entry's actions say the same to the console: no 申请, but 申请协调 for a requester (not for its provider).
    const detail = (token: string) => t.request('GET', `/api/v1/catalog/resources/${notShared.id}`, { token })
    const seen = (await detail(w.tokens.requester)).body.actions
    assert.deepEqual({ request: seen.request, coordinate: seen.coordinate }, { request: false, coordinate: true })
    assert.equal((await detail(w.tokens.cataloger)).body.actions.coordinate, false)
    const shared = (await t.request('GET', `/api/v1/catalog/resources/${conditional.id}`, { token: w.tokens.requester })).body.actions
    assert.deepEqual({ request: shared.request, coordinate: shared.coordinate }, { request: true, coordinate: false })
  })

  test('bad requests are refused with the field named and change nothing', async () => {
    const before = await count('shareRequests')
    const cases: [Record<string, unknown>, string][] = [
      [{ mode: 'file' }, 'mode'],
      [{ purpose: '其他' }, 'purposeDetail'],
      [{ validUntil: '2026-02-30' }, 'validUntil'],
      [{ validUntil: '2026-01-01' }, 'validUntil'],
      [{ dutyBasis: '' }, 'dutyBasis'],
      [{ itemIds: [] }, 'itemIds'],
      [{ itemIds: ['00000000-0000-4000-8000-000000000000'] }, 'itemIds[0]'],
    ]
    for (const [extra, field] of cases) {
      const res = await apply(conditional, ['uscc'], extra)
      assert.equal(res.status, 400, JSON.stringify(extra))
      assert.equal(res.body.error.code, 'VALIDATION_FAILED')
      assert.ok(
        res.body.error.details.some((d: any) => d.field === field),
        `${field} in ${JSON.stringify(res.body.error.details)}`,
      )
    }
    const own = await apply(conditional, ['uscc'], {}, w.tokens.cataloger)
    assert.equal(own.status, 403) // a CATALOGER is not a REQUESTER
    assert.equal(await count('shareRequests'), before)
  })

  test('the provider approves part of it with masking, a row filter and a shorter validity', async () => {
    const req = (await apply(conditional, ['uscc', 'rep_name', 'rep_id'])).body
    const decision = await t.request('POST', `/api/v1/share-requests/${req.id}/decision`, {
      token: w.tokens.approver,
      body: {
        decision: 'approve',
        itemIds: [itemId(conditional, 'uscc'), itemId(conditional, 'rep_id')],
        masking: { [itemId(conditional, 'rep_id')]: 'id_card' },
        rowFilter: { uscc: { prefix: '5237' } },
        validUntil: '2026-09-30',
      },
    })
    assert.equal(decision.status, 200, JSON.stringify(decision.body))
    assert.equal(decision.body.status, 'granted')
    const grant = (await t.request('GET', `/api/v1/grants/${decision.body.grantId}`, { token: w.tokens.requester })).body
    assert.deepEqual(grant.itemIds.sort(), [itemId(conditional, 'uscc'), itemId(conditional, 'rep_id')].sort())
    assert.equal(grant.masking[itemId(conditional, 'rep_id')], 'id_card')
    assert.deepEqual(grant.rowFilter, { uscc: { prefix: '5237' } })
    assert.equal(grant.validUntil, '2026-09-30')
    assert.equal(grant.validFrom, '2026-03-02')
    const provided = await t.request('GET', '/api/v1/grants?box=provided', { token: w.tokens.approver })
    assert.ok(provided.body.items.some((g: any) => g.id === grant.id))
  })

  test('an approval may only narrow: wider items, later validity or foreign filters are refused', async () => {
    const req = (await apply(conditional, ['rep_id'])).body
    for (const [body, field] of [
      [{ itemIds: [itemId(conditional, 'uscc')] }, 'itemIds[0]'],
      [{ validUntil: '2027-06-30' }, 'validUntil'],
      [{ rowFilter: { no_such_column: { eq: 1 } } }, 'rowFilter.no_such_column'],
      [{ masking: { [itemId(conditional, 'uscc')]: 'none' } }, `masking.${itemId(conditional, 'uscc')}`],
    ] as const) {
      const res = await t.request('POST', `/api/v1/share-requests/${req.id}/decision`, { token: w.tokens.approver, body: { decision: 'approve', ...body } })
      assert.equal(res.status, 400, JSON.stringify(body))
      assert.equal(res.body.error.details[0].field, field)
    }
    const still = await t.request('GET', `/api/v1/share-requests/${req.id}`, { token: w.tokens.requester })
    assert.equal(still.body.status, 'pending')
  })

  test('a rejection needs a reason; data the catalog marks 无条件 cannot be refused', async () => {
    const req = (await apply(conditional, ['uscc', 'rep_id'])).body
    const noReason = await t.request('POST', `/api/v1/share-requests/${req.id}/decision`, { token: w.tokens.approver, body: { decision: 'reject' } })
    assert.equal(noReason.status, 400)
    assert.equal(noReason.body.error.details[0].field, 'reason')
    // A stock phrase or a word or two is not a reason the requester could answer in coordination.
    for (const [reason, message] of [
      ['不同意', /套话/],
      ['材料不全，不符合要求。', /套话/],
      ['涉及隐私', /至少写 8 个字/],
    ] as const) {
      const thin = await t.request('POST', `/api/v1/share-requests/${req.id}/decision`, { token: w.tokens.approver, body: { decision: 'reject', reason } })
      assert.equal(thin.status, 400, reason)
      assert.equal(thin.body.error.details[0].field, 'reason')
      assert.match(thin.body.error.details[0].message, message)
    }
    assert.equal((await t.request('GET', `/api/v1/share-requests/${req.id}`, { token: w.tokens.requester })).body.status, 'pending')
    const rejected = await t.request('POST', `/api/v1/share-requests/${req.id}/decision`, {
      token: w.tokens.approver,
      body: { decision: 'reject', reason: '申请用途与履职事项不符' },
    })
    assert.equal(rejected.status, 200)
    assert.equal(rejected.body.status, 'rejected')
    assert.equal(rejected.body.decisionReason, '申请用途与履职事项不符')
    assert.equal(rejected.body.actions.coordinate, false) // the approver is not the requester
    // only 无条件 items of a 有条件 entry are granted at submission, so there is nothing left to refuse.
    const onlyUnconditionalItems = (await apply(conditional, ['uscc', 'rep_name'])).body
    assert.equal(onlyUnconditionalItems.status, 'granted')
    const refused = await t.request('POST', `/api/v1/share-requests/${onlyUnconditionalItems.id}/decision`, {
      token: w.tokens.approver,
      body: { decision: 'reject', reason: '申请用途与履职事项不符' },
    })
    assert.equal(refused.status, 409)
    // A request pending from before that rule is still protected: data the catalog marks 无条件 cannot be refused.
    const earlier = (await apply(conditional, ['uscc', 'rep_id'])).body
    await t.db
      .updateTable('shareRequests')
      .set({ itemIds: [itemId(conditional, 'uscc'), itemId(conditional, 'rep_name')] })
      .where('id', '=', earlier.id)
      .execute()
    const protectedRefusal = await t.request('POST', `/api/v1/share-requests/${earlier.id}/decision`, {
      token: w.tokens.approver,
      body: { decision: 'reject', reason: '申请用途与履职事项不符' },
    })
    assert.equal(protectedRefusal.status, 409)
    assert.equal(protectedRefusal.body.error.code, 'CANNOT_REFUSE_UNCONDITIONAL')
  })

  test('nobody decides a request of another provider or of their own department', async () => {
    const req = (await apply(conditional, ['uscc', 'rep_id'])).body
    const own = await t.request('POST', `/api/v1/share-requests/${req.id}/decision`, { token: requesterApprover, body: { decision: 'approve' } })
    assert.equal(own.status, 403)
    const cataloger = await t.request('POST', `/api/v1/share-requests/${req.id}/decision`, { token: w.tokens.cataloger, body: { decision: 'approve' } })
    assert.equal(cataloger.status, 403)
    const stranger = await tokenFor(t.db, await buildUser(t.db, { orgId: w.authority.id, roles: ['APPROVER'] }))
    const foreign = await t.request('POST', `/api/v1/share-requests/${req.id}/decision`, { token: stranger, body: { decision: 'approve' } })
    assert.equal(foreign.status, 404)
    assert.equal((await t.request('GET', `/api/v1/share-requests/${req.id}`, { token: w.tokens.requester })).body.status, 'pending')
  })

  test('two concurrent decisions: exactly one wins, the other gets 409', async () => {
    const req = (await apply(conditional, ['uscc', 'rep_id'])).body
    const results = await Promise.all([
      t.request('POST', `/api/v1/share-requests/${req.id}/decision`, { token: w.tokens.approver, body: { decision: 'approve' } }),
      t.request('POST', `/api/v1/share-requests/${req.id}/decision`, {
        token: w.tokens.approver,
        body: { decision: 'reject', reason: '同一事项已有在办申请，重复提交' },
      }),
    ])
    assert.deepEqual(results.map((r) => r.status).sort(), [200, 409])
    const grants = await t.db.selectFrom('grants').select('id').where('requestId', '=', req.id).execute()
    assert.equal(grants.length, results.some((r) => r.body.status === 'granted') ? 1 : 0)
  })

  test('补正 pauses the clock once; the resubmission moves the due date by the paused working days', async () => {
    const req = (await apply(conditional, ['uscc', 'rep_id'])).body
    assert.equal(req.dueDate, '2026-03-16')
    const info = await t.request('POST', `/api/v1/share-requests/${req.id}/request-info`, { token: w.tokens.approver, body: { comment: '请补充履职依据文号' } })
    assert.equal(info.status, 200)
    assert.equal(info.body.status, 'need_more_info')
    t.clock.set('2026-03-05T02:00:00Z') // Thursday: 3 working days later
    await refreshTokens(t.db, w, t.clock.now())
    const back = await t.request('POST', `/api/v1/share-requests/${req.id}/resubmit`, {
      token: w.tokens.requester,
      body: { comment: '已补充', dutyBasis: '潍政办发〔2026〕3号' },
    })
    assert.equal(back.status, 200, JSON.stringify(back.body))
    assert.equal(back.body.status, 'pending')
    assert.equal(back.body.dueDate, '2026-03-19')
    assert.equal(back.body.dutyBasis, '潍政办发〔2026〕3号')
    const again = await t.request('POST', `/api/v1/share-requests/${req.id}/request-info`, { token: w.tokens.approver, body: { comment: '再补一次' } })
    assert.equal(again.status, 409)
    assert.deepEqual(
      back.body.history.map((h: any) => h.action),
      ['submit', 'request_info', 'resubmit'],
    )
    t.clock.set('2026-03-02T02:00:00Z')
    await refreshTokens(t.db, w, t.clock.now())
  })

  test('the requester withdraws before a decision, not after', async () => {
    const req = (await apply(conditional, ['uscc', 'rep_id'])).body
    const withdrawn = await t.request('POST', `/api/v1/share-requests/${req.id}/withdraw`, { token: w.tokens.requester, body: {} })
    assert.equal(withdrawn.status, 200)
    assert.equal(withdrawn.body.status, 'withdrawn')
    const twice = await t.request('POST', `/api/v1/share-requests/${req.id}/withdraw`, { token: w.tokens.requester })
    assert.equal(twice.status, 409)
  })

  test('lists: mine, incoming, and "all" within what the policy lets each caller see', async () => {
    const mine = await t.request('GET', '/api/v1/share-requests?box=mine&pageSize=200', { token: w.tokens.requester })
    assert.ok(mine.body.total > 0)
    assert.ok(mine.body.items.every((r: any) => r.requesterOrgId === w.deptB.id))
    const incoming = await t.request('GET', '/api/v1/share-requests?box=incoming&status=pending', { token: w.tokens.approver })
    assert.ok(incoming.body.items.every((r: any) => r.providerOrgId === w.deptA.id && r.status === 'pending'))
    assert.ok(incoming.body.items.some((r: any) => r.actions.decide))
    // A department's "all" is every request it is a party to; the authority's is every request.
    const all = await t.request('GET', '/api/v1/share-requests?box=all&pageSize=200', { token: w.tokens.requester })
    assert.equal(all.status, 200)
    assert.ok(all.body.items.every((r: any) => r.requesterOrgId === w.deptB.id || r.providerOrgId === w.deptB.id))
    const allAuthority = await t.request('GET', '/api/v1/share-requests?box=all&pageSize=200', { token: w.tokens.authAdmin })
    assert.equal(allAuthority.status, 200)
    assert.ok(allAuthority.body.total >= all.body.total)
  })

  test('the provider revokes a grant with a reason', async () => {
    const req = (await apply(unconditional, ['uscc'])).body
    const noReason = await t.request('POST', `/api/v1/grants/${req.grantId}/revoke`, { token: w.tokens.approver, body: {} })
    assert.equal(noReason.status, 400)
    const byConsumer = await t.request('POST', `/api/v1/grants/${req.grantId}/revoke`, { token: w.tokens.requester, body: { reason: 'x' } })
    assert.equal(byConsumer.status, 403)
    const revoked = await t.request('POST', `/api/v1/grants/${req.grantId}/revoke`, { token: w.tokens.approver, body: { reason: '使用单位职能调整' } })
    assert.equal(revoked.status, 200)
    assert.equal(revoked.body.status, 'revoked')
    assert.equal((await t.request('POST', `/api/v1/grants/${req.grantId}/revoke`, { token: w.tokens.approver, body: { reason: 'again' } })).status, 409)
  })

  test('masking preview shows what each rule leaves', async () => {
    const res = await t.request('POST', '/api/v1/masking/preview', {
      token: w.tokens.requester,
      body: { rule: 'id_card', values: ['370702199003071234', null] },
    })
    assert.equal(res.status, 200)
    assert.deepEqual(res.body.values, ['370702********1234', null])
  })
})

describe('deadlines escalate and the authority acts', () => {
  let t: TestApp
  let w: World
  let resource: any
  let appId: string
  before(async () => {
    t = await buildTestApp()
    w = await buildWorld(t.db)
    resource = await publishResource(t, w.tokens, { name: '婚姻登记信息' })
    appId = await buildAppRow(t.db, w.deptB.id)
  })
  after(() => t.close())

  const apply = () =>
    t.request('POST', '/api/v1/share-requests', {
      token: w.tokens.requester,
      body: {
        resourceId: resource.id,
        itemIds: [resource.items[0].id, resource.items[2].id],
        purpose: '数据校核',
        dutyBasis: '低保家庭经济状况核对',
        mode: 'api',
        appIds: [appId],
        validUntil: '2027-03-31',
      },
    })

  test('across National Day: submitted 2026-09-30 after 17:30, due 2026-10-21', async () => {
    t.clock.set('2026-09-30T10:00:00Z') // 18:00 Beijing
    await refreshTokens(t.db, w, t.clock.now())
    const res = await apply()
    assert.equal(res.body.dueDate, '2026-10-21')
    t.clock.set('2026-09-30T09:00:00Z') // 17:00 Beijing: counted from 9-30
    const earlier = await apply()
    assert.equal(earlier.body.dueDate, '2026-10-20')
  })

  test('a request not decided in time warns two working days before, then escalates exactly once', async () => {
    t.clock.set('2026-03-02T02:00:00Z')
    await refreshTokens(t.db, w, t.clock.now())
    const req = (await apply()).body
    assert.equal(req.dueDate, '2026-03-16')
    assert.equal(await warnDueSoon(t.db, new Date('2026-03-10T02:00:00Z')), 0)
    assert.ok((await warnDueSoon(t.db, new Date('2026-03-12T02:00:00Z'))) >= 1) // due − 2 WD
    assert.equal(await escalateOverdueRequests(t.db, new Date('2026-03-16T15:00:00Z')), 0) // still within the day
    const moved = await Promise.all([
      escalateOverdueRequests(t.db, new Date('2026-03-16T16:00:01Z')),
      escalateOverdueRequests(t.db, new Date('2026-03-16T16:00:01Z')),
    ])
    assert.ok(moved.reduce((a, b) => a + b, 0) >= 1)
    const events = await t.db.selectFrom('shareRequestEvents').select('action').where('requestId', '=', req.id).where('action', '=', 'escalate').execute()
    assert.equal(events.length, 1)
    t.clock.set('2026-03-17T02:00:00Z')
    await refreshTokens(t.db, w, t.clock.now())
    const view = await t.request('GET', `/api/v1/share-requests/${req.id}`, { token: w.tokens.authAdmin })
    assert.equal(view.body.status, 'escalated')
    assert.equal(view.body.remainingWorkdays, -1)
    assert.equal(view.body.actions.authorityDecide, true)
    assert.deepEqual(
      view.body.history.map((h: any) => h.action),
      ['submit', 'warn', 'escalate'],
    )

    const extend = await t.request('POST', `/api/v1/share-requests/${req.id}/authority-decision`, {
      token: w.tokens.authAdmin,
      body: { decision: 'extend', extendWorkdays: 3 },
    })
    assert.equal(extend.status, 200)
    assert.equal(extend.body.status, 'pending')
    assert.equal(extend.body.dueDate, '2026-03-20')
    await escalateOverdueRequests(t.db, new Date('2026-03-21T00:00:00Z'))
    const twice = await t.request('POST', `/api/v1/share-requests/${req.id}/authority-decision`, { token: w.tokens.authAdmin, body: { decision: 'extend' } })
    assert.equal(twice.status, 409)
    const granted = await t.request('POST', `/api/v1/share-requests/${req.id}/authority-decision`, {
      token: w.tokens.authAdmin,
      body: { decision: 'grant', comment: '督办直接授权' },
    })
    assert.equal(granted.status, 200)
    assert.equal(granted.body.status, 'granted')
    assert.ok(granted.body.grantId)
    const byApprover = await t.request('POST', `/api/v1/share-requests/${req.id}/authority-decision`, { token: w.tokens.approver, body: { decision: 'grant' } })
    assert.equal(byApprover.status, 403)
  })

  test('a refused request goes to coordination; the authority decision binds', async () => {
    t.clock.set('2026-03-02T02:00:00Z')
    await refreshTokens(t.db, w, t.clock.now())
    const req = (await apply()).body
    await t.request('POST', `/api/v1/share-requests/${req.id}/decision`, {
      token: w.tokens.approver,
      body: { decision: 'reject', reason: '涉及个人隐私，申请用途不足以支持' },
    })
    const opened = await t.request('POST', '/api/v1/coordination-cases', {
      token: w.tokens.requester,
      body: { requestId: req.id, statement: '低保核对为法定职责，需要该数据' },
    })
    assert.equal(opened.status, 201, JSON.stringify(opened.body))
    assert.equal(opened.body.status, 'open')
    const dup = await t.request('POST', '/api/v1/coordination-cases', { token: w.tokens.requester, body: { requestId: req.id, statement: '再来' } })
    assert.equal(dup.status, 409)
    const early = await t.request('POST', `/api/v1/coordination-cases/${opened.body.id}/escalate`, { token: w.tokens.requester, body: { text: '直接提请' } })
    assert.equal(early.status, 409, 'the departments negotiate first (R-6)')
    const tooEarly = await t.request('POST', `/api/v1/coordination-cases/${opened.body.id}/decision`, {
      token: w.tokens.authAdmin,
      body: { decision: 'uphold_refusal', text: 'x' },
    })
    assert.equal(tooEarly.status, 409, 'the authority decides only after the negotiation')
    const note = await t.request('POST', `/api/v1/coordination-cases/${opened.body.id}/notes`, { token: w.tokens.approver, body: { text: '同意在脱敏后提供' } })
    assert.equal(note.status, 200)
    assert.equal(note.body.status, 'negotiating')
    const up = await t.request('POST', `/api/v1/coordination-cases/${opened.body.id}/escalate`, { token: w.tokens.requester, body: { text: '协商未果' } })
    assert.equal(up.body.status, 'authority_coordinating')
    const notAuthority = await t.request('POST', `/api/v1/coordination-cases/${opened.body.id}/decision`, {
      token: w.tokens.approver,
      body: { decision: 'uphold_refusal', text: 'x' },
    })
    assert.equal(notAuthority.status, 403)
    const decided = await t.request('POST', `/api/v1/coordination-cases/${opened.body.id}/decision`, {
      token: w.tokens.authAdmin,
      body: { decision: 'grant_with_conditions', text: '按脱敏后提供，用于低保核对', conditions: '仅限最低生活保障核对，不得用于其他用途' },
    })
    assert.equal(decided.status, 200)
    assert.equal(decided.body.status, 'decided')
    assert.equal(decided.body.conditions, '仅限最低生活保障核对，不得用于其他用途')
    assert.ok(decided.body.grantId)
    const after = await t.request('GET', `/api/v1/share-requests/${req.id}`, { token: w.tokens.requester })
    assert.equal(after.body.status, 'granted')
    assert.match(after.body.decisionReason, /使用条件：仅限最低生活保障核对/)
    assert.deepEqual(
      decided.body.notes.map((n: any) => n.kind),
      ['statement', 'negotiation', 'escalation', 'decision'],
    )
    const told = await t.db
      .selectFrom('notifications')
      .select('orgId')
      .where('kind', '=', 'coordination.decided')
      .where('objectId', '=', opened.body.id)
      .execute()
    assert.deepEqual(told.map((n) => n.orgId).sort(), [w.deptA.id, w.deptB.id].sort())
    assert.equal(
      (await t.request('POST', `/api/v1/coordination-cases/${opened.body.id}/close`, { token: w.tokens.requester, body: { text: '结案' } })).status,
      403,
    )
    const closed = await t.request('POST', `/api/v1/coordination-cases/${opened.body.id}/close`, {
      token: w.tokens.authAdmin,
      body: { text: '已授权，决定执行完毕' },
    })
    assert.equal(closed.body.status, 'closed')
    assert.ok(closed.body.closedAt)
    assert.equal(
      (await t.request('POST', `/api/v1/coordination-cases/${opened.body.id}/notes`, { token: w.tokens.approver, body: { text: '补充' } })).status,
      409,
    )
    assert.equal(
      (await t.request('POST', `/api/v1/coordination-cases/${opened.body.id}/close`, { token: w.tokens.authAdmin, body: { text: '再次' } })).status,
      409,
    )
  })

  test('a case involving provincial or central matters goes up, and is decided after the answer comes back', async () => {
    const opened = await t.request('POST', '/api/v1/coordination-cases', {
      token: w.tokens.requester,
      body: { resourceId: resource.id, statement: '省级事项' },
    })
    assert.equal(opened.status, 201, JSON.stringify(opened.body))
    await t.request('POST', `/api/v1/coordination-cases/${opened.body.id}/notes`, { token: w.tokens.requester, body: { text: '双方协商：涉及省税务局数据' } })
    assert.equal(
      (await t.request('POST', `/api/v1/coordination-cases/${opened.body.id}/escalate-up`, { token: w.tokens.authAdmin, body: { text: '报省' } })).status,
      409,
      'the authority takes it up first',
    )
    const taken = await t.request('POST', `/api/v1/coordination-cases/${opened.body.id}/escalate`, {
      token: w.tokens.authAdmin,
      body: { text: '主管部门接手协调' },
    })
    assert.equal(taken.body.status, 'authority_coordinating')
    assert.equal(
      (await t.request('POST', `/api/v1/coordination-cases/${opened.body.id}/escalate-up`, { token: w.tokens.approver, body: { text: '报省' } })).status,
      403,
    )
    const up = await t.request('POST', `/api/v1/coordination-cases/${opened.body.id}/escalate-up`, {
      token: w.tokens.authAdmin,
      body: { text: '涉及省级垂管数据，提交省大数据局协调' },
    })
    assert.equal(up.body.status, 'escalated_up')
    const decided = await t.request('POST', `/api/v1/coordination-cases/${opened.body.id}/decision`, {
      token: w.tokens.authAdmin,
      body: { decision: 'uphold_refusal', text: '省级答复：维持不予共享' },
    })
    assert.equal(decided.body.status, 'decided')
  })
})
