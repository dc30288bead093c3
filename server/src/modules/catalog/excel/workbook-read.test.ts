import assert from 'node:assert/strict'
import { describe, test } from 'node:test'
import ExcelJS from 'exceljs'
import { AppError } from '../../../platform/http/errors.ts'
import { UPLOAD_LIMITS } from '../../../../../common/limits.ts'
import { addRows, patchPart, type SheetRow, toBuffer, unzip, workbookOf, zipOf } from './testing.ts'
import { type RowProblem, readCatalogWorkbook } from './workbook-read.ts'

/** The reader alone (no database): layout, cell values, item linking, and files it must refuse. */

const entry = (overrides: SheetRow = {}): SheetRow => ({
  序号: 1,
  信息资源名称: '典当行特种行业许可信息',
  信息资源摘要: '典当行特种行业许可证的核发、变更、注销信息',
  信息资源格式分类: '数据库',
  信息资源格式类型: 'PostgreSQL',
  共享方式分类: '共享平台方式',
  共享方式类型: '接口、库表',
  共享条件: '仅向承担行业监管职责的部门提供',
  共享依据: '《典当管理办法》第二十四条',
  是否向社会开放: '否',
  更新周期: '每月',
  '信息资源分类(分类码)': '301001',
  ...overrides,
})
const item = (overrides: SheetRow = {}): SheetRow => ({
  资源序号: 1,
  信息项名称: '统一社会信用代码',
  英文名: 'uscc',
  数据类型: '字符型',
  数据长度: 18,
  共享类型: '无条件共享',
  ...overrides,
})

const where = (p: RowProblem) => `${p.sheet}!第${p.line}行.${p.column}`

async function refused(data: Buffer | Promise<Buffer>, message: RegExp, status = 400) {
  await assert.rejects(readCatalogWorkbook(await data), (error: unknown) => {
    assert.ok(error instanceof AppError, String(error))
    assert.equal(error.statusCode, status)
    assert.equal(error.code, status === 413 ? 'PAYLOAD_TOO_LARGE' : 'VALIDATION_FAILED')
    assert.match(error.message, message)
    return true
  })
}

