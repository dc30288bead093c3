import assert from 'node:assert/strict'
import { after, before, describe, test } from 'node:test'
import { buildAppRow, buildWorld, publishResource, refreshTokens, resourceBody, toAuthority } from '../../testing/factories.ts'
import { type TestApp, buildTestApp } from '../../testing/test-app.ts'

describe('binding coordination decisions and grant status changes', () => {
  let t: TestApp
  let w: Awaited<ReturnType<typeof buildWorld>>
  before(async () => {
    t = await buildTestApp()
    w = await buildWorld(t.db)
  })
  after(() => t.close())

  test('a reclassification decision opens a catalog change task for the provider, due in 15 working days', async () => {
    const resource = await publishResource(t, w.tokens, { name: '社会组织年检信息（协调）' })
    const opened = await t.request('POST', '/api/v1/coordination-cases', {
      token: w.tokens.requester,
      body: { resourceId: resource.id, statement: '开展社会组织联合监管需要该数据' },
    })
    await toAuthority(t, w, opened.body.id)
    assert.equal(opened.status, 201, JSON.stringify(opened.body))
    const decided = await t.request('POST', `/api/v1/coordination-cases/${opened.body.id}/decision`, {
      token: w.tokens.authAdmin,
      body: { decision: 'reclassify', text: '经协调，年检结论信息项调整为无条件共享', shareType: 1 },
    })
    assert.equal(decided.status, 200, JSON.stringify(decided.body))
    const tasks = await t.request('GET', '/api/v1/catalog/review-tasks', { token: w.tokens.cataloger })
    assert.equal(tasks.status, 200, JSON.stringify(tasks.body))
    const task = tasks.body.items.find((x: any) => x.resourceId === resource.id)
    assert.ok(task, JSON.stringify(tasks.body))
    assert.equal(task.eventKind, 'coordination_decision')
    assert.match(task.eventDescription, /年检结论/)
    // 2026-03-02 (Monday) + 15 working days = 2026-03-23.
    assert.equal(task.dueDate, '2026-03-23')
    const event = await t.db.selectFrom('catalogChangeEvents').select(['orgId', 'caseId']).where('caseId', '=', opened.body.id).executeTakeFirstOrThrow()
    assert.equal(event.orgId, w.deptA.id)
    // The requester's department is not the provider: it gets no task.
    const other = await t.request('GET', '/api/v1/catalog/review-tasks', { token: w.tokens.catalogerB })
    assert.ok(!other.body.items.some((x: any) => x.resourceId === resource.id))
  })

  test('the provider cannot dismiss a binding reclassification: only a publication as decided closes its task', async () => {
    const resource = await publishResource(t, w.tokens, { name: '社会组织法定代表人信息（协调）' })
    const idItem = resource.items.find((i: any) => i.nameEn === 'legal_rep_id')
    const opened = await t.request('POST', '/api/v1/coordination-cases', {
      token: w.tokens.requester,
      body: { resourceId: resource.id, statement: '身份核验需要' },
    })
    await toAuthority(t, w, opened.body.id)
    const noType = await t.request('POST', `/api/v1/coordination-cases/${opened.body.id}/decision`, {
      token: w.tokens.authAdmin,
      body: { decision: 'reclassify', text: '调整' },
    })
    assert.equal(noType.status, 400)
    assert.equal(noType.body.error.details[0].field, 'shareType')
    const decided = await t.request('POST', `/api/v1/coordination-cases/${opened.body.id}/decision`, {
      token: w.tokens.authAdmin,
      body: { decision: 'reclassify', text: '法定代表人身份证号调整为无条件共享', shareType: 1, itemIds: [idItem.id] },
    })
    assert.equal(decided.status, 200, JSON.stringify(decided.body))
    const taskOf = async () =>
      (await t.request('GET', '/api/v1/catalog/review-tasks', { token: w.tokens.cataloger })).body.items.find((x: any) => x.resourceId === resource.id)
    const task = await taskOf()
    const dismissed = await t.request('POST', `/api/v1/catalog/review-tasks/${task.id}/complete`, {
      token: w.tokens.cataloger,
      body: { resolution: '无需调整' },
    })
    assert.equal(dismissed.status, 409, JSON.stringify(dismissed.body))
    assert.equal(dismissed.body.error.code, 'RECLASSIFICATION_REQUIRED')
    assert.equal((await taskOf()).status, 'open')

    const republish = async (shareType: 1 | 2, abstract: string) => {
      const items = resourceBody().items.map((input) => {
        const id = resource.items.find((i: any) => i.nameEn === input.nameEn).id
        return input.nameEn === 'legal_rep_id'
          ? { ...input, id, shareType, ...(shareType === 1 ? { shareCondition: undefined, sensitive: false, piCategory: 'none' as const } : {}) }
          : { ...input, id }
      })
      for (const [method, path, token, body] of [
        ['PATCH', `/api/v1/catalog/resources/${resource.id}`, w.tokens.cataloger, { items, abstract }],
        ['POST', `/api/v1/catalog/resources/${resource.id}/submit`, w.tokens.cataloger, undefined],
        ['POST', `/api/v1/catalog/resources/${resource.id}/review`, w.tokens.authAdmin, { decision: 'approve' }],
      ] as const) {
        const res = await t.request(method, path, { token, body })
        assert.ok(res.status < 300, `${method} ${path} → ${res.status} ${JSON.stringify(res.body)}`)
      }
    }
    await republish(2, '本市社会组织法定代表人登记信息（修订）')
    assert.equal((await taskOf()).status, 'open', 'a new version that ignores the decision does not settle it')
    await republish(1, '本市社会组织法定代表人登记信息（按协调决定调整）')
    const done = await taskOf()
    assert.equal(done.status, 'done')
    assert.match(done.resolution, /已发布第 3 版/)
  })

  test('uphold_refusal creates no catalog task', async () => {
    const resource = await publishResource(t, w.tokens, { name: '社会组织处罚信息（协调）' })
    const opened = await t.request('POST', '/api/v1/coordination-cases', { token: w.tokens.requester, body: { resourceId: resource.id, statement: '需要' } })
    await toAuthority(t, w, opened.body.id)
    await t.request('POST', `/api/v1/coordination-cases/${opened.body.id}/decision`, {
      token: w.tokens.authAdmin,
      body: { decision: 'uphold_refusal', text: '维持' },
    })
    const events = await t.db.selectFrom('catalogChangeEvents').select('id').where('caseId', '=', opened.body.id).execute()
    assert.equal(events.length, 0)
  })

  test('resuming a suspended grant past its validity is refused', async () => {
    const resource = await publishResource(t, w.tokens, {
      name: '社会组织登记信息（暂停）',
      items: [
        {
          name: '统一社会信用代码',
          nameEn: 'uscc',
          dataType: 'C',
          length: 18,
          shareType: 1,
          sensitive: false,
          piCategory: 'none',
          secret: false,
          isPrimaryKey: true,
          isTimestamp: false,
          basicItem: false,
        },
      ],
      shareCondition: undefined,
      shareBasis: undefined,
    })
    const granted = await t.request('POST', '/api/v1/share-requests', {
      token: w.tokens.requester,
      body: {
        resourceId: resource.id,
        itemIds: [resource.items[0].id],
        purpose: '业务协同',
        dutyBasis: '联合监管',
        mode: 'api',
        appIds: [await buildAppRow(t.db, w.deptB.id)],
        validUntil: '2026-03-10',
      },
    })
    const grantId = granted.body.grantId
    assert.equal((await t.request('POST', `/api/v1/grants/${grantId}/suspend`, { token: w.tokens.approver, body: { reason: '安全事件' } })).status, 200)
    t.clock.set('2026-03-11T02:00:00Z')
    try {
      await refreshTokens(t.db, w, t.clock.now())
      const res = await t.request('POST', `/api/v1/grants/${grantId}/resume`, { token: w.tokens.approver, body: { reason: '恢复' } })
      assert.equal(res.status, 409)
      assert.match(res.body.error.message, /有效期/)
    } finally {
      t.clock.set('2026-03-02T02:00:00Z')
      await refreshTokens(t.db, w, t.clock.now())
    }
  })
})
