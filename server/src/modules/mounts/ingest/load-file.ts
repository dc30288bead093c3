import type { Readable } from 'node:stream'
import { AppError, type ErrorDetail, fieldError, validationFailed } from '../../../platform/http/errors.ts'
import type { UploadLease } from '../../../platform/uploads/memory-budget.ts'
import type { PendingBatch } from '../storage/batch.ts'
import { csvColumnsAsWritten, csvLineEnds, storedAsWritten } from '../storage/csv-pass-through.ts'
import { type HeaderMapping, type TableColumn, mapHeader } from '../storage/layout.ts'
import type { LoadPlan } from '../storage/load-plan.ts'
import { type RejectedRow, type RowProblem, checkRow, isBlankRow } from './row-check.ts'
import { openTableSource } from './source.ts'

// Changes between CSV text and re-encoded rows in one upload, at most (each costs a COPY statement).
const MAX_MODE_CHANGES = 100
// Rejected rows kept for the response / the 400's details (the count is always exact).
export const REJECTED_LIST_MAX = 1000

/** What reading one file into its pending batch has found so far. */
export interface LoadState {
  /** The newest timestamp value loaded so far, as canonical text (values.ts), which sorts as time does. */
  newestTime: string | null
  batch: PendingBatch | null
  mapping: HeaderMapping | null
  fileName: string
  format: 'csv' | 'xlsx'
  encoding: string
  rejected: RejectedRow[]
  problems: RowProblem[]
  rejectedCount: number
}

export const newLoadState = (fileName: string): LoadState => ({
  newestTime: null,
  batch: null,
  mapping: null,
  fileName,
  format: 'csv',
  encoding: 'utf-8',
  rejected: [],
  problems: [],
  rejectedCount: 0,
})

export function rejectRow(state: LoadState, row: RejectedRow, problems: RowProblem[]) {
  state.rejectedCount++
  if (state.rejected.length < REJECTED_LIST_MAX) state.rejected.push(row)
  for (const p of problems) if (state.problems.length < REJECTED_LIST_MAX) state.problems.push(p)
}

const byLine = (a: { line: number }, b: { line: number }) => a.line - b.line
export const sortRejected = (state: LoadState) => state.rejected.sort(byLine)

/** The 400 that refuses a file with bad rows, listing each problem by line and column. */
export function rowsRefused(state: LoadState): AppError {
  const details: ErrorDetail[] = state.problems
    .slice()
    .sort(byLine)
    .map((p) => ({ field: p.column ? `第${p.line}行.${p.column}` : `第${p.line}行`, message: p.message }))
  const message = `有 ${state.rejectedCount} 行数据不符合信息项要求，未导入任何数据；请修正后重新上传，或勾选「跳过错误行」后重新上传`
  return validationFailed(details, message)
}

const payloadTooLarge = (limitBytes: number) => new AppError(413, 'PAYLOAD_TOO_LARGE', `上传文件超过 ${Math.round(limitBytes / 1024 / 1024)} MB 的上限`)

/** Opens the pending batch once the header is known: `csvColumns` when the file's own text can be stored as written. */
export type OpenBatch = (mapping: HeaderMapping, csvColumns: string[] | null) => Promise<PendingBatch>

/**
 * Streams one file into its pending batch: rows are parsed, checked and written in chunks as they
 * arrive. A refused row stops the writing (unless bad rows are skipped) but not the reading, so the
 * 400 can list every bad line.
 */
export async function loadFile(
  plan: LoadPlan,
  file: Readable & { truncated?: boolean },
  state: LoadState,
  openBatch: OpenBatch,
  skip: () => boolean | undefined,
  limitBytes: number,
  lease: UploadLease,
) {
  const { columns, seal } = plan
  try {
    const source = await openTableSource(file, state.fileName, lease)
    state.format = source.format
    let headerWidth = 0
    let asWrittenColumns: string[] | null = null
    let lastAsCsv = false
    let modeChanges = 0
    for await (const { rows, text } of source.rows) {
      // Whether this batch can go to PostgreSQL as the file's own text (csv-pass-through.ts).
      let asWritten = text !== null && asWrittenColumns !== null
      const loaded: { line: number; values: (string | null)[] }[] = []
      for (const row of rows) {
        if (isBlankRow(row.values)) {
          asWritten = false
          continue
        }
        if (!state.mapping) {
          state.mapping = mapHeader(row.values, columns)
          headerWidth = row.values.length
          asWrittenColumns = csvColumnsAsWritten(columns, state.mapping, headerWidth, seal.sealed.length > 0)
          state.batch = await openBatch(state.mapping, asWrittenColumns)
          continue
        }
        const batch = state.batch!
        const checked = checkRow(row, columns, state.mapping, headerWidth)
        if (!checked.ok) {
          asWritten = false
          rejectRow(state, checked.rejected, checked.problems)
          if (skip() === false && batch.writing) {
            // Nothing will be loaded: stop writing, keep reading to list every bad line.
            batch.writing = false
            batch.sink.abort()
          }
          continue
        }
        if (!batch.writing) continue
        if (asWritten && !storedAsWritten(row, checked.values, state.mapping.sourceIndex, headerWidth)) asWritten = false
        loaded.push({ line: row.line, values: checked.values })
        const time = plan.timestampAt >= 0 ? checked.values[plan.timestampAt] : null
        if (time !== null && (state.newestTime === null || time > state.newestTime)) state.newestTime = time
      }
      const batch = state.batch
      if (!batch?.writing || loaded.length === 0) continue
      const crlf = asWritten && batch.sink.addCsv && modeChanges < MAX_MODE_CHANGES ? csvLineEnds(text!, loaded) : null
      // Each change between the file's own text and re-encoded rows ends one COPY statement and starts
      // another: a file that keeps alternating is re-encoded from some point on.
      if ((crlf !== null) !== lastAsCsv) modeChanges++
      lastAsCsv = crlf !== null
      if (crlf !== null) await batch.sink.addCsv!(loaded[0].line, loaded.length, text!, crlf)
      else for (const { line, values } of loaded) batch.sink.add(line, seal.toStored(values))
      await batch.sink.settle()
    }
    state.encoding = source.encoding()
    if (file.truncated) throw payloadTooLarge(limitBytes)
    if (!state.mapping) throw fieldError('file', '文件中没有表头和数据')
  } catch (error) {
    if (file.truncated) throw payloadTooLarge(limitBytes)
    throw error
  }
}

/** The table columns the file has no column for. */
export const missingColumns = (columns: readonly TableColumn[], mapping: HeaderMapping) => columns.filter((_, i) => mapping.sourceIndex[i] < 0)
