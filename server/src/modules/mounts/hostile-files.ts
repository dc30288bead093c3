import { randomBytes } from 'node:crypto'
import { deflateRawSync } from 'node:zlib'
import ExcelJS from 'exceljs'
import { UPLOAD_LIMITS } from '../../../../common/limits.ts'
import { type ZipEntry, unzip, zipOf } from '../../testing/zip.ts'
import { encodeGbk } from './test-helpers.ts'

/**
 * Hostile uploads, generated at run time (no binaries in the repository). Each names the answer it
 * must get: 400 for a file that is broken or lies, 413 for one past a limit of UPLOAD_LIMITS.
 */
export interface HostileFile {
  name: string
  fileName: string
  bytes: Buffer
  status: 400 | 413
  message: RegExp
}

const MB = 1024 * 1024
const SHEET = 'xl/worksheets/sheet1.xml'
const SHARED = 'xl/sharedStrings.xml'

/** The header of the mounts tests' standard entry. */
export const HEADER = ['uscc', 'org_name', 'legal_rep_id', 'updated_at']

/** The parts of a small, valid workbook (header + one row, shared strings on). */
export async function baseWorkbook(): Promise<Map<string, Buffer>> {
  const workbook = new ExcelJS.Workbook()
  const sheet = workbook.addWorksheet('Sheet1')
  sheet.addRow(HEADER)
  sheet.addRow(['913707000000000001', '潍坊市测试社会组织', '370702198001010000', '2026-01-01 08:00:00'])
  return unzip(Buffer.from(await workbook.xlsx.writeBuffer()))
}

const sheetXml = (rows: string) =>
  `<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><sheetData>` +
  `<row r="1">${HEADER.map((h, i) => `<c r="${String.fromCharCode(65 + i)}1" t="inlineStr"><is><t>${h}</t></is></c>`).join('')}</row>${rows}</sheetData></worksheet>`

const sharedXml = (items: string, prologue = '') =>
  `<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n${prologue}<sst xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">${items}</sst>`

const withPart = (base: Map<string, Buffer>, name: string, part: Buffer | ZipEntry, options: { zip64?: boolean } = {}) =>
  zipOf(new Map<string, Buffer | ZipEntry>(base).set(name, part), options)

/** Random text that does not compress (so only the limit under test can refuse it). */
const incompressible = (bytes: number) =>
  randomBytes(Math.ceil((bytes * 3) / 4))
    .toString('base64')
    .slice(0, bytes)

/** `count` parts of 1 MB of zeros, deflated once: `count` MB inflated from a few KB each. */
function paddingParts(base: Map<string, Buffer>, count: number) {
  const content = Buffer.alloc(MB)
  const packed = deflateRawSync(content)
  const parts = new Map<string, Buffer | ZipEntry>(base)
  for (let i = 0; i < count; i++) parts.set(`xl/media/image${i}.png`, { content, packed })
  return zipOf(parts)
}

/**
 * The hostile workbooks. `inflatedBytes` is the route's allowance for all parts together
 * (table mounts and catalog import differ).
 */
