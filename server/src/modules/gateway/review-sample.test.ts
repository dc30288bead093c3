import assert from 'node:assert/strict'
import { after, before, describe, test } from 'node:test'
import { buildWorld, itemInput, resourceBody } from '../../testing/factories.ts'
import { buildTestApp, type TestApp } from '../../testing/test-app.ts'

/**
 * GET /catalog/resources/{id}/review-sample: the reviewer (AUTH_ADMIN) sees the mounted rows of a submitted
 * version, masked by the default rules with 不予共享 items withheld, and only while a version waits for review.
 */

const API = '/api/v1/catalog/resources'
const ID_NUMBERS = ['370702199001011234', '37070219850315202X', '370703197712125678', '370704200002294321', '37070519661231001X', '370781199408083333']
const NAMES = ['张伟', '王芳', '李娜', '刘洋', '陈静', '杨磊']
const item = (name: string, nameEn: string, extra: Record<string, unknown> = {}) => itemInput(name, nameEn, { length: 64, ...extra })

describe('the reviewer sees the mounted sample of a submitted version', () => {
  let t: TestApp
  let world: Awaited<ReturnType<typeof buildWorld>>
  let id = ''
  const read = (token: string) => t.request('GET', `${API}/${id}/review-sample`, { token })

  before(async () => {
    t = await buildTestApp()
    world = await buildWorld(t.db)
    const body = resourceBody({
      name: '社区矫正对象基本信息',
      shareModes: ['table'],
      items: [
        item('公民身份号码', 'id_no', {
          length: 18,
          isPrimaryKey: true,
          sensitive: true,
          piCategory: 'sensitive_personal',
          shareType: 2,
          shareCondition: '用于身份核验',
        }),
        item('姓名', 'person_name', { sensitive: true, piCategory: 'personal' }),
        item('矫正类别', 'category'),
        item('案件承办人备注', 'case_note', { shareType: 3, shareCondition: '涉及案件办理，不予共享' }),
      ],
    })
    const created = await t.request('POST', API, { token: world.tokens.cataloger, body })
    assert.equal(created.status, 201, JSON.stringify(created.body))
    id = created.body.id
    const csv = `id_no,person_name,category,case_note\n${ID_NUMBERS.map((no, i) => `${no},${NAMES[i]},缓刑,承办人意见${i}`).join('\n')}\n`
    const form = new FormData()
    form.append('file', new Blob([Buffer.from(csv)]), 'persons.csv')
    const mounted = await t.request('POST', `${API}/${id}/mounts/table`, { token: world.tokens.cataloger, body: form })
    assert.equal(mounted.status < 300, true, JSON.stringify(mounted.body))
  })
  after(() => t.close())

  test('before submission the authority does not see the draft (404) and the cataloger may not use the route (403)', async () => {
    assert.equal((await read(world.tokens.authAdmin)).status, 404)
    assert.equal((await read(world.tokens.cataloger)).status, 403)
  })

  test('a submitted version: five rows, personal items masked, 不予共享 withheld, the read audited', async () => {
    const submitted = await t.request('POST', `${API}/${id}/submit`, { token: world.tokens.cataloger })
    assert.equal(submitted.status, 200, JSON.stringify(submitted.body))
    const res = await read(world.tokens.authAdmin)
    assert.equal(res.status, 200, JSON.stringify(res.body))
    assert.equal(res.body.version, 1)
    assert.equal(res.body.rows.length, 5)
    assert.deepEqual(
      res.body.items.map((i: { nameEn: string; masking: string }) => `${i.nameEn}:${i.masking}`),
      ['id_no:id_card', 'person_name:name', 'category:none', 'case_note:suppress'],
    )
    const text = JSON.stringify(res.body)
    for (const no of ID_NUMBERS) assert.ok(!text.includes(no), `raw ${no} must not leave`)
    assert.ok(!text.includes('承办人意见'), 'a 不予共享 item is never shown')
    assert.equal(res.body.rows[0].id_no, '370702********1234')
    assert.match(res.body.rows[0].person_name, /^张\*+$/)
    assert.equal(res.body.rows[0].category, '缓刑')
    assert.equal(res.body.rows[0].case_note, null)
    const audit = await t.db
      .selectFrom('auditEvents')
      .select('actorId')
      .where('action', '=', 'gateway.review-sample.read')
      .where('objectId', '=', id)
      .where('result', '=', 'success')
      .execute()
    assert.deepEqual(
      audit.map((a) => a.actorId),
      [world.users.authAdmin.id],
    )
  })

  test('only the reviewer: the provider, other departments and the 三员 get 403', async () => {
    for (const token of [
      world.tokens.cataloger,
      world.tokens.approver,
      world.tokens.requester,
      world.tokens.sysAdmin,
      world.tokens.secAdmin,
      world.tokens.auditor,
    ]) {
      const res = await read(token)
      assert.equal(res.status, 403, JSON.stringify(res.body))
      assert.equal(res.body.error.code, 'FORBIDDEN')
    }
  })

  test('once published nothing waits for review: the authority gets 403; a submitted next version is shown again', async () => {
    const approved = await t.request('POST', `${API}/${id}/review`, { token: world.tokens.authAdmin, body: { decision: 'approve' } })
    assert.equal(approved.status, 200, JSON.stringify(approved.body))
    const published = await read(world.tokens.authAdmin)
    assert.equal(published.status, 403, JSON.stringify(published.body))
    assert.match(published.body.error.message, /待审核/)

    const revised = await t.request('PATCH', `${API}/${id}`, { token: world.tokens.cataloger, body: { abstract: '本市社区矫正对象的基本信息，按日更新。' } })
    assert.equal(revised.status, 200, JSON.stringify(revised.body))
    assert.equal((await read(world.tokens.authAdmin)).status, 403, 'an unsubmitted next version is not for review')
    assert.equal((await t.request('POST', `${API}/${id}/submit`, { token: world.tokens.cataloger })).status, 200)
    const again = await read(world.tokens.authAdmin)
    assert.equal(again.status, 200, JSON.stringify(again.body))
    assert.equal(again.body.version, 2)
  })

  test('an unknown entry is 404', async () => {
    const res = await t.request('GET', `${API}/00000000-0000-4000-8000-000000000000/review-sample`, { token: world.tokens.authAdmin })
    assert.equal(res.status, 404)
  })
})
