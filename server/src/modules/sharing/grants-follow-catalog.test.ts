import assert from 'node:assert/strict'
import { randomBytes } from 'node:crypto'
import { after, before, describe, test } from 'node:test'
import { buildAppRow, buildWorld, itemInput, publishResource } from '../../testing/factories.ts'
import { type TestApp, buildTestApp } from '../../testing/test-app.ts'
import { lapseReconfirmations } from './grant-follow.ts'

type World = Awaited<ReturnType<typeof buildWorld>>

// Long enough that a call within it is served from the gateway's caches unless a change clears them.
const gatewayCacheMs = 60_000

const ITEMS = [
  itemInput('统一社会信用代码', 'uscc', { length: 18, isPrimaryKey: true }),
  itemInput('组织名称', 'org_name'),
  itemInput('备注', 'remark'),
  itemInput('登记机关', 'reg_office'),
  itemInput('法定代表人身份证号', 'rep_id', { length: 18, shareType: 2, shareCondition: '用于身份核验', sensitive: true, piCategory: 'sensitive_personal' }),
]
const CSV = ['uscc,org_name,remark,reg_office,rep_id', '91370700MA3C000001,潍坊市甲协会,无,潍坊市民政局,370702199003071234'].join('\n')
const CONDITIONAL = { shareCondition: '仅向承担社会组织监管职责的部门提供', shareBasis: '《社会团体登记管理条例》第二十七条' }

/** A 有条件 entry (one 有条件 item) with a mounted row, published by department A. */
async function publishEntry(t: TestApp, w: World) {
  const resource = await publishResource(t, w.tokens, {
    name: `社会组织登记${randomBytes(3).toString('hex')}`,
    shareModes: ['api', 'table', 'file'],
    items: ITEMS,
    ...CONDITIONAL,
  })
  const form = new FormData()
  form.append('file', new Blob([Buffer.from(CSV)]), 'rows.csv')
  form.append('confirm', 'true') // a fixture's upload may replace rows mounted before: confirmed
  const uploaded = await t.request('POST', `/api/v1/catalog/resources/${resource.id}/mounts/table`, { token: w.tokens.cataloger, body: form })
  assert.equal(uploaded.status, 201, JSON.stringify(uploaded.body))
  return resource
}

/** An app of department B with an access token. */
async function newApp(t: TestApp, w: World, token = w.tokens.requester) {
  const created = await t.request('POST', '/api/v1/apps', { token, body: { name: `应用${randomBytes(3).toString('hex')}`, ipAllowList: [] } })
  assert.equal(created.status, 201, JSON.stringify(created.body))
  const issued = await t.request('POST', '/api/v1/gateway/token', { body: { appKey: created.body.appKey, appSecret: created.body.appSecret } })
  assert.equal(issued.status, 200, JSON.stringify(issued.body))
  return {
    id: created.body.id as string,
    appKey: created.body.appKey as string,
    appSecret: created.body.appSecret as string,
    token: issued.body.accessToken as string,
  }
}

const idsOf = (resource: any, nameEns: string[]) => nameEns.map((n) => resource.items.find((i: any) => i.nameEn === n).id as string)

function apply(t: TestApp, w: World, resource: any, nameEns: string[], extra: Record<string, unknown> = {}) {
  return t.request('POST', '/api/v1/share-requests', {
    token: w.tokens.requester,
    body: {
      resourceId: resource.id,
      itemIds: idsOf(resource, nameEns),
      purpose: '业务协同',
      dutyBasis: '社会组织联合监管',
      mode: 'api',
      validUntil: '2026-12-31',
      ...extra,
    },
  })
}

/** Publishes the entry's next version with each item's share type changed as given (undefined: item removed). */
async function republish(t: TestApp, w: World, resource: any, shareTypes: Record<string, 1 | 2 | 3 | undefined>) {
  const items = ITEMS.flatMap((input) => {
    const current = resource.items.find((i: any) => i.nameEn === input.nameEn)
    if (input.nameEn in shareTypes && shareTypes[input.nameEn] === undefined) return []
    const shareType = shareTypes[input.nameEn] ?? input.shareType
    return [
      {
        ...input,
        id: current.id,
        shareType,
        ...(shareType === 1 ? {} : { shareCondition: (input as { shareCondition?: string }).shareCondition ?? '经评估调整为受限共享' }),
      },
    ]
  })
  const step = async (method: string, path: string, token: string, body?: unknown) => {
    const res = await t.request(method, path, { token, body })
    assert.ok(res.status < 300, `${method} ${path} → ${res.status} ${JSON.stringify(res.body)}`)
    return res.body
  }
  await step('PATCH', `/api/v1/catalog/resources/${resource.id}`, w.tokens.cataloger, { items })
  await step('POST', `/api/v1/catalog/resources/${resource.id}/submit`, w.tokens.cataloger)
  return step('POST', `/api/v1/catalog/resources/${resource.id}/review`, w.tokens.authAdmin, { decision: 'approve' })
}

