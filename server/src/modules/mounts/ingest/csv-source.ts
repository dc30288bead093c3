import { UPLOAD_LIMITS } from '../../../../../common/limits.ts'
import { AppError, validationFailed } from '../../../platform/http/errors.ts'
import { CsvFormatError, CsvReader } from './csv-reader.ts'
import { type CsvEncoding, decodeText } from './encoding.ts'
import type { SourceBatch } from './source.ts'

// Text parsed per batch. The upload's chunks grow large when the socket has data waiting (a MiB or
// more); a batch's rows all live until it is loaded, so a large batch outlived V8's young generation
// and was copied into the old one: GC then took as much CPU as the load itself.
const BATCH_CHARS = 32 * 1024

const PROBLEM_TEXT = {
  'quote-not-closed': '的引号没有闭合',
  'misplaced-quote': '的引号位置不对（含引号或逗号的字段应整体用引号括起，字段内的引号写作两个引号）',
} as const

function csvProblem(error: CsvFormatError): AppError {
  const field = `第${error.line}行`
  if (error.problem === 'record-too-large' || error.problem === 'too-many-fields') {
    // A limit, not a format error: 413 like any upload past UPLOAD_LIMITS.
    const message =
      error.problem === 'record-too-large'
        ? `CSV 第 ${error.line} 行超过 ${UPLOAD_LIMITS.csvLineChars / 1024 / 1024}M 个字符（一行过长，或有未闭合的引号），请检查后重新上传`
        : `CSV 第 ${error.line} 行超过 ${UPLOAD_LIMITS.columns} 列，请删除多余的列后上传`
    return new AppError(413, 'PAYLOAD_TOO_LARGE', message, [{ field, message }])
  }
  const message = `CSV 格式错误：第 ${error.line} 行附近${PROBLEM_TEXT[error.problem]}`
  return validationFailed([{ field, message }], message)
}

/**
 * Streams the CSV's records in batches, each with the file line it starts on (header = line 1).
 * Blank lines come through as blank rows (the caller skips them) so every line is counted. Nothing
 * is held beyond one chunk and one unfinished record.
 */
export async function* csvRows(bytes: AsyncIterable<Buffer>, onEncoding: (encoding: CsvEncoding) => void): AsyncGenerator<SourceBatch> {
  const reader = new CsvReader(UPLOAD_LIMITS.csvLineChars, UPLOAD_LIMITS.columns)
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
