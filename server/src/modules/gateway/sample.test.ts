import assert from 'node:assert/strict'
import { after, before, test } from 'node:test'
import { buildWorld, itemInput, publishResource, resourceBody } from '../../testing/factories.ts'
import { buildTestApp, type TestApp } from '../../testing/test-app.ts'

/** GET /catalog/resources/{id}/sample: masked sample rows of a published 无条件共享 entry (SPEC §7.4). */

const API = '/api/v1/catalog/resources'
let t: TestApp
let world: Awaited<ReturnType<typeof buildWorld>>
let open: { id: string }
let conditional: { id: string }

const ID_NUMBERS = [
  '370702199001011234',
  '37070219850315202X',
  '370703197712125678',
  '370704200002294321',
  '37070519661231001X',
  '370781199408083333',
  '370782198811110012',
]
const item = (name: string, nameEn: string, extra: Record<string, unknown> = {}) => itemInput(name, nameEn, { length: 64, ...extra })

before(async () => {
  t = await buildTestApp()
  world = await buildWorld(t.db)
  const body = resourceBody({
    name: '殡葬服务机构从业人员信息',
    shareModes: ['table'],
    shareCondition: undefined,
    shareBasis: undefined,
    items: [
      item('公民身份号码', 'id_no', { length: 18, isPrimaryKey: true, sensitive: true, piCategory: 'sensitive_personal' }),
      item('姓名', 'person_name', { sensitive: true, piCategory: 'personal' }),
      item('所在机构', 'org_name'),
    ],
  })
  const created = await t.request('POST', API, { token: world.tokens.cataloger, body })
  assert.equal(created.status, 201, JSON.stringify(created.body))
  const csv = `id_no,person_name,org_name\n${ID_NUMBERS.map((id, i) => `${id},${['张伟', '王芳', '李娜', '刘洋', '陈静', '杨磊', '赵敏'][i]},潍坊市殡仪馆`).join('\n')}\n`
  const form = new FormData()
  form.append('file', new Blob([Buffer.from(csv)]), 'staff.csv')
  form.append('confirm', 'true') // a fixture's upload may replace rows mounted before: confirmed
  const mounted = await t.request('POST', `${API}/${created.body.id}/mounts/table`, { token: world.tokens.cataloger, body: form })
  assert.equal(mounted.status < 300, true, JSON.stringify(mounted.body))
  assert.equal((await t.request('POST', `${API}/${created.body.id}/submit`, { token: world.tokens.cataloger })).status, 200)
  const published = await t.request('POST', `${API}/${created.body.id}/review`, { token: world.tokens.authAdmin, body: { decision: 'approve' } })
  assert.equal(published.status, 200, JSON.stringify(published.body))
  open = published.body
  conditional = await publishResource(t, world.tokens, { shareModes: ['table'] })
})
after(() => t.close())

test('another department sees at most five rows, every personal item masked, and the read is audited', async () => {
  const res = await t.request('GET', `${API}/${open.id}/sample`, { token: world.tokens.requester })
  assert.equal(res.status, 200, JSON.stringify(res.body))
  assert.equal(res.body.rows.length, 5)
  assert.deepEqual(
    res.body.items.map((i: { masking: string }) => i.masking),
    ['id_card', 'name', 'none'],
  )
  const text = JSON.stringify(res.body)
  for (const id of ID_NUMBERS) assert.ok(!text.includes(id), `raw ${id} must not leave`)
  assert.equal(res.body.rows[0].id_no, '370702********1234')
  assert.match(res.body.rows[0].person_name, /^张\*+$/)
  assert.equal(res.body.rows[0].org_name, '潍坊市殡仪馆')
  const audit = await t.db.selectFrom('auditEvents').select('actorId').where('action', '=', 'gateway.sample.read').where('objectId', '=', open.id).execute()
  assert.deepEqual(
    audit.map((a) => a.actorId),
    [world.users.requester.id],
  )
})

test('a conditional entry has no sample, and the administrators of 三员 see no data', async () => {
  const res = await t.request('GET', `${API}/${conditional.id}/sample`, { token: world.tokens.requester })
  assert.equal(res.status, 409)
  assert.equal(res.body.error.code, 'NO_SAMPLE')
  assert.match(res.body.error.message, /共享申请/)
  for (const token of [world.tokens.sysAdmin, world.tokens.secAdmin, world.tokens.auditor]) {
    assert.equal((await t.request('GET', `${API}/${open.id}/sample`, { token })).status, 403)
  }
  assert.equal((await t.request('GET', `${API}/00000000-0000-4000-8000-000000000000/sample`, { token: world.tokens.requester })).status, 404)
})
