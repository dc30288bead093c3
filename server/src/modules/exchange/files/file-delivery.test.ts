import assert from 'node:assert/strict'
import { randomBytes } from 'node:crypto'
import { after, before, describe, test } from 'node:test'
import { Document, Packer, Paragraph } from 'docx'
import ExcelJS from 'exceljs'
import JSZip from 'jszip'
import { sm3Hex } from '../../../platform/crypto/sm3.ts'
import { buildOrg, buildUser, buildWorld, publishResource, tokenFor } from '../../../testing/factories.ts'
import { type TestApp, buildTestApp } from '../../../testing/test-app.ts'

type World = Awaited<ReturnType<typeof buildWorld>>

const CSV = 'uscc,org_name\n91370700MA3C000001,潍坊市甲协会\n'

describe('file delivery: marked downloads of 文件 grants, their log and tracing a leaked copy', () => {
  let t: TestApp
  let w: World
  let outsider: string
  let outsiderAdmin: string
  let resource: any
  let grantId: string

  const upload = async (content: Buffer, name: string) => {
    const form = new FormData()
    form.append('file', new Blob([content]), name)
    const res = await t.request('POST', `/api/v1/catalog/resources/${resource.id}/mounts/file`, { token: w.tokens.cataloger, body: form })
    assert.equal(res.status, 201, JSON.stringify(res.body))
  }

  /** The newest version's id, as the consumer's grant page lists it. */
  const newestFile = async (id = grantId) => {
    const files = await t.request('GET', `/api/v1/grants/${id}/files`, { token: w.tokens.requester })
    assert.equal(files.status, 200, JSON.stringify(files.body))
    return files.body.items[0]?.id as string | undefined
  }

  /** The raw download (the test client reads bodies as text, which would mangle a binary file). */
  const download = async (
    token: string,
    query: Record<string, string> = { purpose: '社会组织年检核对', businessRef: 'BJ2026030001' },
    id = grantId,
    fileId?: string,
  ) => {
    const file = fileId ?? (await newestFile(id)) ?? '00000000-0000-4000-8000-000000000000'
    const res = await fetch(`${t.baseUrl}/api/v1/grants/${id}/files/${file}/download?${new URLSearchParams(query)}`, {
      headers: { authorization: `Bearer ${token}` },
    })
    const bytes = Buffer.from(await res.arrayBuffer())
    const json = (res.headers.get('content-type') ?? '').includes('json') ? JSON.parse(bytes.toString()) : undefined
    return { status: res.status, headers: res.headers, bytes, json }
  }
  const countDownloads = async () =>
    Number(
      (
        await t.db
          .selectFrom('fileDownloads')
          .select((eb) => eb.fn.countAll<number>().as('n'))
          .executeTakeFirstOrThrow()
      ).n,
    )

  before(async () => {
    t = await buildTestApp()
    w = await buildWorld(t.db)
    const third = await buildOrg(t.db, { name: `测试卫健委${randomBytes(2).toString('hex')}` })
    outsider = await tokenFor(t.db, await buildUser(t.db, { orgId: third.id, roles: ['REQUESTER'] }))
    outsiderAdmin = await tokenFor(t.db, await buildUser(t.db, { orgId: third.id, roles: ['DEPT_ADMIN'] }))
    resource = await publishResource(t, w.tokens, { name: `社会组织年报文件${randomBytes(3).toString('hex')}`, shareModes: ['file'] }, async (created) => {
      resource = created
      await upload(Buffer.from(CSV), '年报.csv')
    })
    const request = await t.request('POST', '/api/v1/share-requests', {
      token: w.tokens.requester,
      body: {
        resourceId: resource.id,
        itemIds: resource.items.map((i: { id: string }) => i.id),
        purpose: '数据校核',
        dutyBasis: '社会组织年度检查',
        mode: 'file',
        validUntil: '2026-12-31',
      },
    })
    assert.equal(request.status, 201, JSON.stringify(request.body))
    const decided = await t.request('POST', `/api/v1/share-requests/${request.body.id}/decision`, { token: w.tokens.approver, body: { decision: 'approve' } })
    assert.equal(decided.body.status, 'granted', JSON.stringify(decided.body))
    grantId = decided.body.grantId
  })
  after(() => t.close())

  test('the consumer downloads the CSV with a leading mark line; the download is logged, counted as usage and audited', async () => {
    const res = await download(w.tokens.requester)
    assert.equal(res.status, 200, res.bytes.toString())
    const id = res.headers.get('x-download-id')!
    assert.match(id, /^[0-9a-f-]{36}$/)
    assert.match(res.headers.get('content-disposition') ?? '', /filename\*=UTF-8''%E5%B9%B4%E6%8A%A5\.csv/)
    const [first, ...rest] = res.bytes.toString('utf8').split('\n')
    assert.ok(first.startsWith('# '), first)
    assert.ok(first.includes(id) && first.includes(w.deptB.name), first)
    assert.equal(rest.join('\n'), CSV, 'the data after the mark line is the provider file unchanged')

    const row = await t.db.selectFrom('fileDownloads').selectAll().where('id', '=', id).executeTakeFirstOrThrow()
    assert.equal(row.grantId, grantId)
    assert.equal(row.consumerOrgId, w.deptB.id)
    assert.equal(row.userId, w.users.requester.id)
    assert.equal(row.fileVersion, 1)
    assert.equal(row.markKind, 'comment_line')
    assert.equal(row.deliveredSm3, sm3Hex(res.bytes))
    assert.equal(row.sourceSm3, sm3Hex(Buffer.from(CSV)))
    const usage = await t.db.selectFrom('usageRecords').selectAll().where('grantId', '=', grantId).execute()
    assert.deepEqual(
      usage.map((u) => [u.businessRef, u.purpose]),
      [['BJ2026030001', '社会组织年检核对']],
    )
    const audit = await t.db
      .selectFrom('auditEvents')
      .select(['action', 'objectId', 'actorId'])
      .where('grantId', '=', grantId)
      .where('action', '=', 'exchange.file.download')
      .execute()
    assert.deepEqual(audit, [{ action: 'exchange.file.download', objectId: id, actorId: w.users.requester.id }])
    // The consumer's usage list shows it: the same figures the evaluation reads.
    const listed = await t.request('GET', `/api/v1/grants/${grantId}/usage`, { token: w.tokens.requester })
    assert.equal(listed.status, 200, JSON.stringify(listed.body))
    assert.ok(
      listed.body.items.some((u: any) => u.businessRef === 'BJ2026030001'),
      JSON.stringify(listed.body),
    )
  })

  test('an XLSX gets the mark in its core properties and a visible 下载标记 sheet; its data is untouched', async () => {
    const book = new ExcelJS.Workbook()
    book.addWorksheet('年报').addRows([
      ['统一社会信用代码', '组织名称'],
      ['91370700MA3C000001', '潍坊市甲协会'],
    ])
    await upload(Buffer.from(await book.xlsx.writeBuffer()), '年报.xlsx')
    const res = await download(w.tokens.requester)
    assert.equal(res.status, 200)
    const id = res.headers.get('x-download-id')!
    const read = new ExcelJS.Workbook()
    await read.xlsx.load(res.bytes as never)
    assert.ok(read.description?.includes(id) && read.description.includes(w.deptB.name), read.description)
    assert.equal(read.keywords, `GovShare-Download:${id}`)
    assert.match(String(read.getWorksheet('下载标记')?.getCell('A1').value), new RegExp(id))
    assert.equal(read.getWorksheet('年报')?.getCell('B2').value, '潍坊市甲协会')
    const row = await t.db.selectFrom('fileDownloads').select(['fileVersion', 'markKind']).where('id', '=', id).executeTakeFirstOrThrow()
    assert.deepEqual(row, { fileVersion: 2, markKind: 'core_properties' })
  })

  test('a DOCX gets the mark in its core properties and as its first paragraph', async () => {
    const doc = new Document({ sections: [{ children: [new Paragraph('社会组织年度报告正文')] }] })
    await upload(await Packer.toBuffer(doc), '年报.docx')
    const res = await download(w.tokens.requester)
    assert.equal(res.status, 200)
    const id = res.headers.get('x-download-id')!
    const zip = await JSZip.loadAsync(res.bytes)
    const core = await zip.file('docProps/core.xml')!.async('string')
    assert.match(core, new RegExp(`<cp:keywords[^>]*>GovShare-Download:${id}</cp:keywords>`))
    const body = await zip.file('word/document.xml')!.async('string')
    const note = body.indexOf(id)
    assert.ok(note > 0 && note < body.indexOf('社会组织年度报告正文'), 'the note comes before the document text')
  })

  test('the provider and the authority trace a download id; the consumer cannot, another department gets 404', async () => {
    const res = await download(w.tokens.requester, { purpose: '追查测试' })
    const id = res.headers.get('x-download-id')!
    const { name: requesterName } = await t.db.selectFrom('users').select('name').where('id', '=', w.users.requester.id).executeTakeFirstOrThrow()
    for (const token of [w.tokens.approver, w.tokens.authAdmin]) {
      const traced = await t.request('GET', `/api/v1/exchange/downloads/${id}`, { token })
      assert.equal(traced.status, 200, JSON.stringify(traced.body))
      assert.equal(traced.body.consumerOrgName, w.deptB.name)
      assert.equal(traced.body.userName, requesterName)
      assert.equal(traced.body.purpose, '追查测试')
      assert.equal(traced.body.grantId, grantId)
    }
    assert.equal((await t.request('GET', `/api/v1/exchange/downloads/${id}`, { token: w.tokens.requester })).status, 403)
    assert.equal((await t.request('GET', `/api/v1/exchange/downloads/${id}`, { token: outsiderAdmin })).status, 404)
    const log = await t.request('GET', `/api/v1/grants/${grantId}/file-downloads`, { token: w.tokens.requester })
    assert.equal(log.status, 200)
    assert.ok(
      log.body.items.some((d: any) => d.id === id && d.purpose === '追查测试'),
      JSON.stringify(log.body),
    )
    assert.equal((await t.request('GET', `/api/v1/grants/${grantId}/file-downloads`, { token: outsider })).status, 404)
  })

  test("a file id of another entry is not found under this grant; the file list is the parties' only", async () => {
    const other = await publishResource(t, w.tokens, { name: `其他文件目录${randomBytes(3).toString('hex')}`, shareModes: ['file'] })
    const foreign = await t.request('GET', `/api/v1/catalog/resources/${other.id}/mounts/files`, { token: w.tokens.cataloger })
    assert.equal(foreign.status, 200, JSON.stringify(foreign.body))
    const versions = await t.db.selectFrom('mountFiles').select('id').where('mountId', '=', foreign.body.items[0].mountId).execute()
    const res = await download(w.tokens.requester, undefined, grantId, versions[0].id)
    assert.equal(res.status, 404)
    assert.equal((await t.request('GET', `/api/v1/grants/${grantId}/files`, { token: outsider })).status, 404)
    assert.equal((await t.request('GET', `/api/v1/grants/${grantId}/files`, { token: w.tokens.approver })).status, 200)
  })

  test('only the consumer downloads: the provider gets 403, another department 404, and nothing is logged', async () => {
    const before = await countDownloads()
    const provider = await download(w.tokens.approver)
    assert.equal(provider.status, 403)
    assert.equal(provider.json.error.code, 'FORBIDDEN')
    const other = await download(outsider)
    assert.equal(other.status, 404)
    // Without a purpose too: who may not see the grant learns nothing from a validation message.
    assert.equal((await download(outsider, {})).status, 404)
    assert.match((await download(w.tokens.requester, {})).json.error.message, /请填写本次下载的用途/)
    const noPurpose = await download(w.tokens.requester, { purpose: '  ' })
    assert.equal(noPurpose.status, 400)
    assert.ok(noPurpose.json.error.details.some((d: any) => d.field === 'purpose'))
    assert.equal(await countDownloads(), before)
  })

  test('a suspended, revoked or expired grant refuses with GRANT_INACTIVE; resumed, it downloads again', async () => {
    const before = await countDownloads()
    const suspended = await t.request('POST', `/api/v1/grants/${grantId}/suspend`, { token: w.tokens.approver, body: { reason: '核查使用情况' } })
    assert.equal(suspended.status, 200, JSON.stringify(suspended.body))
    const refused = await download(w.tokens.requester)
    assert.equal(refused.status, 403)
    assert.equal(refused.json.error.code, 'GRANT_INACTIVE')
    assert.match(refused.json.error.message, /暂停/)
    assert.equal(await countDownloads(), before)
    assert.equal((await t.request('POST', `/api/v1/grants/${grantId}/resume`, { token: w.tokens.approver, body: { reason: '核查完毕' } })).status, 200)
    assert.equal((await download(w.tokens.requester)).status, 200)

    await t.db.updateTable('grants').set({ validUntil: '2026-01-31' }).where('id', '=', grantId).execute()
    const lapsed = await download(w.tokens.requester)
    assert.equal(lapsed.status, 403)
    assert.match(lapsed.json.error.message, /过期/)
    await t.db.updateTable('grants').set({ validUntil: '2026-12-31' }).where('id', '=', grantId).execute()

    assert.equal((await t.request('POST', `/api/v1/grants/${grantId}/revoke`, { token: w.tokens.approver, body: { reason: '工作结束' } })).status, 200)
    const revoked = await download(w.tokens.requester)
    assert.equal(revoked.status, 403)
    assert.match(revoked.json.error.message, /撤销/)
    assert.equal(await countDownloads(), before + 1)
  })

  test('a grant of another mode is not a file: 409 NOT_DELIVERABLE', async () => {
    const table = await publishResource(t, w.tokens, { name: `社会组织库表${randomBytes(3).toString('hex')}` })
    const request = await t.request('POST', '/api/v1/share-requests', {
      token: w.tokens.requester,
      body: {
        resourceId: table.id,
        itemIds: table.items.filter((i: any) => i.shareType === 1).map((i: { id: string }) => i.id),
        purpose: '数据校核',
        dutyBasis: '年检',
        mode: 'table',
        validUntil: '2026-12-31',
      },
    })
    assert.equal(request.status, 201, JSON.stringify(request.body))
    // 无条件 items only: granted on submission (SPEC §7.5).
    assert.equal(request.body.status, 'granted', JSON.stringify(request.body))
    assert.deepEqual((await t.request('GET', `/api/v1/grants/${request.body.grantId}/files`, { token: w.tokens.requester })).body.items, [])
    // Even with a real file id (of the 文件 entry), the 库表 grant does not deliver it.
    const res = await download(w.tokens.requester, undefined, request.body.grantId, await newestFile())
    assert.equal(res.status, 409)
    assert.equal(res.json.error.code, 'NOT_DELIVERABLE')
  })
})
