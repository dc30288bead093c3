import ExcelJS from 'exceljs'
import { XLSX_MIME } from './schemas.ts'

/** Test helpers: workbooks in the import layout (zip surgery for hostile files is in testing/zip.ts). */

export type SheetRow = Record<string, string | number | boolean | Date | null | undefined | ExcelJS.CellValue>

/** A sheet whose header row is the union of the rows' keys (in first-seen order), or `headers`. */
export function addRows(workbook: ExcelJS.Workbook, name: string, rows: readonly SheetRow[], headers?: readonly string[]) {
  const sheet = workbook.addWorksheet(name)
  const columns = headers ?? [...new Set(rows.flatMap((row) => Object.keys(row)))]
  sheet.addRow([...columns])
  for (const row of rows) sheet.addRow(columns.map((h) => (row[h] === undefined ? null : row[h]) as ExcelJS.CellValue))
  return sheet
}

export async function workbookOf(
  entries: readonly SheetRow[],
  items: readonly SheetRow[] = [],
  options: { entryHeaders?: string[]; itemHeaders?: string[] } = {},
) {
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

export { patchPart, unzip, zipOf } from '../../../testing/zip.ts'
