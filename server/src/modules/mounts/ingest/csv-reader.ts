/**
 * An incremental RFC 4180 CSV reader over decoded text: comma-separated, `"`-quoted fields with `""`
 * for a quote inside, records ended by LF, CRLF or CR, a quoted field may span lines. Each record
 * comes out with the file line it starts on (header = line 1); a blank line is a record of one empty
 * field, so the caller sees every line. Text arrives in pieces and records come out in batches: the
 * mount path (csv-source.ts) awaits once per 32 K-character batch instead of once per row, which (with
 * csv-parse behind a stream) was the largest cost of a table upload.
 */

export interface CsvRecord {
  line: number
  values: string[]
}

export type CsvFormatProblem = 'quote-not-closed' | 'misplaced-quote' | 'record-too-large' | 'too-many-fields'

/** A CSV that cannot be read as records; `line` is where the record holding the problem starts. */
export class CsvFormatError extends Error {
  constructor(
    readonly problem: CsvFormatProblem,
    readonly line: number,
  ) {
    super(`CSV ${problem} at line ${line}`)
  }
}

const COMMA = 44
const QUOTE = 34
const LF = 10
const CR = 13

/** Why a record could not be finished in the text at hand. */
const NEED_MORE = -1

export class CsvReader {
  private text = ''
  /** Length of `text` when the record at its start last came up short: retry only once it has doubled. */
  private shortAt = -1
  private line = 1
  /** The text of the records the last push() or end() returned, from the first one's start to the last one's end. */
  consumed = ''

  constructor(
    private readonly maxRecordChars: number,
    /** Fields per record: a line of commas would otherwise become an array of a pointer per byte. */
    private readonly maxFields = Number.MAX_SAFE_INTEGER,
  ) {}

  /** Adds text; returns the records it completes. */
  push(chunk: string): CsvRecord[] {
    this.text = this.text ? this.text + chunk : chunk
    // A record that spans many chunks (a huge quoted cell) is re-read only when its text has doubled: linear overall.
    if (this.shortAt >= 0 && this.text.length < 2 * this.shortAt) {
      if (this.text.length > this.maxRecordChars) throw new CsvFormatError('record-too-large', this.line)
      this.consumed = ''
      return []
    }
    return this.read(false)
  }

  /** Ends the input; returns the last records. */
  end(): CsvRecord[] {
    return this.read(true)
  }

  private read(final: boolean): CsvRecord[] {
    const records: CsvRecord[] = []
    const text = this.text
    let pos = 0
    while (pos < text.length) {
      const next = this.record(text, pos, final, records)
      if (next === NEED_MORE) break
      pos = next
    }
    this.consumed = pos === text.length ? text : text.slice(0, pos)
    this.text = pos === 0 ? text : text.slice(pos)
    this.shortAt = this.text ? this.text.length : -1
    if (this.text.length > this.maxRecordChars) throw new CsvFormatError('record-too-large', this.line)
    return records
  }

  /**
   * Reads the record starting at `start` into `records`; returns where the next one starts, or
   * NEED_MORE when the text ends inside it (unless `final`).
   */
  private record(text: string, start: number, final: boolean, records: CsvRecord[]): number {
    const values: string[] = []
    const end = text.length
    let breaks = 0
    let pos = start
    for (;;) {
      // One field starts at pos.
      if (pos < end && text.charCodeAt(pos) === QUOTE) {
        let value = ''
        let from = pos + 1
        for (;;) {
          const quote = text.indexOf('"', from)
          if (quote < 0) {
            if (final) throw new CsvFormatError('quote-not-closed', this.line)
            return NEED_MORE
          }
          value += text.slice(from, quote)
          if (quote + 1 < end && text.charCodeAt(quote + 1) === QUOTE) {
            value += '"'
            from = quote + 2
            continue
          }
          if (quote + 1 === end && !final) return NEED_MORE // `"` or `""`: the next chunk decides
          pos = quote + 1
          break
        }
        breaks += lineBreaks(value)
        if (values.length === this.maxFields) throw new CsvFormatError('too-many-fields', this.line)
        values.push(value)
        if (pos < end) {
          const c = text.charCodeAt(pos)
          if (c !== COMMA && c !== LF && c !== CR) throw new CsvFormatError('misplaced-quote', this.line)
        }
      } else {
        let scan = pos
        while (scan < end) {
          const c = text.charCodeAt(scan)
          if (c === COMMA || c === LF || c === CR) break
          if (c === QUOTE) throw new CsvFormatError('misplaced-quote', this.line)
          scan++
        }
        if (scan === end && !final) return NEED_MORE
        if (values.length === this.maxFields) throw new CsvFormatError('too-many-fields', this.line)
        values.push(text.slice(pos, scan))
        pos = scan
      }
      // After a field: a comma, a line break or the end of the text.
      if (pos === end) {
        records.push({ line: this.line, values })
        this.line += 1 + breaks
        return pos
      }
      const c = text.charCodeAt(pos)
      if (c === COMMA) {
        pos++
        continue
      }
      if (c === CR) {
        if (pos + 1 === end && !final) return NEED_MORE // CR, or the CR of a CRLF?
        if (pos + 1 < end && text.charCodeAt(pos + 1) === LF) pos++
      }
      records.push({ line: this.line, values })
      this.line += 1 + breaks
      return pos + 1
    }
  }
}

/** Line breaks inside a quoted value (CRLF counts once). */
function lineBreaks(value: string): number {
  let breaks = 0
  let at = 0
  for (;;) {
    const lf = value.indexOf('\n', at)
    const cr = value.indexOf('\r', at)
    if (lf < 0 && cr < 0) return breaks
    breaks++
    if (cr >= 0 && (lf < 0 || cr < lf)) at = cr + 1 < value.length && value.charCodeAt(cr + 1) === LF ? cr + 2 : cr + 1
    else at = lf + 1
  }
}