describe('grants follow the catalog (SPEC §7.2)', () => {
  let t: TestApp
  let w: World
  before(async () => {
    t = await buildTestApp({ config: { gatewayCacheMs } })
    w = await buildWorld(t.db)
  })
  after(() => t.close())

  const read = (resource: any, token: string) =>
    t.request('GET', `/api/v1/gateway/resources/${resource.id}/records`, { headers: { authorization: `Bearer ${token}` } })
  const grantOf = (id: string, token = w.tokens.requester) => t.request('GET', `/api/v1/grants/${id}`, { token })

  test('R-4: a request for only the 无条件 items of a 有条件 entry is granted at submission', async () => {
    const resource = await publishEntry(t, w)
    assert.equal(resource.shareType, 2)
    const app = await newApp(t, w)
    const res = await apply(t, w, resource, ['uscc', 'org_name'], { appIds: [app.id] })
    assert.equal(res.status, 201, JSON.stringify(res.body))
    assert.equal(res.body.status, 'granted')
    assert.ok(res.body.grantId)
    assert.equal(res.body.dueDate, null)
    assert.deepEqual(
      res.body.history.map((h: any) => h.action),
      ['submit', 'auto_grant'],
    )
    // One 有条件 item still makes it wait for the provider.
    const pending = await apply(t, w, resource, ['uscc', 'rep_id'], { appIds: [app.id] })
    assert.equal(pending.body.status, 'pending')
  })

  test('a new version stops dropped and 不予共享 items at once, asks the provider to reconfirm tightened ones, and tells the consumer', async () => {
    const resource = await publishEntry(t, w)
    const app = await newApp(t, w)
    const granted = await apply(t, w, resource, ['uscc', 'org_name', 'remark', 'reg_office'], { appIds: [app.id] })
    assert.equal(granted.body.status, 'granted', JSON.stringify(granted.body))
    const grantId = granted.body.grantId
    const first = await read(resource, app.token) // the entry and the grant are now cached
    assert.equal(first.status, 200, JSON.stringify(first.body))
    assert.deepEqual(Object.keys(first.body.items[0]).sort(), ['org_name', 'reg_office', 'remark', 'uscc'])

    // v2: org_name becomes 不予共享, remark disappears, uscc becomes 有条件; reg_office is unchanged.
    await republish(t, w, resource, { org_name: 3, remark: undefined, uscc: 2 })
    const next = await read(resource, app.token)
    assert.equal(next.status, 200, JSON.stringify(next.body))
    assert.deepEqual(Object.keys(next.body.items[0]).sort(), ['reg_office', 'uscc'], 'no waiting for the cache: the change applies to the next call')

    const grant = (await grantOf(grantId)).body
    assert.deepEqual(grant.itemIds.sort(), idsOf(resource, ['uscc', 'reg_office']).sort())
    assert.deepEqual(
      grant.events.map((e: any) => e.kind),
      ['items_dropped', 'reconfirmation_opened'],
    )
    assert.match(grant.events[0].text, /组织名称/)
    assert.match(grant.events[0].text, /备注/)
    assert.deepEqual(grant.events[1].itemIds, idsOf(resource, ['uscc']))
    // Due at the end of the 10th working day after publication (2026-03-02 → 2026-03-16).
    assert.equal(grant.reconfirmation.dueDate, '2026-03-16')
    assert.equal(grant.actions.reconfirm, false, 'the consumer cannot reconfirm')
    assert.equal((await grantOf(grantId, w.tokens.approver)).body.actions.reconfirm, true)
    const audited = await t.db.selectFrom('auditEvents').select('action').where('grantId', '=', grantId).execute()
    assert.ok(audited.some((a) => a.action === 'sharing.grant.follow-catalog'))

    // Not reconfirmed in time: the job suspends uscc only; reg_office keeps flowing.
    assert.equal(await lapseReconfirmations(t.db, new Date('2026-03-16T15:00:00Z')), 0, 'not before the due time')
    assert.equal(await lapseReconfirmations(t.db, new Date('2026-03-16T16:00:01Z')), 1)
    assert.equal(await lapseReconfirmations(t.db, new Date('2026-03-16T16:00:01Z')), 0, 'once')
    const lapsed = await read(resource, app.token)
    assert.deepEqual(Object.keys(lapsed.body.items[0]), ['reg_office'])
    const suspended = (await grantOf(grantId)).body
    assert.deepEqual(suspended.suspendedItemIds, idsOf(resource, ['uscc']))
    assert.equal(suspended.events.at(-1).kind, 'items_suspended')

    // The provider's later reconfirmation restores it, and the consumer sees that too.
    const consumerTry = await t.request('POST', `/api/v1/grants/${grantId}/reconfirm`, { token: w.tokens.requester, body: {} })
    assert.equal(consumerTry.status, 403)
    const reconfirmed = await t.request('POST', `/api/v1/grants/${grantId}/reconfirm`, { token: w.tokens.approver, body: { comment: '继续提供' } })
    assert.equal(reconfirmed.status, 200, JSON.stringify(reconfirmed.body))
    assert.deepEqual(reconfirmed.body.suspendedItemIds, [])
    assert.deepEqual(Object.keys((await read(resource, app.token)).body.items[0]).sort(), ['reg_office', 'uscc'])
    assert.equal((await grantOf(grantId)).body.events.at(-1).kind, 'reconfirmed')
    const again = await t.request('POST', `/api/v1/grants/${grantId}/reconfirm`, { token: w.tokens.approver, body: {} })
    assert.equal(again.status, 409)
  })

  test('a reconfirmation given in time keeps the items flowing past the due date', async () => {
    const resource = await publishEntry(t, w)
    const app = await newApp(t, w)
    const granted = await apply(t, w, resource, ['uscc', 'reg_office'], { appIds: [app.id] })
    await republish(t, w, resource, { uscc: 2 })
    const ok = await t.request('POST', `/api/v1/grants/${granted.body.grantId}/reconfirm`, { token: w.tokens.approver, body: {} })
    assert.equal(ok.status, 200, JSON.stringify(ok.body))
    assert.equal(ok.body.reconfirmation, null)
    assert.equal(await lapseReconfirmations(t.db, new Date('2026-03-20T02:00:00Z')), 0)
    assert.deepEqual(Object.keys((await read(resource, app.token)).body.items[0]).sort(), ['reg_office', 'uscc'])
  })

  test('withdrawing an entry suspends its grants, with the reason on the grant', async () => {
    const resource = await publishEntry(t, w)
    const app = await newApp(t, w)
    const granted = await apply(t, w, resource, ['uscc'], { appIds: [app.id] })
    assert.equal((await read(resource, app.token)).status, 200)
    const withdrawn = await t.request('POST', `/api/v1/catalog/resources/${resource.id}/withdraw`, {
      token: w.tokens.cataloger,
      body: { reason: '数据源停用' },
    })
    assert.equal(withdrawn.status, 200, JSON.stringify(withdrawn.body))
    const grant = (await grantOf(granted.body.grantId)).body
    assert.equal(grant.status, 'suspended')
    assert.match(grant.statusReason, /目录已下架/)
    assert.deepEqual(
      grant.events.map((e: any) => e.kind),
      ['entry_withdrawn'],
    )
    assert.equal((await read(resource, app.token)).status, 404)
  })
})

