import assert from 'node:assert/strict'
import { after, before, describe, test } from 'node:test'
import { buildWorld, itemInput, publishResource } from '../../testing/factories.ts'
import { type TestApp, buildTestApp } from '../../testing/test-app.ts'

type World = Awaited<ReturnType<typeof buildWorld>>

const item = itemInput
const ITEMS = [
  item('公民身份号码', 'id_no', {
    length: 18,
    isPrimaryKey: true,
    sensitive: true,
    piCategory: 'sensitive_personal',
    shareType: 2,
    shareCondition: '用于身份核验',
  }),
  item('出生日期', 'birth_date', { dataType: 'D', length: undefined, sensitive: true, piCategory: 'personal', shareType: 2, shareCondition: '用于核对' }),
  item('婚姻状况', 'marital', { length: 10, sensitive: true, piCategory: 'personal', shareType: 1 }),
  item('所属区县', 'county', { length: 20, shareType: 1 }),
]

describe('grant terms: re-identifying masking is warned about; personal items without a rule are withheld', () => {
  let t: TestApp
  let w: World
  before(async () => {
    t = await buildTestApp()
    w = await buildWorld(t.db)
  })
  after(() => t.close())

  // One 有条件 entry for the decision tests, published on first use.
  let resource: any
  const itemId = (nameEn: string) => resource.items.find((i: any) => i.nameEn === nameEn).id
  let appId: string
  const apply = async (nameEns: string[]) => {
    resource ??= await publishResource(t, w.tokens, { name: '户籍人口基本信息', items: ITEMS })
    appId ??= (await t.request('POST', '/api/v1/apps', { token: w.tokens.requester, body: { name: '户籍核对系统' } })).body.id
    const res = await t.request('POST', '/api/v1/share-requests', {
      token: w.tokens.requester,
      body: {
        resourceId: resource.id,
        itemIds: nameEns.map(itemId),
        purpose: '数据校核',
        dutyBasis: '户籍信息核对',
        mode: 'api',
        appIds: [appId],
        validUntil: '2026-12-31',
      },
    })
    assert.equal(res.status, 201, JSON.stringify(res.body))
    return res.body
  }

  test('a masked 身份证号 granted with the full birth date: the preview and the decision carry the warning, and the audit keeps it', async () => {
    const request = await apply(['id_no', 'birth_date', 'county'])
    const terms = { masking: { [itemId('birth_date')]: 'none' } } // 身份证号 keeps its default, 保留前6后4
    const preview = await t.request('POST', `/api/v1/share-requests/${request.id}/decision-preview`, { token: w.tokens.approver, body: terms })
    assert.equal(preview.status, 200, JSON.stringify(preview.body))
    assert.equal(preview.body.masking[itemId('id_no')], 'id_card')
    assert.deepEqual(
      preview.body.warnings.map((x: any) => x.code),
      ['ID_RECOVERABLE'],
    )
    assert.match(preview.body.warnings[0].message, /出生日期.*第7–14位/)
    // The preview changes nothing; only the parties' deciders may ask for it.
    assert.equal((await t.request('GET', `/api/v1/share-requests/${request.id}`, { token: w.tokens.approver })).body.status, 'pending')
    assert.equal((await t.request('POST', `/api/v1/share-requests/${request.id}/decision-preview`, { token: w.tokens.requester, body: terms })).status, 403)

    const decided = await t.request('POST', `/api/v1/share-requests/${request.id}/decision`, {
      token: w.tokens.approver,
      body: { decision: 'approve', ...terms },
    })
    assert.equal(decided.status, 200, JSON.stringify(decided.body))
    assert.equal(decided.body.status, 'granted')
    assert.deepEqual(decided.body.warnings, preview.body.warnings)
    assert.deepEqual(decided.body.warnings[0].itemIds.sort(), [itemId('id_no'), itemId('birth_date'), itemId('county')].sort())
    const audit = await t.db
      .selectFrom('auditEvents')
      .select('detail')
      .where('action', '=', 'sharing.grant.create')
      .where('objectId', '=', decided.body.grantId)
      .executeTakeFirstOrThrow()
    assert.deepEqual((audit.detail as { warnings?: string[] }).warnings, ['ID_RECOVERABLE'])
  })

  test('with the birth year only (the default) there is no warning', async () => {
    const request = await apply(['id_no', 'birth_date'])
    const decided = await t.request('POST', `/api/v1/share-requests/${request.id}/decision`, { token: w.tokens.approver, body: { decision: 'approve' } })
    assert.equal(decided.status, 200, JSON.stringify(decided.body))
    assert.deepEqual(decided.body.warnings, [])
  })

  test('a personal item no default rule fits is suppressed in the grant, not given in clear', async () => {
    // 无条件 data is granted at once, on the default rules alone.
    const open = await publishResource(t, w.tokens, { name: '婚姻登记统计', shareCondition: undefined, shareBasis: undefined, items: ITEMS.slice(2) })
    const app = await t.request('POST', '/api/v1/apps', { token: w.tokens.requester, body: { name: '婚姻核对系统' } })
    const res = await t.request('POST', '/api/v1/share-requests', {
      token: w.tokens.requester,
      body: {
        resourceId: open.id,
        itemIds: open.items.map((i: any) => i.id),
        purpose: '数据校核',
        dutyBasis: '婚姻状况核对',
        mode: 'api',
        appIds: [app.body.id],
        validUntil: '2026-12-31',
      },
    })
    assert.equal(res.body.status, 'granted', JSON.stringify(res.body))
    const grant = await t.request('GET', `/api/v1/grants/${res.body.grantId}`, { token: w.tokens.requester })
    const ruleOf = (nameEn: string) => grant.body.masking[open.items.find((i: any) => i.nameEn === nameEn).id]
    assert.equal(ruleOf('marital'), 'suppress')
    assert.equal(ruleOf('county'), 'none')
  })
})
