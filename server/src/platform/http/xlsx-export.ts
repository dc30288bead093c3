import { PassThrough } from 'node:stream'
import ExcelJS from 'exceljs'

export interface XlsxColumn<Row> {
  header: string
  width: number
  value: (row: Row) => string | number
}

export const XLSX_CONTENT_TYPE = 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet'

/**
 * One worksheet streamed row by row (nothing held beyond the row being written): a bold, frozen header,
 * then a row per item of `rows`. A failure while reading rows destroys the stream, so the client sees a
 * broken download rather than a silently short file.
 */
export function xlsxStream<Row>(sheetName: string, columns: readonly XlsxColumn<Row>[], rows: AsyncIterable<Row> | Iterable<Row>): PassThrough {
  const out = new PassThrough()
  const workbook = new ExcelJS.stream.xlsx.WorkbookWriter({ stream: out, useSharedStrings: false, useStyles: true })
  const sheet = workbook.addWorksheet(sheetName, { views: [{ state: 'frozen', ySplit: 1 }] })
  sheet.columns = columns.map((c) => ({ header: c.header, width: c.width }))
  sheet.getRow(1).font = { bold: true }
  sheet.getRow(1).commit()
  void (async () => {
    for await (const row of rows) sheet.addRow(columns.map((c) => c.value(row))).commit()
    sheet.commit()
    await workbook.commit()
  })().catch((error: Error) => out.destroy(error))
  return out
}

/** A Content-Disposition for a download with a Chinese name (RFC 6266/5987; old clients read the ASCII one). */
export const attachment = (asciiName: string, name: string) => `attachment; filename="${asciiName}"; filename*=UTF-8''${encodeURIComponent(name)}`
