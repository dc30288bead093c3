import * as zlib from 'node:zlib'
import { deflateRawSync, inflateRawSync } from 'node:zlib'
import ExcelJS from 'exceljs'
import { listZipParts, storedBytes } from '../../../platform/uploads/zip-archive.ts'
import { XLSX_MIME } from './schemas.ts'

/** Test helpers: workbooks in the import layout, and raw zip surgery for hostile files. */

export type SheetRow = Record<string, string | number | boolean | Date | null | undefined | ExcelJS.CellValue>

/** A sheet whose header row is the union of the rows' keys (in first-seen order), or `headers`. */
export function addRows(workbook: ExcelJS.Workbook, name: string, rows: readonly SheetRow[], headers?: readonly string[]) {
  const sheet = workbook.addWorksheet(name)
  const columns = headers ?? [...new Set(rows.flatMap((row) => Object.keys(row)))]
  sheet.addRow([...columns])
  for (const row of rows) sheet.addRow(columns.map((h) => (row[h] === undefined ? null : row[h]) as ExcelJS.CellValue))
  return sheet
}

export async function workbookOf(entries: readonly SheetRow[], items: readonly SheetRow[] = [], options: { entryHeaders?: string[]; itemHeaders?: string[] } = {}) {
  const workbook = new ExcelJS.Workbook()
  addRows(workbook, '信息资源', entries, options.entryHeaders)
  if (items.length > 0 || options.itemHeaders) addRows(workbook, '信息项', items, options.itemHeaders)
  return toBuffer(workbook)
}

export const toBuffer = async (workbook: ExcelJS.Workbook) => Buffer.from(await workbook.xlsx.writeBuffer())

export async function readBack(data: Buffer) {
  const workbook = new ExcelJS.Workbook()
  await workbook.xlsx.load(data as unknown as Parameters<typeof workbook.xlsx.load>[0])
  return workbook
}

/** The import form: the file part plus optional fields. */
export function importForm(data: Buffer, fields: Record<string, string> = {}, filename = '目录导入.xlsx') {
  const form = new FormData()
  for (const [key, value] of Object.entries(fields)) form.append(key, value)
  form.append('file', new Blob([new Uint8Array(data)], { type: XLSX_MIME }), filename)
  return form
}

const CRC_TABLE = Array.from({ length: 256 }, (_, n) => {
  let c = n
  for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1
  return c >>> 0
})
const nativeCrc32 = (zlib as { crc32?: (data: Buffer) => number }).crc32
const crc32 = (data: Buffer) => {
  if (nativeCrc32) return nativeCrc32(data)
  let c = 0xffffffff
  for (const byte of data) c = CRC_TABLE[(c ^ byte) & 0xff] ^ (c >>> 8)
  return (c ^ 0xffffffff) >>> 0
}

/** Writes a zip (deflated parts) from name → content. */
export function zipOf(parts: ReadonlyMap<string, Buffer>): Buffer {
  const locals: Buffer[] = []
  const centrals: Buffer[] = []
  let offset = 0
  for (const [name, content] of parts) {
    const nameBytes = Buffer.from(name, 'utf8')
    const packed = deflateRawSync(content)
    const local = Buffer.alloc(30)
    local.writeUInt32LE(0x04034b50, 0)
    local.writeUInt16LE(20, 4)
    local.writeUInt16LE(0x0800, 6)
    local.writeUInt16LE(8, 8)
    local.writeUInt32LE(crc32(content), 14)
    local.writeUInt32LE(packed.length, 18)
    local.writeUInt32LE(content.length, 22)
    local.writeUInt16LE(nameBytes.length, 26)
    const central = Buffer.alloc(46)
    central.writeUInt32LE(0x02014b50, 0)
    central.writeUInt16LE(20, 4)
    central.writeUInt16LE(20, 6)
    central.writeUInt16LE(0x0800, 8)
    central.writeUInt16LE(8, 10)
    central.writeUInt32LE(crc32(content), 16)
    central.writeUInt32LE(packed.length, 20)
    central.writeUInt32LE(content.length, 24)
    central.writeUInt16LE(nameBytes.length, 28)
    central.writeUInt32LE(offset, 42)
    locals.push(local, nameBytes, packed)
    centrals.push(central, nameBytes)
    offset += 30 + nameBytes.length + packed.length
  }
  const directory = Buffer.concat(centrals)
  const end = Buffer.alloc(22)
  end.writeUInt32LE(0x06054b50, 0)
  end.writeUInt16LE(parts.size, 8)
  end.writeUInt16LE(parts.size, 10)
  end.writeUInt32LE(directory.length, 12)
  end.writeUInt32LE(offset, 16)
  return Buffer.concat([...locals, directory, end])
}

/** The parts of a zip, inflated. */
export function unzip(data: Buffer): Map<string, Buffer> {
  const listed = listZipParts(data, 10_000)
  if (!listed.ok) throw new Error(listed.problem)
  const parts = new Map<string, Buffer>()
  for (const part of listed.parts) {
    const stored = storedBytes(data, part)
    parts.set(part.name, part.method === 8 ? inflateRawSync(stored) : Buffer.from(stored))
  }
  return parts
}

/** Rewrites one part of an xlsx (e.g. to plant a whole-sheet merged range in its XML). */
export function patchPart(data: Buffer, name: string, patch: (xml: string) => string): Buffer {
  const parts = unzip(data)
  const part = parts.get(name)
  if (!part) throw new Error(`no part ${name}`)
  parts.set(name, Buffer.from(patch(part.toString('utf8')), 'utf8'))
  return zipOf(parts)
}
