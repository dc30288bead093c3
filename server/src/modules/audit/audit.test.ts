import assert from 'node:assert/strict'
import { randomUUID } from 'node:crypto'
import { after, before, describe, test } from 'node:test'
import ExcelJS from 'exceljs'
import { appendAudit } from '../../platform/audit/chain.ts'
import { buildWorld } from '../../testing/factories.ts'
import { type TestApp, buildTestApp } from '../../testing/test-app.ts'
import { csvCell } from './service.ts'

type World = Awaited<ReturnType<typeof buildWorld>>

/** Parses our CSV (quoted cells, CRLF rows). */
function parseCsv(text: string): string[][] {
  const rows: string[][] = []
  let row: string[] = []
  let cell = ''
  let quoted = false
  for (let i = 0; i < text.length; i++) {
    const c = text[i]
    if (quoted) {
      if (c === '"' && text[i + 1] === '"') (cell += '"'), i++
      else if (c === '"') quoted = false
      else cell += c
    } else if (c === '"') quoted = true
    else if (c === ',') row.push(cell), (cell = '')
    else if (c === '\r' && text[i + 1] === '\n') {
      row.push(cell)
      rows.push(row)
      row = []
      cell = ''
      i++
    } else cell += c
  }
  return rows
}

describe('auditor search and export', () => {
  let t: TestApp
  let w: World
  const grantId = randomUUID()
  const requestId = `req-${randomUUID()}`
  const at = (iso: string) => new Date(iso)

  before(async () => {
    t = await buildTestApp()
    w = await buildWorld(t.db)
    const source = (orgId: string | null, when: string, reqId: string | null = null) => ({
      actorId: w.users.approver.id,
      orgId,
      roles: ['APPROVER'],
      ip: '10.0.0.8',
      requestId: reqId,
      at: at(when),
    })
    await appendAudit(t.db, source(w.deptA.id, '2026-03-02T01:00:00Z', requestId), {
      action: 'sharing.request.decide',
      objectType: 'share_request',
      objectId: 'r-1',
      grantId,
      detail: { 说明: '同意共享，含中文' },
    })
    await appendAudit(t.db, source(w.deptB.id, '2026-03-03T01:00:00Z'), {
      action: 'sharing.grant.revoke',
      result: 'denied',
      objectType: 'grant',
      objectId: grantId,
      detail: { reason: '=HYPERLINK("http://evil")' },
    })
    await appendAudit(t.db, source(w.deptA.id, '2026-03-04T01:00:00Z'), { action: 'catalog.resource.submit', objectType: 'resource', objectId: 'c-1' })
    // Enough events for the export to cross several pages.
    await t.db.transaction().execute(async (trx) => {
      for (let i = 0; i < 4500; i++)
        await appendAudit(trx, source(w.authority.id, '2026-03-05T01:00:00Z'), { action: 'test.bulk', detail: { i, 名称: '批量' } })
    })
  })
  after(() => t.close())

  const search = (query: string, token = w.tokens.auditor) => t.request('GET', `/api/v1/audit/events?${query}`, { token })

  test('filters: org, request id, grant id, action prefix, result and time range', async () => {
    const byOrg = await search(`orgId=${w.deptB.id}`)
    assert.equal(byOrg.status, 200, JSON.stringify(byOrg.body))
    assert.deepEqual(
      byOrg.body.items.map((e: any) => e.action),
      ['sharing.grant.revoke'],
    )
    assert.equal((await search(`requestId=${requestId}`)).body.items[0].action, 'sharing.request.decide')
    assert.equal((await search(`grantId=${grantId}`)).body.total, 1)
    assert.deepEqual((await search('actionPrefix=sharing.')).body.items.map((e: any) => e.action).sort(), ['sharing.grant.revoke', 'sharing.request.decide'])
    assert.equal((await search('actionPrefix=sharing%25')).body.total, 0) // % is literal
    assert.equal((await search('result=denied&actionPrefix=sharing.')).body.total, 1)
    const range = await search(
      `from=${encodeURIComponent('2026-03-03T00:00:00Z')}&to=${encodeURIComponent('2026-03-04T23:00:00+08:00')}&actorId=${w.users.approver.id}`,
    )
    assert.deepEqual(
      range.body.items.map((e: any) => e.action),
      ['catalog.resource.submit', 'sharing.grant.revoke'],
    )
    assert.equal((await search('grantId=not-a-uuid')).status, 400)
  })

  test("三员: the auditor reads everything; the security administrator only ordinary users' events; others nothing", async () => {
    for (const token of [w.tokens.sysAdmin, w.tokens.authAdmin, w.tokens.approver]) {
      assert.equal((await search('', token)).status, 403)
      assert.equal((await t.request('GET', '/api/v1/audit/events/export', { token })).status, 403)
      assert.equal((await t.request('GET', '/api/v1/audit/verify', { token })).status, 403)
    }
    assert.equal((await t.request('GET', '/api/v1/audit/verify', { token: w.tokens.secAdmin })).status, 403)
    assert.equal((await t.request('GET', '/api/v1/audit/events')).status, 401)
    // An administrator's action: the security administrator must not read it, the auditor must.
    await appendAudit(
      t.db,
      { actorId: w.users.sysAdmin.id, orgId: w.authority.id, roles: ['SYS_ADMIN'], ip: '10.0.0.9', requestId: null, at: at('2026-03-06T01:00:00Z') },
      {
        action: 'identity.user.update',
        objectType: 'user',
        objectId: w.users.requester.id,
      },
    )
    const bySec = await search('actionPrefix=identity.user.', w.tokens.secAdmin)
    assert.equal(bySec.status, 200)
    assert.equal(bySec.body.total, 0, "the security administrator reads no administrator's events")
    const ordinary = await search('actionPrefix=sharing.', w.tokens.secAdmin)
    assert.equal(ordinary.body.total, 2, "the security administrator reads ordinary users' events")
    assert.equal((await search('actionPrefix=identity.user.')).body.total, 1, "the auditor reads the administrators' events")
    const csv = await fetch(`${t.baseUrl}/api/v1/audit/events/export?actionPrefix=identity.`, { headers: { authorization: `Bearer ${w.tokens.secAdmin}` } })
    assert.equal(parseCsv((await csv.text()).slice(1)).length, 1, 'the export keeps to the same scope (header row only)')
  })

  test("the auditor's own searches and chain checks are in the audit log", async () => {
    await search('actionPrefix=catalog.')
    const verify = await t.request('GET', '/api/v1/audit/verify', { token: w.tokens.auditor })
    assert.equal(verify.status, 200)
    const own = await t.db
      .selectFrom('auditEvents')
      .select(['action', 'detail'])
      .where('actorId', '=', w.users.auditor.id)
      .orderBy('id', 'desc')
      .limit(2)
      .execute()
    assert.deepEqual(
      own.map((e) => e.action),
      ['audit.chain.verify', 'audit.event.list'],
    )
    assert.deepEqual((own[1].detail as { filters: unknown }).filters, { actionPrefix: 'catalog.' })
    assert.equal((own[0].detail as { ok: boolean }).ok, true)
  })

  test('no route changes or deletes audit events, whoever calls', async () => {
    const spec = (await t.request('GET', '/api/openapi.json')).body
    const auditPaths = Object.keys(spec.paths).filter((p) => p.includes('/audit'))
    assert.ok(auditPaths.length >= 3)
    for (const path of auditPaths) assert.deepEqual(Object.keys(spec.paths[path]), ['get'], path)
    const victim = (await search('pageSize=1')).body.items[0]
    const before = await t.db.selectFrom('auditEvents').select(['hash', 'detail']).where('id', '=', victim.id).executeTakeFirstOrThrow()
    for (const token of [w.tokens.sysAdmin, w.tokens.auditor, w.tokens.secAdmin]) {
      for (const method of ['DELETE', 'PUT', 'PATCH', 'POST']) {
        for (const path of ['/api/v1/audit/events', `/api/v1/audit/events/${victim.id}`]) {
          const res = await t.request(method, path, { token, body: method === 'DELETE' ? undefined : { detail: {} } })
          assert.ok(res.status === 404 || res.status === 405, `${method} ${path} → ${res.status}`)
        }
      }
    }
    const afterRow = await t.db.selectFrom('auditEvents').select(['hash', 'detail']).where('id', '=', victim.id).executeTakeFirstOrThrow()
    assert.deepEqual(afterRow, before)
  })

  test('CSV export: UTF-8 with BOM, Chinese intact, formulas defused, every matching event, and audited', async () => {
    const res = await fetch(`${t.baseUrl}/api/v1/audit/events/export?actionPrefix=sharing.`, { headers: { authorization: `Bearer ${w.tokens.auditor}` } })
    assert.equal(res.status, 200)
    assert.match(res.headers.get('content-type')!, /text\/csv; charset=utf-8/)
    assert.match(res.headers.get('content-disposition')!, /attachment; filename="audit-events-\d{14}\.csv"; filename\*=UTF-8''/)
    const bytes = Buffer.from(await res.arrayBuffer())
    assert.deepEqual([...bytes.subarray(0, 3)], [0xef, 0xbb, 0xbf])
    const rows = parseCsv(bytes.toString('utf8').slice(1))
    assert.equal(rows[0][0], '序号')
    assert.equal(rows.length, 3)
    const decide = rows.find((r) => r.includes('sharing.request.decide'))!
    assert.ok(decide.some((cell) => cell.includes('同意共享，含中文')))
    assert.ok(decide.includes('2026-03-02 09:00:00.000')) // Beijing time
    assert.ok(decide.includes(w.users.approver.username))
    const revoke = rows.find((r) => r.includes('sharing.grant.revoke'))!
    assert.ok(revoke.includes('拒绝'))
    assert.equal(csvCell('=1+2'), "'=1+2")
    assert.equal(csvCell('-5'), "'-5")
    assert.equal(csvCell('a,"b"'), '"a,""b"""')

    // Refused attempts are audited too (denied); this is the auditor's successful export.
    const audited = await search(`action=audit.event.export&result=success&actorId=${w.users.auditor.id}`)
    assert.equal(audited.body.total, 1)
    const event = audited.body.items[0]
    assert.equal(event.actorId, w.users.auditor.id)
    assert.deepEqual(event.detail.filters, { actionPrefix: 'sharing.' })
    assert.equal(event.detail.format, 'csv')
  })

  test('a large CSV export streams every event across pages', async () => {
    const res = await fetch(`${t.baseUrl}/api/v1/audit/events/export?action=test.bulk`, { headers: { authorization: `Bearer ${w.tokens.auditor}` } })
    assert.equal(res.status, 200)
    const rows = parseCsv((await res.text()).replace(/^\uFEFF/, ''))
    assert.equal(rows.length, 4501)
    const ids = rows.slice(1).map((r) => Number(r[0]))
    assert.deepEqual(
      ids,
      [...ids].sort((a, b) => a - b),
    )
    assert.equal(new Set(ids).size, 4500)
  })

  test('XLSX export opens in a spreadsheet reader with the same rows', async () => {
    const res = await fetch(`${t.baseUrl}/api/v1/audit/events/export?format=xlsx&orgId=${w.deptA.id}&result=success`, {
      headers: { authorization: `Bearer ${w.tokens.auditor}` },
    })
    assert.equal(res.status, 200)
    assert.match(res.headers.get('content-type')!, /spreadsheetml/)
    const workbook = new ExcelJS.Workbook()
    await workbook.xlsx.load(await res.arrayBuffer())
    const sheet = workbook.getWorksheet('审计日志')!
    assert.equal(sheet.getRow(1).getCell(1).value, '序号')
    const actions = [] as string[]
    sheet.eachRow((row, n) => n > 1 && actions.push(String(row.getCell(10).value)))
    assert.deepEqual(actions, ['sharing.request.decide', 'catalog.resource.submit'])
    assert.equal((await search(`action=audit.event.export&result=success&actorId=${w.users.auditor.id}`)).body.total, 3)
    assert.equal((await t.request('GET', '/api/v1/audit/verify', { token: w.tokens.auditor })).body.ok, true)
  })
})
