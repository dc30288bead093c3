import assert from 'node:assert/strict'
import { after, before, test } from 'node:test'
import ExcelJS from 'exceljs'
import { buildOrg, buildUser, buildWorld, tokenFor } from '../../testing/factories.ts'
import { grantWithApp } from '../../testing/gateway-grant.ts'
import { buildTestApp, type TestApp } from '../../testing/test-app.ts'

/**
 * 台账 (issue 17): GET /share-requests/export, /grants/export and /gateway/calls/export stream XLSX with
 * names (never ids), keep to the list's scope and filters, and are themselves audited; the call list
 * filters by app, resource and Beijing date and names the app.
 */

let t: TestApp
let w: Awaited<ReturnType<typeof buildWorld>>
let first: Awaited<ReturnType<typeof grantWithApp>>
let second: Awaited<ReturnType<typeof grantWithApp>>
let stranger: string

async function sheetOf(path: string, token: string) {
  const res = await fetch(`${t.baseUrl}/api/v1${path}`, { headers: { authorization: `Bearer ${token}` } })
  assert.equal(res.status, 200, await res.clone().text())
  assert.match(res.headers.get('content-type')!, /spreadsheetml/)
  assert.match(res.headers.get('content-disposition')!, /attachment; filename=".+\.xlsx"; filename\*=UTF-8''/)
  const workbook = new ExcelJS.Workbook()
  await workbook.xlsx.load(await res.arrayBuffer())
  const rows: string[][] = []
  workbook.worksheets[0].eachRow((row) => rows.push((row.values as unknown[]).slice(1).map((v) => String(v ?? ''))))
  return rows
}
const column = (rows: string[][], header: string) => rows.slice(1).map((row) => row[rows[0].indexOf(header)])

before(async () => {
  t = await buildTestApp()
  w = await buildWorld(t.db)
  first = await grantWithApp(t, w)
  second = await grantWithApp(t, w)
  assert.equal((await first.records()).status, 200)
  assert.equal((await second.records()).status, 200)
  assert.equal((await second.records('?nosuch=1')).status, 400)
  const other = await buildOrg(t.db, { name: '测试无关局' })
  stranger = await tokenFor(t.db, await buildUser(t.db, { orgId: other.id, roles: ['REQUESTER', 'APPROVER'] }))
})
after(() => t.close())

test('调用记录 names the app and filters by app, resource and Beijing date', async () => {
  const list = (query: string) => t.request('GET', `/api/v1/gateway/calls?box=mine${query}`, { token: w.tokens.requester })
  const all = await list('')
  assert.equal(all.status, 200)
  assert.equal(all.body.total, 3)
  const apps = await t.db.selectFrom('apps').select(['id', 'name']).execute()
  const nameOf = (id: string) => apps.find((a) => a.id === id)!.name
  assert.deepEqual(all.body.items.map((c: { appName: string }) => c.appName).sort(), [nameOf(first.appId), nameOf(second.appId), nameOf(second.appId)].sort())
  assert.equal((await list(`&appId=${second.appId}`)).body.total, 2)
  assert.equal((await list(`&resourceId=${first.resource.id}`)).body.total, 1)
  assert.equal((await list(`&appId=${first.appId}&resourceId=${second.resource.id}`)).body.total, 0)
  // Calls are made on the test clock's day; the day before and after hold none.
  const [{ at }] = await t.db.selectFrom('callLogs').select('requestInAt as at').limit(1).execute()
  const day = new Date(new Date(at).getTime() + 8 * 3_600_000).toISOString().slice(0, 10)
  const shift = (days: number) => new Date(Date.parse(`${day}T00:00:00Z`) + days * 86_400_000).toISOString().slice(0, 10)
  assert.equal((await list(`&from=${day}&to=${day}`)).body.total, 3)
  assert.equal((await list(`&to=${shift(-1)}`)).body.total, 0)
  assert.equal((await list(`&from=${shift(1)}`)).body.total, 0)
  const backwards = await list(`&from=${day}&to=${shift(-1)}`)
  assert.equal(backwards.status, 400)
  assert.equal(backwards.body.error.details[0].field, 'to')
  assert.equal((await list('&from=2026-13-01')).status, 400)
})

test('the three 台账 carry names, follow the filters and are audited', async () => {
  const requests = await sheetOf('/share-requests/export?box=mine', w.tokens.requester)
  assert.equal(requests.length, 3)
  assert.deepEqual(column(requests, '资源名称').sort(), [first.resource.name, second.resource.name].sort())
  assert.deepEqual(column(requests, '状态'), ['已授权', '已授权'])
  assert.match(column(requests, '申请信息项')[0], /^[^0-9a-f-]+$/, 'item names, not ids')
  const grants = await sheetOf(`/grants/export?box=provided&resourceId=${second.resource.id}`, w.tokens.approver)
  assert.deepEqual(column(grants, '资源名称'), [second.resource.name])
  assert.deepEqual(column(grants, '使用单位'), [w.deptB.name])
  assert.deepEqual(column(grants, '状态'), ['有效'])
  const calls = await sheetOf(`/gateway/calls/export?box=provided&appId=${second.appId}`, w.tokens.approver)
  assert.equal(calls.length, 3)
  assert.deepEqual(column(calls, '结果').sort(), ['成功', '拒绝'])
  assert.deepEqual(column(calls, '资源名称'), [second.resource.name, second.resource.name])
  assert.deepEqual(column(calls, '调用单位'), [w.deptB.name, w.deptB.name])
  const audited = await t.db
    .selectFrom('auditEvents')
    .select(['action', 'detail', 'actorId'])
    .where('action', 'in', ['sharing.request.export', 'sharing.grant.export', 'gateway.call.export'])
    .orderBy('id')
    .execute()
  assert.deepEqual(
    audited.map((e) => e.action),
    ['sharing.request.export', 'sharing.grant.export', 'gateway.call.export'],
  )
  assert.deepEqual((audited[1].detail as { filters: unknown }).filters, { box: 'provided', resourceId: second.resource.id })
  assert.equal(audited[2].actorId, w.users.approver.id)
})

test('an uninvolved department exports empty ledgers; roles without the list get 403 and bad filters 400', async () => {
  for (const path of ['/share-requests/export?box=all', '/grants/export?box=all', '/gateway/calls/export?box=all']) {
    assert.deepEqual((await sheetOf(path, stranger)).length, 1, `${path}: header row only`)
  }
  for (const token of [w.tokens.sysAdmin, w.tokens.secAdmin, w.tokens.cataloger]) {
    for (const path of ['/share-requests/export', '/grants/export', '/gateway/calls/export']) {
      assert.equal((await t.request('GET', `/api/v1${path}`, { token })).status, 403, path)
    }
  }
  assert.equal((await t.request('GET', '/api/v1/grants/export?status=nope', { token: w.tokens.requester })).status, 400)
  assert.equal((await t.request('GET', '/api/v1/gateway/calls/export?appId=x', { token: w.tokens.requester })).status, 400)
  assert.equal((await t.request('GET', '/api/v1/share-requests/export')).status, 401)
})
