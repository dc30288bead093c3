import type { HeaderMapping, TableColumn } from './layout.ts'
import type { SourceRow } from '../ingest/source.ts'

/**
 * When an uploaded CSV may reach PostgreSQL as the file's own text (COPY … FORMAT csv) instead of rows
 * re-encoded one by one: every row is still parsed and checked here, and a batch of rows goes as written
 * only when what PostgreSQL would read from it is exactly what the checks produced. Re-encoding took
 * about a third of the server's CPU on a 1,000,000-row upload (bench/README.md).
 */

/**
 * The table's columns in the file's column order when every file column feeds one (no ignored or unnamed
 * column, no sealed item, at least two columns so no line can read as COPY's end marker `\.`); else null.
 */
export function csvColumnsAsWritten(columns: readonly TableColumn[], mapping: HeaderMapping, headerWidth: number, sealed: boolean): string[] | null {
  if (sealed || headerWidth < 2) return null
  const order: (string | undefined)[] = new Array(headerWidth)
  mapping.sourceIndex.forEach((index, i) => {
    if (index >= 0) order[index] = columns[i].column
  })
  for (let index = 0; index < headerWidth; index++) if (order[index] === undefined) return null
  return order as string[]
}

/**
 * Whether a checked row stores exactly what the file wrote: every cell's own text, an empty cell as NULL
 * (which is how PostgreSQL reads an unquoted empty field), and no cells beyond the header.
 */
export function storedAsWritten(row: SourceRow, values: readonly (string | null)[], sourceIndex: readonly number[], headerWidth: number): boolean {
  if (row.values.length !== headerWidth) return false
  for (let i = 0; i < values.length; i++) {
    const index = sourceIndex[i]
    if (index < 0) continue
    const value = values[i]
    if (value === null ? row.values[index] !== '' : value !== row.values[index]) return false
  }
  return true
}

function occurrences(text: string, needle: string): number {
  let n = 0
  for (let at = text.indexOf(needle); at >= 0; at = text.indexOf(needle, at + needle.length)) n++
  return n
}

/**
 * How the text of a batch of rows ends its lines, if PostgreSQL can read it as it is: one record a line,
 * lines in sequence, every line ended the same way, LF (false) or CRLF (true). Null otherwise, and also
 * when the text holds `""`: PostgreSQL reads a quoted empty field as an empty string, the checks as NULL.
 */
export function csvLineEnds(text: string, lines: readonly { line: number }[]): boolean | null {
  const n = lines.length
  // Lines only grow, so first + n − 1 = last means no record spans two lines (but the last, counted below).
  if (n === 0 || lines[n - 1].line !== lines[0].line + n - 1) return null
  if (!text.endsWith('\n') || text.includes('""')) return null
  if (occurrences(text, '\n') !== n) return null
  const cr = occurrences(text, '\r')
  if (cr === 0) return false
  return cr === n && occurrences(text, '\r\n') === n ? true : null
}
