import type { HeaderMapping, TableColumn } from '../storage/layout.ts'
import type { SourceRow } from './source.ts'
import { type RawValue, Refusal, checkCell } from './values.ts'

/** One refused row of an upload: its file line and why (Chinese, naming the column). */
export interface RejectedRow {
  line: number
  reason: string
}

/** Each problem of a refused row, for the 400's `details` (`第N行.列名`). */
export interface RowProblem {
  line: number
  column: string | null
  message: string
}

export type CheckedRow = { ok: true; values: (string | null)[] } | { ok: false; rejected: RejectedRow; problems: RowProblem[] }

const isBlank = (value: RawValue) => value === null || value === undefined || (typeof value === 'string' && value.trim() === '')

/** The row's problems with one more; the list exists only once a row is refused (rows are checked a million at a time). */
const withProblem = (problems: RowProblem[] | null, problem: RowProblem) => {
  const list = problems ?? []
  list.push(problem)
  return list
}

export const isBlankRow = (values: readonly RawValue[]) => values.every(isBlank)

/**
 * Parses one data row into the table's column values (in tableColumns order). A row is refused
 * as a whole when any cell breaks its item's type, a primary key is empty, or it has filled
 * cells beyond the header (usually an unquoted comma).
 */
export function checkRow(row: SourceRow, columns: readonly TableColumn[], mapping: HeaderMapping, headerWidth: number): CheckedRow {
  let problems: RowProblem[] | null = null // allocated only for a refused row
  const values: (string | null)[] = new Array(columns.length)
  for (let i = 0; i < columns.length; i++) {
    const index = mapping.sourceIndex[i]
    if (index < 0) {
      values[i] = null
      continue
    }
    const column = columns[i]
    const header = mapping.headerOf[i]!
    const cell = checkCell(column.item, row.values[index])
    if (cell instanceof Refusal) {
      problems = withProblem(problems, { line: row.line, column: header, message: cell.error })
      continue
    }
    if (cell === null && column.item.isPrimaryKey) {
      problems = withProblem(problems, { line: row.line, column: header, message: '是主键，不能为空' })
      continue
    }
    values[i] = cell
  }
  for (let index = headerWidth; index < row.values.length; index++) {
    if (!isBlank(row.values[index])) {
      problems = withProblem(problems, {
        line: row.line,
        column: null,
        message: `有 ${row.values.length} 列，多于表头的 ${headerWidth} 列（是否有未加引号的逗号？）`,
      })
      break
    }
  }
  if (problems === null) return { ok: true, values }
  const reason = problems.map((p) => (p.column ? `「${p.column}」${p.message}` : p.message)).join('；')
  return { ok: false, rejected: { line: row.line, reason }, problems }
}
