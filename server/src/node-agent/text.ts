/**
 * The agent's wire formats: PostgreSQL COPY text lines (what the platform sends a delivery in) and CSV (what a
 * feed sends the platform, the format the table loader reads). Pure functions.
 */

const UNESCAPE: Record<string, string> = { n: '\n', r: '\r', t: '\t', '\\': '\\', b: '\b', f: '\f', v: '\v' }

/** One COPY text line (without its newline) as values; `\N` is NULL. */
export function parseCopyLine(line: string): (string | null)[] {
  return line.split('\t').map((field) => (field === '\\N' ? null : field.includes('\\') ? field.replace(/\\(.)/g, (_, c: string) => UNESCAPE[c] ?? c) : field))
}

/** Splits a stream of text chunks into complete lines. */
export async function* lines(chunks: AsyncIterable<Buffer | string>): AsyncGenerator<string[]> {
  let rest = ''
  // Streaming decode: a character split between two chunks is held back, not turned into U+FFFD.
  const decoder = new TextDecoder('utf-8')
  for await (const chunk of chunks) {
    const text = rest + (typeof chunk === 'string' ? chunk : decoder.decode(chunk, { stream: true }))
    const end = text.lastIndexOf('\n')
    if (end < 0) {
      rest = text
      continue
    }
    rest = text.slice(end + 1)
    yield text.slice(0, end).split('\n')
  }
  rest += decoder.decode()
  if (rest.length > 0) yield [rest]
}

const CSV_SPECIAL = /[",\r\n]/

/** One CSV field (RFC 4180); NULL is an empty field. */
export const csvField = (value: string | null) =>
  value === null ? '' : CSV_SPECIAL.test(value) || value.trim() !== value ? `"${value.replaceAll('"', '""')}"` : value
export const csvLine = (values: readonly (string | null)[]) => `${values.map(csvField).join(',')}\n`

/**
 * DataX-like speed cap: call `take(rows, bytes)` as data passes; it waits when the job runs ahead of its
 * records-per-second or bytes-per-second allowance.
 */
export function speedCap(limits: { records: number | null; bytes: number | null }) {
  const started = Date.now()
  let rows = 0
  let bytes = 0
  return async function take(moreRows: number, moreBytes: number) {
    rows += moreRows
    bytes += moreBytes
    const due = Math.max(limits.records ? (rows / limits.records) * 1000 : 0, limits.bytes ? (bytes / limits.bytes) * 1000 : 0)
    const ahead = due - (Date.now() - started)
    if (ahead > 5) await new Promise((resolve) => setTimeout(resolve, ahead))
  }
}

/** Whether the failed rows exceed the job's error limit (a count, or a share of the rows read). */
export function overErrorLimit(failed: number, read: number, limit: { count: number | null; share: number | null }): boolean {
  if (limit.count !== null && failed > limit.count) return true
  if (limit.share !== null && read > 0 && failed / read > limit.share) return true
  return limit.count === null && limit.share === null && failed > 0
}
