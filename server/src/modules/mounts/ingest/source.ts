import type { Readable } from 'node:stream'
import { UPLOAD_LIMITS } from '../../../../../common/limits.ts'
import { validationFailed } from '../../../platform/http/errors.ts'
import type { UploadLease } from '../../../platform/uploads/memory-budget.ts'
import type { CsvEncoding } from './encoding.ts'
import { readingUpload } from './upload-input.ts'
import { csvRows } from './csv-source.ts'
import type { RawValue } from './values.ts'
import { xlsxRows } from './xlsx-source.ts'

/** One row of an uploaded table: its line in the file (header = 1) and its cells in column order. */
export interface SourceRow {
  line: number
  values: RawValue[]
}

/**
 * Rows as read, in file order. A CSV batch also carries its `text`: the records exactly as the file wrote
 * them, line breaks included, which the loader may pass to PostgreSQL's own CSV reader unchanged.
 */
export interface SourceBatch {
  rows: SourceRow[]
  text: string | null
}

export type SourceFormat = 'csv' | 'xlsx'

export interface TableSource {
  format: SourceFormat
  /** The rows in batches, in file order (a batch per chunk read, so the loader awaits per chunk, not per row). */
  rows: AsyncGenerator<SourceBatch>
  /** 'utf-8' | 'utf-8-bom' | 'gbk' for CSV (known once read), 'xlsx' for workbooks. */
  encoding(): CsvEncoding | 'xlsx'
}

const ZIP_MAGIC = [0x50, 0x4b, 0x03, 0x04]
const OLE_MAGIC = [0xd0, 0xcf, 0x11, 0xe0] // legacy .xls (BIFF)

const startsWith = (buffer: Buffer, bytes: number[]) => buffer.length >= bytes.length && bytes.every((b, i) => buffer[i] === b)

/** The same byte stream with its first chunk already read (so the format can be sniffed without buffering). */
async function peek(stream: Readable): Promise<{ head: Buffer; chunks: AsyncIterable<Buffer> }> {
  const iterator = readingUpload(stream as AsyncIterable<Buffer>)
  const first = await iterator.next()
  const head = first.done ? Buffer.alloc(0) : first.value
  async function* all() {
    if (head.length > 0) yield head
    for (;;) {
      const next = await iterator.next()
      if (next.done) return
      yield next.value
    }
  }
  return { head, chunks: all() }
}

// A CSV streams: at most one unfinished record (twice, as text and as its fields, two bytes a character) and a batch.
const CSV_READING_BYTES = UPLOAD_LIMITS.csvLineChars * 2 * 2 + 4 * 1024 * 1024

const refuse = (message: string) => validationFailed([{ field: 'file', message }], message)

/**
 * Opens an uploaded table: XLSX when the bytes are a zip (or the name says .xlsx), otherwise CSV.
 * Rows are produced lazily, so the upload is read only as fast as it is loaded; what the reader
 * holds is reserved in `lease` (the process's upload memory budget) before it is held.
 */
export async function openTableSource(stream: Readable, fileName: string, lease: UploadLease): Promise<TableSource> {
  const { head, chunks } = await peek(stream)
  if (head.length === 0) throw refuse('上传的文件为空')
  if (startsWith(head, OLE_MAGIC) || /\.xls$/i.test(fileName)) {
    throw refuse('不支持旧版 Excel（.xls）文件，请另存为 .xlsx 或 CSV 后上传')
  }
  if (startsWith(head, ZIP_MAGIC)) {
    return { format: 'xlsx', rows: xlsxRows(chunks, lease), encoding: () => 'xlsx' }
  }
  if (/\.xlsx$/i.test(fileName)) throw refuse('文件扩展名为 .xlsx，但内容不是有效的 Excel 工作簿')
  let encoding: CsvEncoding = 'utf-8'
  await lease.reserve(CSV_READING_BYTES)
  return { format: 'csv', rows: csvRows(chunks, (e) => (encoding = e)), encoding: () => encoding }
}