describe('a grant is issued only for a mode the platform delivers, and only to the apps named', () => {
  let t: TestApp
  let w: World
  let resource: any
  before(async () => {
    t = await buildTestApp({ config: { gatewayCacheMs } })
    w = await buildWorld(t.db)
    resource = await publishEntry(t, w)
  })
  after(() => t.close())

  const count = async (table: 'shareRequests' | 'grants') =>
    Number(
      (
        await t.db
          .selectFrom(table)
          .select((eb) => eb.fn.countAll<number>().as('n'))
          .executeTakeFirstOrThrow()
      ).n,
    )
  const read = (token: string) => t.request('GET', `/api/v1/gateway/resources/${resource.id}/records`, { headers: { authorization: `Bearer ${token}` } })

  test('a 文件 request is accepted now that files are delivered (exchange/files)', async () => {
    const res = await apply(t, w, resource, ['uscc'], { mode: 'file' })
    assert.equal(res.status, 201, JSON.stringify(res.body))
    assert.equal(res.body.mode, 'file')
  })

  test("an 接口 request names its apps: none, another department's or a disabled one is refused", async () => {
    const before = await count('shareRequests')
    const none = await apply(t, w, resource, ['uscc'])
    assert.equal(none.status, 400)
    assert.ok(
      none.body.error.details.some((d: any) => d.field === 'appIds'),
      JSON.stringify(none.body),
    )
    const foreign = await apply(t, w, resource, ['uscc'], { appIds: [await buildAppRow(t.db, w.deptA.id)] })
    assert.equal(foreign.status, 400)
    assert.equal(foreign.body.error.details[0].field, 'appIds[0]')
    const disabled = await buildAppRow(t.db, w.deptB.id)
    await t.db.updateTable('apps').set({ status: 'disabled' }).where('id', '=', disabled).execute()
    const off = await apply(t, w, resource, ['uscc'], { appIds: [disabled] })
    assert.equal(off.status, 400)
    assert.equal(await count('shareRequests'), before)
  })

  test('another app of the same department gets 403 APP_NOT_GRANTED; the named app is served', async () => {
    const named = await newApp(t, w)
    const other = await newApp(t, w)
    const granted = await apply(t, w, resource, ['uscc', 'org_name'], { appIds: [named.id] })
    assert.equal(granted.body.status, 'granted')
    const grant = (await t.request('GET', `/api/v1/grants/${granted.body.grantId}`, { token: w.tokens.requester })).body
    assert.deepEqual(grant.appIds, [named.id])
    assert.equal((await read(named.token)).status, 200)
    const refused = await read(other.token)
    assert.equal(refused.status, 403)
    assert.equal(refused.body.error.code, 'APP_NOT_GRANTED')
    const logged = await t.db.selectFrom('callLogs').select(['result', 'errorCode']).where('appId', '=', other.id).execute()
    assert.deepEqual(logged, [{ result: 'denied', errorCode: 'APP_NOT_GRANTED' }])
  })

  test('validity defaults to one year and may not pass the platform maximum', async () => {
    const appId = await buildAppRow(t.db, w.deptB.id)
    const defaulted = await apply(t, w, resource, ['uscc'], { appIds: [appId], validUntil: undefined })
    assert.equal(defaulted.status, 201, JSON.stringify(defaulted.body))
    assert.equal(defaulted.body.validUntil, '2027-03-02')
    const before = await count('shareRequests')
    const tooLong = await apply(t, w, resource, ['uscc'], { appIds: [appId], validUntil: '2029-03-02' })
    assert.equal(tooLong.status, 400, JSON.stringify(tooLong.body))
    assert.equal(tooLong.body.error.details[0].field, 'validUntil')
    assert.match(tooLong.body.error.message, /2029-03-01/)
    assert.equal(await count('shareRequests'), before)
    const longest = await apply(t, w, resource, ['uscc'], { appIds: [appId], validUntil: '2029-03-01' })
    assert.equal(longest.status, 201)
  })

  test('disabling the organisation stops its apps and their cached tokens at once', async () => {
    const app = await newApp(t, w)
    await apply(t, w, resource, ['uscc'], { appIds: [app.id] })
    assert.equal((await read(app.token)).status, 200) // token and grant now cached
    const disabled = await t.request('PATCH', `/api/v1/orgs/${w.deptB.id}`, { token: w.tokens.sysAdmin, body: { status: 'disabled' } })
    assert.equal(disabled.status, 200, JSON.stringify(disabled.body))
    try {
      assert.equal((await read(app.token)).status, 401)
      const issued = await t.request('POST', '/api/v1/gateway/token', { body: { appKey: app.appKey, appSecret: app.appSecret } })
      assert.equal(issued.status, 401)
    } finally {
      await t.request('PATCH', `/api/v1/orgs/${w.deptB.id}`, { token: w.tokens.sysAdmin, body: { status: 'active' } })
    }
    assert.equal((await read(app.token)).status, 200)
  })
})
