import { PassThrough } from 'node:stream'
import type ExcelJSModule from 'exceljs'
import type { FastifyReply } from 'fastify'
import { z } from 'zod'
import { beijingTimestampText } from '../calendar/dates.ts'

/**
 * Streamed XLSX downloads (the audit export, the departments' 台账 of requests, grants and calls): rows
 * come from an async iterator a page at a time and leave as they are written, so a large export never
 * sits in memory. Cells are written as values, never formulas.
 */
export interface SheetColumn<T> {
  header: string
  width: number
  value: (row: T) => string | number
}

export const XLSX_CONTENT_TYPE = 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet'

/** Excel's sheet holds 1,048,576 rows; an XLSX export stops short of it. */
export const XLSX_MAX_ROWS = 1_000_000

let excelJs: Promise<typeof ExcelJSModule> | undefined
/**
 * exceljs, loaded on first use: it is a second of CPU to import, which every server start (and every
 * test process) paid though most never read or write a workbook.
 */
export const loadExcelJS = () => (excelJs ??= import('exceljs').then((m) => m.default))

export function xlsxStream<T>(sheetName: string, columns: readonly SheetColumn<T>[], rows: AsyncIterable<T> | Iterable<T>): PassThrough {
  const out = new PassThrough()
  void (async () => {
    const ExcelJS = await loadExcelJS()
    const workbook = new ExcelJS.stream.xlsx.WorkbookWriter({ stream: out, useSharedStrings: false, useStyles: true })
    const sheet = workbook.addWorksheet(sheetName, { views: [{ state: 'frozen', ySplit: 1 }] })
    sheet.columns = columns.map((c) => ({ header: c.header, width: c.width }))
    sheet.getRow(1).font = { bold: true }
    sheet.getRow(1).commit()
    let written = 0
    for await (const row of rows) {
      if (written++ >= XLSX_MAX_ROWS) break
      sheet.addRow(columns.map((c) => c.value(row))).commit()
    }
    sheet.commit()
    await workbook.commit()
  })().catch((error: Error) => out.destroy(error))
  return out
}

/** Rows of a keyset-paged query (`page(last)` returns the rows after `last` in a fixed order), one page in memory at a time. */
export async function* pagedAfter<T>(page: (last: T | null) => Promise<T[]>, pageSize: number): AsyncGenerator<T> {
  let last: T | null = null
  for (;;) {
    const rows = await page(last)
    yield* rows
    if (rows.length < pageSize) return
    last = rows[rows.length - 1]
  }
}

/** 2026-03-02 10:00:00 in Beijing time (the time the departments' ledgers are kept in). */
export const beijingDateTime = (at: Date | string) => beijingTimestampText(new Date(at))

/** RFC 6266 / 5987: an ASCII fallback name plus the UTF-8 one. */
export const attachment = (asciiName: string, name: string) => `attachment; filename="${asciiName}"; filename*=UTF-8''${encodeURIComponent(name)}`

/** Sends `<name>-<Beijing time>.xlsx` as a download (the stream as is, never serialized). */
export function sendXlsx(reply: FastifyReply, stream: PassThrough, name: { zh: string; ascii: string }, now: Date) {
  const stamp = beijingDateTime(now).replace(/[-: ]/g, '')
  return reply
    .header('content-type', XLSX_CONTENT_TYPE)
    .header('content-disposition', attachment(`${name.ascii}-${stamp}.xlsx`, `${name.zh}-${stamp}.xlsx`))
    .send(stream)
}

/** The 200 response of a spreadsheet route in OpenAPI. */
export const xlsxResponse = (description: string) => ({
  description,
  content: { [XLSX_CONTENT_TYPE]: { schema: z.file() } },
})
