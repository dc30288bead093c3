import assert from 'node:assert/strict'
import { after, before, describe, test } from 'node:test'
import type { Db } from '../../../platform/db/database.ts'
import { buildClassNode, buildOrg, buildUser, buildWorld, mountSomething, tokenFor } from '../../../testing/factories.ts'
import { type TestApp, buildTestApp } from '../../../testing/test-app.ts'
import { ITEM_COLUMNS, RESOURCE_COLUMNS } from './columns.ts'
import { XLSX_MIME } from './schemas.ts'
import { type SheetRow, importForm, readBack, workbookOf } from './testing.ts'

/**
 * Import and export over real HTTP. Entries are adapted from real published catalogs
 * (shared/data/real-catalogs: 典当行许可, 网吧分布, 110 接警统计 of city 公安局).
 */

const countRows = async (db: Db, table: 'resources' | 'resourceVersions') =>
  Number(
    (
      await db
        .selectFrom(table)
        .select((eb) => eb.fn.countAll().as('n'))
        .executeTakeFirstOrThrow()
    ).n,
  )
const countAudit = async (db: Db, action: string) =>
  Number(
    (
      await db
        .selectFrom('auditEvents')
        .select((eb) => eb.fn.countAll().as('n'))
        .where('action', '=', action)
        .executeTakeFirstOrThrow()
    ).n,
  )

function pawnShop(overrides: SheetRow = {}): SheetRow {
  return {
    序号: 1,
    信息资源名称: '典当行特种行业许可信息',
    提供方内部部门: '治安管理支队',
    信息资源摘要: '典当行特种行业许可证的核发、变更、注销信息，包括典当行名称、统一社会信用代码、法定代表人、经营地址、许可证号、发证日期',
    信息资源格式分类: '数据库',
    信息资源格式类型: 'PostgreSQL',
    '数据存储总量（G）': 0.5,
    '结构化信息记录总数（万）': 1.2,
    共享类型: '有条件共享',
    共享条件: '仅向承担典当行业监管、金融风险防控职责的部门提供',
    共享依据: '《典当管理办法》第二十四条',
    共享方式分类: '共享平台方式',
    共享方式类型: '接口、库表',
    是否向社会开放: '否',
    开放条件: '不予开放',
    更新周期: '每月',
    更新时限: '每月5日前',
    关联资源代码: '101001/0001',
    '信息资源分类(分类码)': '301001',
    涉密属性: '非涉密',
    数据分级: '重要数据',
    联系人: '王强',
    联系电话: '0536-8231234',
    信息资源英文名: 'pawnshop_license',
    来源信息系统名称: '治安管理信息系统',
    关联权责事项: '典当业特种行业许可证核发；典当行日常监督检查',
    空间范围: '全市',
    '数据时间范围(起)': '2015-01-01',
    数据同步机制: '增量',
    是否存在物理删除: '否',
    ...overrides,
  }
}
const pawnShopItems = (seq = 1): SheetRow[] => [
  { 资源序号: seq, 信息项名称: '统一社会信用代码', 英文名: 'uscc', 数据类型: '字符型', 数据长度: 18, 共享类型: '无条件共享', 主键: '是' },
  { 资源序号: seq, 信息项名称: '典当行名称', 英文名: 'pawn_name', 数据类型: '字符型', 数据长度: 200, 共享类型: '无条件共享' },
  {
    资源序号: seq,
    信息项名称: '法定代表人身份证号',
    英文名: 'legal_rep_id',
    数据类型: 'C',
    数据长度: 18,
    共享类型: '有条件共享',
    共享条件: '仅用于法定代表人身份核验',
    敏感属性: '敏感',
    个人信息类别: '敏感个人信息',
  },
  { 资源序号: seq, 信息项名称: '发证日期', 英文名: 'issued_on', 数据类型: '日期型', 共享类型: '无条件共享', 时间戳字段: '是' },
]
function internetCafes(overrides: SheetRow = {}): SheetRow {
  return {
    序号: 2,
    信息资源名称: '网吧分布信息',
    信息资源摘要: '本市互联网上网服务营业场所的名称、地址、经营单位、终端数量及经纬度',
    信息资源格式分类: '电子表格',
    信息资源格式类型: 'xlsx',
    共享类型: '无条件共享',
    共享方式分类: '共享平台方式',
    共享方式类型: '文件',
    是否向社会开放: '是',
    开放条件: '无条件开放',
    更新周期: '每季度',
    '信息资源分类(分类码)': '301001',
    ...overrides,
  }
}
const cafeItems = (seq = 2): SheetRow[] => [
  { 资源序号: seq, 信息项名称: '场所名称', 英文名: 'site_name', 数据类型: '字符型', 数据长度: 100, 共享类型: '无条件共享' },
  { 资源序号: seq, 信息项名称: '场所地址', 英文名: 'site_address', 数据类型: '字符型', 数据长度: 200, 共享类型: '无条件共享' },
  { 资源序号: seq, 信息项名称: '终端数量', 英文名: 'terminals', 数据类型: '整型', 共享类型: '无条件共享' },
]
function alarmStatistics(overrides: SheetRow = {}): SheetRow {
  return {
    序号: 3,
    信息资源名称: '110报警服务台接警量统计',
    信息资源摘要: '按月统计的 110 报警服务台接警量、有效警情数及分类构成',
    信息资源格式分类: '电子文件',
    信息资源格式类型: 'pdf',
    共享方式分类: '共享平台方式',
    共享方式类型: '文件',
    是否向社会开放: '否',
    更新周期: '每月',
    '信息资源分类(分类码)': '301001',
    ...overrides,
  }
}

