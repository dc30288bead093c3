import { AppError, validationFailed } from '../../platform/http/errors.ts'
import { CsvFormatError, CsvReader } from './csv-reader.ts'
import { type CsvEncoding, decodeText } from './encoding.ts'
import type { SourceBatch } from './source.ts'

// One record may not exceed this (a 通用型 base64 cell can be large, but not unbounded).
const MAX_RECORD_CHARS = 16 * 1024 * 1024
// Text parsed per batch. The upload's chunks grow large when the socket has data waiting (a MiB or
// more); a batch's rows all live until it is loaded, so a large batch outlived V8's young generation
// and was copied into the old one: GC then took as much CPU as the load itself.
const BATCH_CHARS = 32 * 1024

const PROBLEM_TEXT = {
  'quote-not-closed': '的引号没有闭合',
  'misplaced-quote': '的引号位置不对（含引号或逗号的字段应整体用引号括起，字段内的引号写作两个引号）',
  'record-too-large': '的一行数据过大',
} as const

function csvProblem(error: CsvFormatError): AppError {
  const message = `CSV 格式错误：第 ${error.line} 行附近${PROBLEM_TEXT[error.problem]}`
  return validationFailed([{ field: `第${error.line}行`, message }], message)
}

/**
 * Streams the CSV's records in batches, each with the file line it starts on (header = line 1).
 * Blank lines come through as blank rows (the caller skips them) so every line is counted. Nothing
 * is held beyond one chunk and one unfinished record.
 */
export async function* csvRows(bytes: AsyncIterable<Buffer>, onEncoding: (encoding: CsvEncoding) => void): AsyncGenerator<SourceBatch> {
  const reader = new CsvReader(MAX_RECORD_CHARS)
  try {
    for await (const text of decodeText(bytes, onEncoding)) {
      for (let at = 0; at < text.length; at += BATCH_CHARS) {
        const rows = reader.push(at === 0 && text.length <= BATCH_CHARS ? text : text.slice(at, at + BATCH_CHARS))
        if (rows.length > 0) yield { rows, text: reader.consumed }
      }
    }
    const rows = reader.end()
    if (rows.length > 0) yield { rows, text: reader.consumed }
  } catch (error) {
    if (error instanceof CsvFormatError) throw csvProblem(error)
    throw error
  }
}
