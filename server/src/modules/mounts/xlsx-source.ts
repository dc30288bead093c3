import { Readable } from 'node:stream'
import ExcelJS from 'exceljs'
import { validationFailed } from '../../platform/http/errors.ts'
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

/**
 * Streams the rows (in batches) of the workbook's first sheet with exceljs's streaming reader (shared strings
 * cached, styles cached so date cells come back as dates). Later sheets are read and skipped, so
 * the upload is always consumed to its end.
 */
export async function* xlsxRows(bytes: AsyncIterable<Buffer>): AsyncGenerator<SourceBatch> {
  const reader = new ExcelJS.stream.xlsx.WorkbookReader(Readable.from(bytes), {
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