describe('catalog Excel import and export over HTTP', () => {
  let t: TestApp
  let world: Awaited<ReturnType<typeof buildWorld>>
  const importFile = (token: string | undefined, data: Buffer, fields: Record<string, string> = {}) =>
    t.request('POST', '/api/v1/catalog/import', { token, body: importForm(data, fields) })

  before(async () => {
    t = await buildTestApp()
    world = await buildWorld(t.db)
  })
  after(() => t.close())

  let imported: string[] = []

  test('a cataloger imports several entries with their items as drafts of the department', async () => {
    const data = await workbookOf([pawnShop({ 资源提供方代码: world.deptA.code }), internetCafes(), alarmStatistics()], [...pawnShopItems(), ...cafeItems()])
    const res = await importFile(world.tokens.cataloger, data)
    assert.equal(res.status, 201, JSON.stringify(res.body))
    assert.equal(res.body.created, 3)
    assert.deepEqual(res.body.rejected, [])
    imported = res.body.ids

    const pawn = (await t.request('GET', `/api/v1/catalog/resources/${imported[0]}`, { token: world.tokens.cataloger })).body
    assert.equal(pawn.name, '典当行特种行业许可信息')
    assert.equal(pawn.status, 'draft')
    assert.equal(pawn.providerOrgId, world.deptA.id)
    assert.equal(pawn.shareType, 2)
    assert.equal(pawn.formatClass, 3)
    assert.equal(pawn.updateCycle, 4)
    assert.deepEqual(pawn.shareModes, ['api', 'table'])
    assert.equal(pawn.dataGrade, '重要数据')
    assert.deepEqual(pawn.survey, { storageGb: 0.5, records10k: 1.2 })
    assert.deepEqual(pawn.relatedCodes, ['101001/0001'])
    assert.deepEqual(pawn.dutyRefs, ['典当业特种行业许可证核发', '典当行日常监督检查'])
    assert.deepEqual(pawn.timeRange, { from: '2015-01-01', to: null })
    assert.deepEqual(
      pawn.items.map((i: any) => [i.name, i.dataType, i.length, i.shareType, i.sensitive, i.isPrimaryKey, i.isTimestamp]),
      [
        ['统一社会信用代码', 'C', 18, 1, false, true, false],
        ['典当行名称', 'C', 200, 1, false, false, false],
        ['法定代表人身份证号', 'C', 18, 2, true, false, false],
        ['发证日期', 'D', null, 1, false, false, true],
      ],
    )
    const cafes = (await t.request('GET', `/api/v1/catalog/resources/${imported[1]}`, { token: world.tokens.cataloger })).body
    assert.deepEqual(
      cafes.items.map((i: any) => i.name),
      ['场所名称', '场所地址', '终端数量'],
    )
    assert.equal(cafes.openCondition, '无条件开放')
    const alarms = (await t.request('GET', `/api/v1/catalog/resources/${imported[2]}`, { token: world.tokens.cataloger })).body
    assert.deepEqual(alarms.items, [])
    assert.equal(alarms.contactName, '测试用户', 'contact defaults to the importer')
    assert.equal(await countAudit(t.db, 'catalog.resource.import'), 1)
  })

  const badRows = () =>
    workbookOf(
      [
        pawnShop({ 信息资源名称: '旅馆业治安管理信息' }),
        internetCafes({ 序号: 2, 信息资源名称: '娱乐场所备案信息', 共享类型: null }),
        alarmStatistics({ 序号: 3, 信息资源名称: '机动车停放服务信息', 更新周期: '每两年' }),
        alarmStatistics({ 序号: 4, 信息资源名称: null }),
        alarmStatistics({ 序号: 5, 信息资源名称: '保安服务公司许可信息', '信息资源分类(分类码)': '399001' }),
        alarmStatistics({ 序号: 6, 信息资源名称: '网吧分布信息' }),
      ],
      [
        ...pawnShopItems(1),
        { 资源序号: 2, 信息项名称: '场所名称', 英文名: 'site_name', 数据类型: '字符型', 数据长度: 100, 共享类型: '无条件共享' },
        { 资源序号: 2, 信息项名称: '负责人身份证号', 英文名: 'manager_id', 数据类型: '字符型', 数据长度: 18, 共享类型: '有条件共享' },
      ],
    )
  const expectedBad = [
    ['信息资源', 3, '共享条件'],
    ['信息资源', 3, '共享依据'],
    ['信息资源', 4, '更新周期'],
    ['信息资源', 5, '信息资源名称'],
    ['信息资源', 6, '信息资源分类(分类码)'],
    ['信息资源', 7, '信息资源名称'],
    ['信息项', 7, '共享条件'],
  ]

  test('a file with bad rows is refused whole: 400 names each sheet, line and column, and nothing is loaded', async () => {
    const resources = await countRows(t.db, 'resources')
    const versions = await countRows(t.db, 'resourceVersions')
    const audits = await countAudit(t.db, 'catalog.resource.create')
    const res = await importFile(world.tokens.cataloger, await badRows())
    assert.equal(res.status, 400, JSON.stringify(res.body))
    assert.equal(res.body.error.code, 'VALIDATION_FAILED')
    assert.match(res.body.error.message, /未导入任何目录/)
    const fields = res.body.error.details.map((d: any) => d.field)
    assert.deepEqual(
      fields,
      expectedBad.map(([sheet, line, column]) => `${sheet}!第${line}行.${column}`),
    )
    const byField = Object.fromEntries(res.body.error.details.map((d: any) => [d.field, d.message]))
    assert.match(byField['信息资源!第4行.更新周期'], /每两年/)
    assert.match(byField['信息资源!第5行.信息资源名称'], /不能为空/)
    assert.match(byField['信息资源!第6行.信息资源分类(分类码)'], /399001 不存在/)
    assert.match(byField['信息资源!第7行.信息资源名称'], /已有名为「网吧分布信息」/)
    assert.match(byField['信息项!第7行.共享条件'], /有条件共享的信息项须填写共享条件/)
    assert.equal(await countRows(t.db, 'resources'), resources)
    assert.equal(await countRows(t.db, 'resourceVersions'), versions)
    assert.equal(await countAudit(t.db, 'catalog.resource.create'), audits)
    assert.equal(await countAudit(t.db, 'catalog.resource.import'), 1)
  })

  test('with loadValid=true the valid entries are loaded and the bad rows listed', async () => {
    const before = await countRows(t.db, 'resources')
    const res = await importFile(world.tokens.cataloger, await badRows(), { loadValid: 'true' })
    assert.equal(res.status, 201, JSON.stringify(res.body))
    assert.equal(res.body.created, 1)
    assert.deepEqual(
      res.body.rejected.map((r: any) => [r.sheet, r.line, r.column]),
      expectedBad,
    )
    assert.equal(await countRows(t.db, 'resources'), before + 1)
    const loaded = await t.request('GET', `/api/v1/catalog/resources/${res.body.ids[0]}`, { token: world.tokens.cataloger })
    assert.equal(loaded.body.name, '旅馆业治安管理信息')
    assert.equal(loaded.body.items.length, 4)
    assert.equal(await countAudit(t.db, 'catalog.resource.import'), 2)
  })

  test('files that are not a catalog workbook get 400 with a Chinese message, never a 5xx', async () => {
    const csv = Buffer.from('信息资源名称,更新周期\n典当行特种行业许可信息,每月\n', 'utf8')
    const cases: [Buffer, RegExp][] = [
      [csv, /不是 Excel 工作簿/],
      [Buffer.alloc(0), /空/],
      [(await workbookOf([pawnShop()])).subarray(0, 1000), /损坏/],
      [await workbookOf([{ 名称: '典当行特种行业许可信息', 周期: '每月' }]), /没有可识别的列名/],
      [await workbookOf([], [], { entryHeaders: ['信息资源名称', '信息资源摘要'] }), /缺少必填列/],
    ]
    for (const [data, message] of cases) {
      const res = await importFile(world.tokens.cataloger, data)
      assert.equal(res.status, 400, JSON.stringify(res.body))
      assert.equal(res.body.error.code, 'VALIDATION_FAILED')
      assert.match(res.body.error.message, message)
    }
  })

  test('the form needs a file part, loadValid is true or false, and JSON is not a form', async () => {
    const noFile = new FormData()
    noFile.append('loadValid', 'true')
    const missing = await t.request('POST', '/api/v1/catalog/import', { token: world.tokens.cataloger, body: noFile })
    assert.equal(missing.status, 400)
    assert.equal(missing.body.error.details[0].field, 'file')
    const bad = await importFile(world.tokens.cataloger, await workbookOf([pawnShop()]), { loadValid: 'yes' })
    assert.equal(bad.status, 400)
    assert.equal(bad.body.error.details[0].field, 'loadValid')
    const json = await t.request('POST', '/api/v1/catalog/import', { token: world.tokens.cataloger, body: { file: 'x' } })
    assert.equal(json.status, 415)
    const garbled = await t.request('POST', '/api/v1/catalog/import', {
      token: world.tokens.cataloger,
      body: '--xyz\r\nContent-Disposition: form-data; name="file"; filename="a.xlsx"\r\n\r\nabc',
      headers: { 'content-type': 'multipart/form-data; boundary=xyz' },
    })
    assert.ok(garbled.status === 400, `${garbled.status} ${JSON.stringify(garbled.body)}`)
  })

  test('only catalogers may import (403), and a request without a token is refused first (401)', async () => {
    const data = await workbookOf([pawnShop({ 信息资源名称: '娱乐场所治安管理信息' })])
    for (const token of [world.tokens.requester, world.tokens.deptAdmin, world.tokens.authAdmin]) {
      const res = await importFile(token, data)
      assert.equal(res.status, 403, JSON.stringify(res.body))
      assert.equal(res.body.error.code, 'FORBIDDEN')
    }
    const anonymous = await importFile(undefined, data)
    assert.equal(anonymous.status, 401)
    assert.equal(anonymous.body.error.code, 'UNAUTHENTICATED')
  })

  test('export downloads the entries as an .xlsx in the import layout', async () => {
    const res = await fetch(`${t.baseUrl}/api/v1/catalog/export?mine=true`, { headers: { authorization: `Bearer ${world.tokens.cataloger}` } })
    assert.equal(res.status, 200)
    assert.equal(res.headers.get('content-type'), XLSX_MIME)
    const disposition = res.headers.get('content-disposition') ?? ''
    assert.match(disposition, /^attachment; filename="govshare-catalog-\d{8}-\d{4}\.xlsx"; filename\*=UTF-8''%E6%94%BF/)
    assert.match(decodeURIComponent(disposition.split("UTF-8''")[1]), /^政务信息资源目录_\d{8}-\d{4}\.xlsx$/)
    assert.equal(res.headers.get('x-total-count'), '4')
    const workbook = await readBack(Buffer.from(await res.arrayBuffer()))
    assert.deepEqual(
      workbook.worksheets.map((ws) => ws.name),
      ['信息资源', '信息项', '说明'],
    )
    const header = (name: string) => (workbook.getWorksheet(name)!.getRow(1).values as unknown[]).slice(1)
    assert.deepEqual(
      header('信息资源'),
      RESOURCE_COLUMNS.map((c) => c.header),
    )
    assert.deepEqual(
      header('信息项'),
      ITEM_COLUMNS.map((c) => c.header),
    )
    assert.equal(workbook.getWorksheet('信息资源')!.actualRowCount, 5)
    assert.equal(workbook.getWorksheet('信息项')!.actualRowCount, 1 + 4 + 3 + 4)
    assert.equal(await countAudit(t.db, 'catalog.resource.export'), 1)
  })

  test('an export re-imports into another instance with the same names, fields and items', async () => {
    const res = await fetch(`${t.baseUrl}/api/v1/catalog/export?mine=true`, { headers: { authorization: `Bearer ${world.tokens.cataloger}` } })
    const exported = Buffer.from(await res.arrayBuffer())

    // Re-importing into the same department clashes on every name: nothing is duplicated.
    const again = await importFile(world.tokens.cataloger, exported)
    assert.equal(again.status, 400)
    assert.equal(again.body.error.details.filter((d: any) => /已有名为/.test(d.message)).length, 4)

    const t2 = await buildTestApp()
    try {
      const org = await buildOrg(t2.db, { name: world.deptA.name, code: world.deptA.code })
      await buildClassNode(t2.db, '301001', '测试部门A')
      const cataloger = await buildUser(t2.db, { orgId: org.id, roles: ['CATALOGER'] })
      const token = await tokenFor(t2.db, cataloger)
      const res2 = await t2.request('POST', '/api/v1/catalog/import', { token, body: importForm(exported) })
      assert.equal(res2.status, 201, JSON.stringify(res2.body))
      assert.equal(res2.body.created, 4)
      const list = async (app: TestApp, tok: string) =>
        (await app.request('GET', '/api/v1/catalog/resources?mine=true&pageSize=50', { token: tok })).body.items.map((r: any) => {
          const { id, providerOrgId, changedAt, items, ...content } = r
          return { ...content, items: items.map(({ id: _id, ...rest }: any) => rest) }
        })
      const byName = (rows: any[]) => [...rows].sort((a, b) => a.name.localeCompare(b.name))
      const original = byName(await list(t, world.tokens.cataloger))
      const copy = byName(await list(t2, token))
      assert.deepEqual(
        copy.map((r) => r.name),
        original.map((r) => r.name),
      )
      assert.deepEqual(copy, original)
    } finally {
      await t2.close()
    }
  })

  test('another department`s export holds only published entries, never drafts', async () => {
    const exportFor = async (token: string, query = '') => {
      const res = await fetch(`${t.baseUrl}/api/v1/catalog/export${query}`, { headers: { authorization: `Bearer ${token}` } })
      assert.equal(res.status, 200)
      const workbook = await readBack(Buffer.from(await res.arrayBuffer()))
      const names: string[] = []
      workbook.getWorksheet('信息资源')!.eachRow((row, line) => {
        if (line > 1) names.push(String(row.getCell(2).value))
      })
      return names
    }
    assert.deepEqual(await exportFor(world.tokens.requester), [])
    assert.deepEqual(await exportFor(world.tokens.catalogerB, `?providerOrgId=${world.deptA.id}`), [])

    const id = imported[1]
    const entry = await t.request('GET', `/api/v1/catalog/resources/${id}`, { token: world.tokens.cataloger })
    await mountSomething(t, world.tokens.cataloger, entry.body)
    assert.equal((await t.request('POST', `/api/v1/catalog/resources/${id}/submit`, { token: world.tokens.cataloger })).status, 200)
    const review = await t.request('POST', `/api/v1/catalog/resources/${id}/review`, { token: world.tokens.authAdmin, body: { decision: 'approve' } })
    assert.equal(review.status, 200, JSON.stringify(review.body))
    assert.deepEqual(await exportFor(world.tokens.requester), ['网吧分布信息'])
    assert.deepEqual(await exportFor(world.tokens.requester, `?q=${encodeURIComponent('网吧')}`), ['网吧分布信息'])
    assert.deepEqual(await exportFor(world.tokens.requester, `?q=${encodeURIComponent('典当')}`), [])
    // The authority reviews submissions: a department's unsubmitted drafts stay private to it.
    assert.deepEqual(await exportFor(world.tokens.authAdmin), ['网吧分布信息'], 'the authority sees the published entry, not the drafts')
  })

  test('a larger import and an export that spans several search pages', async () => {
    const entries = Array.from({ length: 230 }, (_, i) => alarmStatistics({ 序号: i + 1, 信息资源名称: `110报警服务台接警量统计（第${i + 1}期）` }))
    const started = Date.now()
    const res = await importFile(world.tokens.cataloger, await workbookOf(entries))
    assert.equal(res.status, 201, JSON.stringify(res.body).slice(0, 500))
    assert.equal(res.body.created, 230)
    const took = Date.now() - started
    const download = await fetch(`${t.baseUrl}/api/v1/catalog/export?mine=true&formatClass=1`, {
      headers: { authorization: `Bearer ${world.tokens.cataloger}` },
    })
    assert.equal(download.headers.get('x-total-count'), '231')
    const workbook = await readBack(Buffer.from(await download.arrayBuffer()))
    const names = new Set<string>()
    workbook.getWorksheet('信息资源')!.eachRow((row, line) => {
      if (line > 1) names.add(String(row.getCell(2).value))
    })
    assert.equal(names.size, 231, 'every match once, across pages of 200')
    assert.ok(took < 60_000, `import of 230 entries took ${took} ms`)
  })

  test('export takes the search filters and refuses bad ones like the search does', async () => {
    const tooShort = await t.request('GET', `/api/v1/catalog/export?q=${encodeURIComponent('网')}`, { token: world.tokens.requester })
    assert.equal(tooShort.status, 400)
    assert.equal(tooShort.body.error.details[0].field, 'q')
    const badType = await t.request('GET', '/api/v1/catalog/export?shareType=7', { token: world.tokens.requester })
    assert.equal(badType.status, 400)
    const anonymous = await t.request('GET', '/api/v1/catalog/export')
    assert.equal(anonymous.status, 401)
  })

  test('the OpenAPI document describes the import form and the export download', async () => {
    const doc = (await t.request('GET', '/api/openapi.json')).body
    const upload = doc.paths['/api/v1/catalog/import'].post
    assert.ok(upload.requestBody.content['multipart/form-data'], JSON.stringify(upload.requestBody))
    assert.ok(upload.responses['201'])
    const download = doc.paths['/api/v1/catalog/export'].get
    assert.ok(download.responses['200'].content[XLSX_MIME])
    assert.ok(download.parameters.some((p: any) => p.name === 'q'))
  })
})