describe('reading a catalog workbook', () => {
  test('labels become API codes and items join their entry by 资源序号, in line order', async () => {
    const data = await workbookOf(
      [
        entry(),
        entry({
          序号: 2,
          信息资源名称: '网吧分布信息',
          共享方式类型: '文件',
          信息资源格式分类: '电子表格',
          信息资源格式类型: 'xlsx',
          更新周期: '每季度',
          是否向社会开放: '是',
          开放条件: '无条件开放',
          共享条件: null,
          共享依据: null,
        }),
      ],
      [
        item(),
        item({ 资源序号: 2, 信息项名称: '场所名称', 英文名: 'site_name', 数据长度: 100 }),
        item({
          信息项名称: '法定代表人身份证号',
          英文名: 'legal_rep_id',
          共享类型: '有条件共享',
          共享条件: '仅用于身份核验',
          敏感属性: '敏感',
          个人信息类别: '敏感个人信息',
        }),
        item({ 资源序号: 2, 信息项名称: '终端数量', 英文名: 'terminals', 数据类型: 'I', 数据长度: null }),
      ],
    )
    const read = await readCatalogWorkbook(data)
    assert.deepEqual(
      read.entries.map((e) => e.problems),
      [[], []],
    )
    const [pawn, cafe] = read.entries.map((e) => e.body!)
    assert.equal(pawn.formatClass, 3)
    assert.equal(pawn.updateCycle, 4)
    assert.deepEqual(pawn.shareModes, ['api', 'table'])
    assert.equal(pawn.openFlag, false)
    assert.deepEqual(
      pawn.items.map((i) => [i.name, i.dataType, i.shareType, i.sensitive, i.piCategory]),
      [
        ['统一社会信用代码', 'C', 1, false, 'none'],
        ['法定代表人身份证号', 'C', 2, true, 'sensitive_personal'],
      ],
    )
    assert.deepEqual(read.entries[0].itemLines, [2, 4])
    assert.deepEqual(
      cafe.items.map((i) => i.name),
      ['场所名称', '终端数量'],
    )
    assert.equal(cafe.openCondition, '无条件开放')
    assert.deepEqual(read.ignoredColumns, [])
  })

  test('each bad cell is located by sheet, Excel line and column; other entries stay valid', async () => {
    const data = await workbookOf(
      [
        entry(),
        entry({ 序号: 2, 信息资源名称: '机动车停放服务信息', 更新周期: '每两年' }),
        entry({ 序号: 3, 信息资源名称: null }),
        entry({ 序号: 4, 信息资源名称: '互联网上网服务营业场所信息', 是否向社会开放: { error: '#N/A' } as ExcelJS.CellValue }),
      ],
      [item(), item({ 资源序号: 2 }), item({ 资源序号: 3 }), item({ 资源序号: 4, 数据类型: '文本型' })],
    )
    const read = await readCatalogWorkbook(data)
    assert.deepEqual(
      read.entries.map((e) => e.problems.map(where)),
      [[], ['信息资源!第3行.更新周期'], ['信息资源!第4行.信息资源名称'], ['信息资源!第5行.是否向社会开放', '信息项!第5行.数据类型']],
    )
    assert.deepEqual(
      read.entries.map((e) => e.body !== null),
      [true, false, false, false],
    )
    assert.match(read.entries[1].problems[0].message, /每两年/)
  })

  test('a schema problem on an item field points at the item line', async () => {
    const long = '长'.repeat(101)
    const read = await readCatalogWorkbook(await workbookOf([entry()], [item(), item({ 信息项名称: long, 英文名: '1bad' })]))
    assert.deepEqual(read.entries[0].problems.map(where), ['信息项!第3行.信息项名称', '信息项!第3行.英文名'])
  })

  test('the template`s grouped two-line header is recognised and data starts on line 3', async () => {
    const workbook = new ExcelJS.Workbook()
    const sheet = workbook.addWorksheet('信息资源')
    const fields = entry()
    const groups: Record<string, string> = {
      信息资源格式分类: '信息资源格式',
      信息资源格式类型: '信息资源格式',
      共享条件: '共享属性',
      共享依据: '共享属性',
      共享方式分类: '共享方式',
      共享方式类型: '共享方式',
      是否向社会开放: '开放属性',
    }
    const headers = Object.keys(fields)
    sheet.addRow(headers.map((h) => groups[h] ?? h))
    sheet.addRow(headers.map((h) => (groups[h] ? h : null)))
    sheet.addRow(headers.map((h) => fields[h] as ExcelJS.CellValue))
    const read = await readCatalogWorkbook(await toBuffer(workbook))
    assert.equal(read.entries.length, 1)
    assert.equal(read.entries[0].line, 3)
    assert.deepEqual(read.entries[0].problems, [])
    assert.deepEqual(read.entries[0].body!.shareModes, ['api', 'table'])
  })

  test('a blank 资源序号 continues the entry above (merged cells), or links by 信息资源名称', async () => {
    const workbook = new ExcelJS.Workbook()
    addRows(workbook, '信息资源', [entry(), entry({ 序号: 2, 信息资源名称: '网吧分布信息' })])
    const items = addRows(workbook, '信息项', [
      item(),
      item({ 资源序号: null, 信息项名称: '典当行名称', 英文名: 'pawn_name', 数据长度: 200 }),
      item({ 资源序号: null, 信息项名称: '场所名称', 英文名: 'site_name', 信息资源名称: '网吧分布信息' }),
      item({ 资源序号: null, 信息项名称: '场所地址', 英文名: 'site_address' }),
    ])
    items.mergeCells('A2:A3')
    const read = await readCatalogWorkbook(await toBuffer(workbook))
    assert.deepEqual(
      read.entries.map((e) => e.body?.items.map((i) => i.name)),
      [
        ['统一社会信用代码', '典当行名称'],
        ['场所名称', '场所地址'],
      ],
    )
  })

  test('items that name no entry, repeated 序号 or names, and a 共享类型 the items contradict are reported', async () => {
    const read = await readCatalogWorkbook(
      await workbookOf(
        [entry({ 共享类型: '无条件共享' }), entry({ 序号: 1, 信息资源名称: '网吧分布信息' }), entry({ 序号: 3 })],
        [item({ 共享类型: '有条件共享', 共享条件: '仅用于身份核验' }), item({ 资源序号: 9 }), item({ 资源序号: 3, 信息资源名称: '别的目录' })],
      ),
    )
    assert.deepEqual(read.strayProblems.map(where), ['信息项!第3行.资源序号'])
    assert.deepEqual(
      read.entries.map((e) => e.problems.map(where)),
      [['信息资源!第2行.共享类型'], ['信息资源!第3行.序号'], ['信息资源!第4行.信息资源名称', '信息项!第4行.信息资源名称']],
    )
    assert.match(read.entries[0].problems[0].message, /应为「有条件共享」/)
  })

  test('formulas are read as their saved results, booleans and numbers where text is expected', async () => {
    const read = await readCatalogWorkbook(
      await workbookOf(
        [entry({ 序号: 1, 是否向社会开放: false, 联系电话: 13800138000, 信息资源格式分类: 3, 更新周期: { formula: '2+2', result: 4 } as ExcelJS.CellValue })],
        [item({ 数据长度: { formula: 'B1*0+18', result: 18 } as ExcelJS.CellValue, 主键: true })],
      ),
    )
    assert.deepEqual(read.entries[0].problems, [])
    const body = read.entries[0].body!
    assert.equal(body.updateCycle, 4)
    assert.equal(body.contactPhone, '13800138000')
    assert.equal(body.items[0].length, 18)
    assert.equal(body.items[0].isPrimaryKey, true)
  })

  test('unknown columns are ignored and reported', async () => {
    const read = await readCatalogWorkbook(await workbookOf([entry({ 备用字段: 'x' })]))
    assert.deepEqual(read.ignoredColumns, ['信息资源!备用字段'])
  })
})