export function hostileWorkbooks(base: Map<string, Buffer>, inflatedBytes: number): HostileFile[] {
  const xlsx = (name: string, bytes: Buffer, status: 400 | 413, message: RegExp): HostileFile => ({ name, fileName: `${name}.xlsx`, bytes, status, message })
  const deep = '<x>'.repeat(10_000) + '</x>'.repeat(10_000)
  const laughs =
    '<!DOCTYPE sst [<!ENTITY lol "lol">' + Array.from({ length: 9 }, (_, i) => `<!ENTITY lol${i + 1} "${`&lol${i || ''};`.repeat(10)}">`).join('') + ']>'
  const manyStrings: string[] = []
  for (let i = 0; i <= UPLOAD_LIMITS.sharedStrings; i++) manyStrings.push(`<si><t>${i}</t></si>`)
  const sheetBomb = Buffer.concat([Buffer.from(sheetXml('')), Buffer.alloc(96 * MB, 0x20)])
  const lie = Buffer.from(sheetXml('<row r="2"><c r="A2"><v>1</v></c></row>'.repeat(400_000)))
  return [
    xlsx('zip-bomb', withPart(base, SHEET, sheetBomb), 413, /压缩炸弹/),
    xlsx('inflated-total', paddingParts(base, Math.floor(inflatedBytes / MB) + 2), 413, /解压后超过/),
    xlsx('size-lie', withPart(base, SHEET, { content: lie, declaredSize: 1000 }), 400, /大小与其声明不符/),
    xlsx('smuggled-entry', smuggledEntry(base), 400, /可能被篡改/),
    xlsx('zip64', withPart(base, SHEET, { content: Buffer.from(sheetXml('')), zip64: true }, { zip64: true }), 400, /ZIP64/),
    xlsx('giant-shared-string', withPart(base, SHARED, Buffer.from(sharedXml(`<si><t>${incompressible(2 * MB)}</t></si>`))), 413, /超过 256 KB/),
    xlsx(
      'shared-strings-size',
      withPart(base, SHARED, Buffer.from(sharedXml('<si><t>x</t></si>'.repeat(Math.ceil((UPLOAD_LIMITS.sharedStringsBytes + MB) / 17))))),
      413,
      /共享字符串表解压后超过/,
    ),
    xlsx('many-shared-strings', withPart(base, SHARED, Buffer.from(sharedXml(manyStrings.join('')))), 413, /共享字符串超过 1000000 个/),
    xlsx('deep-xml', withPart(base, SHEET, Buffer.from(sheetXml(`<row r="2">${deep}</row>`))), 400, /嵌套超过 64 层/),
    xlsx('billion-laughs', withPart(base, SHARED, Buffer.from(sharedXml('<si><t>&lol9;</t></si>', laughs))), 400, /DOCTYPE/),
    xlsx(
      'huge-cell',
      withPart(base, SHEET, Buffer.from(sheetXml(`<row r="2"><c r="A2" t="inlineStr"><is><t>${incompressible(MB)}</t></is></c></row>`))),
      413,
      /超过 256 KB/,
    ),
    xlsx('too-many-columns', withPart(base, SHEET, Buffer.from(sheetXml(`<row r="2">${'<c><v>1</v></c>'.repeat(5000)}</row>`))), 413, /超过 4096 列/),
  ]
}

/**
 * A local entry hidden between the last listed part and the directory: a streaming reader (exceljs
 * walks local headers) would read this second sheet1.xml, a directory-based check would never see it.
 */
function smuggledEntry(base: Map<string, Buffer>): Buffer {
  const listed = zipOf(base)
  const end = listed.length - 22
  const directoryOffset = listed.readUInt32LE(end + 16)
  const extra = zipOf(new Map([[SHEET, Buffer.from(sheetXml('<row r="2"><c r="A2"><v>1</v></c></row>'.repeat(1000)))]]))
  const hidden = extra.subarray(0, extra.readUInt32LE(extra.length - 22 + 16))
  const tail = Buffer.from(listed.subarray(directoryOffset))
  tail.writeUInt32LE(directoryOffset + hidden.length, tail.length - 22 + 16)
  return Buffer.concat([listed.subarray(0, directoryOffset), hidden, tail])
}

/** A row whose one cell sits in Excel's last column: 16,384 values once read. Table mounts only (the catalog reader has its own column cap). */
export function farColumnWorkbook(base: Map<string, Buffer>): HostileFile {
  const bytes = withPart(base, SHEET, Buffer.from(sheetXml('<row r="2"><c r="XFD2"><v>1</v></c></row>')))
  return { name: 'far-column', fileName: 'far-column.xlsx', bytes, status: 413, message: /超过 4096 列/ }
}

/** The hostile CSVs (table mounts). */
export function hostileCsvs(): HostileFile[] {
  const csv = (name: string, bytes: Buffer, status: 400 | 413, message: RegExp): HostileFile => ({ name, fileName: `${name}.csv`, bytes, status, message })
  const head = `${HEADER.join(',')}\n`
  return [
    csv('long-line', Buffer.from(`${head}1,${'x'.repeat(UPLOAD_LIMITS.csvLineChars + 1)}\n`), 413, /超过 8M 个字符/),
    csv('too-many-columns', Buffer.from(`${Array.from({ length: 5000 }, (_, i) => `c${i}`).join(',')}\n1\n`), 413, /超过 4096 列/),
    csv(
      'invalid-utf8',
      Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), Buffer.from(`${head}913707000000000001,潍坊`), Buffer.from([0xc3, 0x28]), Buffer.from(',x,y\n')]),
      400,
      /不是有效的 UTF-8/,
    ),
    csv(
      'invalid-gbk',
      Buffer.concat([encodeGbk(`${head}913707000000000001,潍坊市张三`), Buffer.from([0x81, 0x20]), Buffer.from(',x,y\n')]),
      400,
      /不是有效的 GBK/,
    ),
  ]
}
