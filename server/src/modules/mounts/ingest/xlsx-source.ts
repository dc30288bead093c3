import { Readable } from 'node:stream'
import type ExcelJS from 'exceljs'
import { loadExcelJS } from '../../../platform/http/spreadsheet.ts'
import { UPLOAD_LIMITS } from '../../../../../common/limits.ts'
import { validationFailed } from '../../../platform/http/errors.ts'
import { readWhole } from '../../../platform/uploads/buffered.ts'
import type { UploadLease } from '../../../platform/uploads/memory-budget.ts'
import { uploadTooLarge } from '../../../platform/uploads/refusals.ts'
import { type XlsxFacts, inspectXlsx } from '../../../platform/uploads/xlsx-guard.ts'
import type { SourceBatch, SourceRow } from './source.ts'
import type { RawValue } from './values.ts'

/** One exceljs cell value as a plain value: rich text joined, formulas as their result, links as their text. */
export function cellValue(value: unknown): RawValue {
  if (value === null || value === undefined) return null
  if (typeof value === 'string' || typeof value === 'number' || typeof value === 'boolean' || value instanceof Date) return value
  if (typeof value === 'object') {
    const v = value as Record<string, unknown>
    if (Array.isArray(v.richText)) return (v.richText as { text?: string }[]).map((run) => run.text ?? '').join('')
    if ('formula' in v || 'sharedFormula' in v) return cellValue(v.result)
    if ('hyperlink' in v) return cellValue(v.text)
    // An error cell (#N/A, #DIV/0!…) reads as its code, as it would in a CSV export.
    if (typeof v.error === 'string') return v.error
    if ('text' in v) return cellValue(v.text)
  }
  return String(value)
}

const XLSX_BATCH_ROWS = 500
// Handed to exceljs in pieces of this size (its zip reader re-buffers what it is given).
const FEED_BYTES = 64 * 1024
// Heap besides the shared strings while a sheet streams: exceljs's row objects, zip and XML buffers, a batch.
const STREAMING_BYTES = 16 * 1024 * 1024

/**
 * The heap exceljs's streaming reader holds beyond the file itself: its cache of the shared strings
 * (as UTF-16 strings, each with a V8 header and an array slot) and a working set.
 */
const xlsxReadingBytes = (facts: XlsxFacts) => facts.sharedStringsBytes * 2 + facts.sharedStrings * 48 + STREAMING_BYTES

function* pieces(data: Buffer) {
  for (let at = 0; at < data.length; at += FEED_BYTES) yield data.subarray(at, at + FEED_BYTES)
}

const tooManyColumns = () => uploadTooLarge(`工作表有超过 ${UPLOAD_LIMITS.columns} 列的行，请删除多余的列后上传`)

/**
 * The rows (in batches) of the workbook's first sheet. The file is read whole (a zip's directory is
 * at its end) and checked by inspectXlsx before exceljs sees it, its bytes and the reader's shared
 * strings reserved in `lease`; then exceljs's streaming reader walks it (shared strings cached,
 * styles cached so date cells come back as dates). Later sheets are read and skipped.
 */
export async function* xlsxRows(bytes: AsyncIterable<Buffer>, lease: UploadLease): AsyncGenerator<SourceBatch> {
  const data = await readWhole(bytes, lease, { maxBytes: UPLOAD_LIMITS.xlsxFileBytes, factor: 1 })
  const facts = await inspectXlsx(data)
  await lease.reserve(xlsxReadingBytes(facts))
  const reader = new (await loadExcelJS()).stream.xlsx.WorkbookReader(Readable.from(pieces(data)), {
    worksheets: 'emit',
    sharedStrings: 'cache',
    styles: 'cache',
    hyperlinks: 'ignore',
    entries: 'emit',
  })
  let sheets = 0
  let batch: SourceRow[] = []
  try {
    for await (const sheet of reader) {
      sheets++
      for await (const row of sheet) {
        if (sheets > 1) continue
        const cells = (row as ExcelJS.Row).values as unknown[]
        // A cell far right (column XFD) makes a row of 16,384 values: one comparison per row stops it.
        if (cells.length > UPLOAD_LIMITS.columns + 1) throw tooManyColumns()
        // row.values is 1-based and sparse.
        const values: RawValue[] = []
        for (let i = 1; i < cells.length; i++) values.push(cellValue(cells[i]))
        batch.push({ line: (row as ExcelJS.Row).number, values })
        if (batch.length >= XLSX_BATCH_ROWS) {
          yield { rows: batch, text: null }
          batch = []
        }
      }
    }
    if (batch.length > 0) yield { rows: batch, text: null }
  } catch (error) {
    if ((error as { statusCode?: number }).statusCode) throw error
    const message = '无法读取 Excel 文件，请确认是有效的 .xlsx 工作簿（或另存为 CSV 后上传）'
    throw validationFailed([{ field: 'file', message }], message)
  }
}