describe('files the reader refuses with a 400', () => {
  test('empty files, CSV renamed .xlsx, old .xls, Word documents and damaged zips', async () => {
    await refused(Buffer.alloc(0), /空/)
    await refused(Buffer.from('信息资源名称,更新周期\n典当行许可信息,每月\n'), /不是 Excel 工作簿/)
    await refused(Buffer.concat([Buffer.from([0xd0, 0xcf, 0x11, 0xe0, 0xa1, 0xb1, 0x1a, 0xe1]), Buffer.alloc(600)]), /\.xls/)
    await refused(
      zipOf(
        new Map([
          ['[Content_Types].xml', Buffer.from('<Types/>')],
          ['word/document.xml', Buffer.from('<w/>')],
        ]),
      ),
      /Word/,
    )
    const good = await workbookOf([entry()])
    await refused(good.subarray(0, good.length - 100), /损坏/)
    await refused(Buffer.concat([good.subarray(0, 200), Buffer.alloc(200, 7), good.subarray(400)]), /损坏/)
  })

  test('a zip whose XML is not a workbook', async () => {
    const good = await workbookOf([entry()])
    await refused(
      patchPart(good, 'xl/workbook.xml', () => '<<<not xml'),
      /无法读取|损坏|没有「信息资源」/,
    )
    await refused(
      patchPart(good, 'xl/worksheets/sheet1.xml', (xml) => xml.slice(0, xml.length / 2)),
      /无法读取|没有目录数据|损坏/,
    )
  })

  test('no 「信息资源」 sheet, no known header, a missing required column, a repeated column', async () => {
    const other = new ExcelJS.Workbook()
    addRows(other, 'Sheet1', [entry()])
    await refused(toBuffer(other), /没有「信息资源」工作表.*Sheet1/)
    await refused(workbookOf([{ 名称: '典当行许可信息', 周期: '每月' }]), /没有可识别的列名/)
    const { 更新周期: _cycle, ...withoutCycle } = entry()
    await refused(workbookOf([withoutCycle]), /缺少必填列「更新周期」/)
    await refused(workbookOf([entry()], [], { entryHeaders: [...Object.keys(entry()), '更新频率'] }), /「更新周期」列出现了两次/)
    await refused(workbookOf([], [], { entryHeaders: Object.keys(entry()) }), /没有目录数据/)
  })

  test(`more than 5000 entries`, async () => {
    const rows = Array.from({ length: 5001 }, (_, i) => entry({ 序号: i + 1, 信息资源名称: `目录${i + 1}` }))
    await refused(workbookOf(rows), /5001 条目录，一次最多导入 5000 条/)
  })

  test('whole-column drop-downs and a whole-sheet merged range do not blow up the reader', async () => {
    const good = await workbookOf([entry()])
    const hostile = patchPart(good, 'xl/worksheets/sheet1.xml', (xml) =>
      xml.replace(
        '</sheetData>',
        '</sheetData><mergeCells count="1"><mergeCell ref="Z1:XFD1048576"/></mergeCells>' +
          '<dataValidations count="1"><dataValidation type="list" allowBlank="1" sqref="A2:Y1048576"><formula1>"是,否"</formula1></dataValidation></dataValidations>',
      ),
    )
    const started = Date.now()
    const read = await readCatalogWorkbook(hostile)
    assert.ok(Date.now() - started < 5000, `took ${Date.now() - started} ms`)
    assert.equal(read.entries.length, 1)
    assert.deepEqual(read.entries[0].problems, [])
  })

  test('a part that inflates beyond the limit (zip bomb) is refused before exceljs reads it', async () => {
    const parts = unzip(await workbookOf([entry()]))
    parts.set('xl/media/padding.bin', Buffer.alloc(UPLOAD_LIMITS.catalogInflatedBytes + 1))
    await refused(zipOf(parts), /解压后超过/, 413)
  })
})

describe('damaged files (seeded fuzzing)', () => {
  test('corrupted bytes or corrupted XML inside a valid zip end as entries, a 400 or a 413, never another error', async () => {
    const good = await workbookOf([entry()], [item()])
    const parts = unzip(good)
    let seed = 20260302
    const random = (n: number) => {
      seed = (seed * 1103515245 + 12345) & 0x7fffffff
      return seed % n
    }
    for (let run = 0; run < 80; run++) {
      let data: Buffer
      if (run % 2 === 0) {
        data = Buffer.from(good)
        for (let k = 0; k <= random(5); k++) data[random(data.length)] = random(256)
      } else {
        const names = [...parts.keys()]
        const name = names[random(names.length)]
        const xml = Buffer.from(parts.get(name)!)
        for (let k = 0; k <= random(8); k++) xml[random(xml.length)] = '<>/"=&x 0'.charCodeAt(random(9))
        data = zipOf(new Map(parts).set(name, xml))
      }
      try {
        await readCatalogWorkbook(data)
      } catch (error) {
        // 413: a corrupted size field can make a part look like a zip bomb.
        assert.ok(error instanceof AppError && (error.statusCode === 400 || error.statusCode === 413), `run ${run}: ${String(error)}`)
      }
    }
  })
})
