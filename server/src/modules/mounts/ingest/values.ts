import { beijingInstant, beijingWallClock } from '../../../platform/calendar/dates.ts'
import type { StoredItem } from '../../../platform/db/schema.ts'

/**
 * Per-type parsing of uploaded cell values (SPEC §5.3 data types). Every accepted value comes out
 * as the canonical text PostgreSQL parses for the column's type, so the same string feeds COPY
 * (PostgreSQL) and parameterized INSERTs (PGlite); `null` is SQL NULL. A value PostgreSQL would
 * refuse (or silently change) is refused here with a Chinese reason, so it never fails a load.
 */

/** A cell as read: CSV gives strings; XLSX also numbers, booleans and dates. */
export type RawValue = string | number | boolean | Date | null | undefined

export type ParsedValue = { ok: true; value: string | null } | { ok: false; error: string }

export type ValueSpec = Pick<StoredItem, 'dataType' | 'length'>

/** A refused cell and why (Chinese). Accepted cells are plain strings, so checking a cell allocates nothing. */
export class Refusal {
  constructor(readonly error: string) {}
}

/** A cell as checked: canonical text, null (SQL NULL) or a Refusal. */
export type CheckedCell = string | null | Refusal

const ok = (value: string | null): CheckedCell => value
const fail = (error: string): CheckedCell => new Refusal(error)

/** The raw value, shortened for a message. */
export function shown(raw: RawValue): string {
  const text = raw instanceof Date ? raw.toISOString() : String(raw)
  return text.length > 20 ? `${text.slice(0, 20)}…` : text
}

const pad = (n: number, width = 2) => String(n).padStart(width, '0')

const DECIMAL = /^[+-]?(?:\d+(?:\.\d*)?|\.\d+)(?:[eE][+-]?\d+)?$/
const PLAIN_DECIMAL = /^[+-]?(?:\d+(?:\.\d*)?|\.\d+)$/
const THOUSANDS = /^([+-]?)(\d{1,3}(?:,\d{3})+)(\.\d*)?$/
const INT8_MIN = -(2n ** 63n)
const INT8_MAX = 2n ** 63n - 1n
const FLOAT4_MAX = 3.4028234663852886e38

/** "1,234.5" → "1234.5" (thousands separators as Excel and many exports write them). */
const withoutThousands = (s: string) => {
  const m = THOUSANDS.exec(s)
  return m ? `${m[1]}${m[2].replaceAll(',', '')}${m[3] ?? ''}` : s
}

const hasNonZeroDigit = (s: string) => /[1-9]/.test(s.replace(/[eE].*$/, ''))

/** Number of characters as PostgreSQL counts them (code points, not UTF-16 units). */
function charCount(s: string): number {
  let n = 0
  for (const _ of s) n++
  return n
}

const DAYS_IN_MONTH = [31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31]
const isLeapYear = (year: number) => year % 4 === 0 && (year % 100 !== 0 || year % 400 === 0)

function daysInMonth(year: number, month: number) {
  return month === 2 && isLeapYear(year) ? 29 : DAYS_IN_MONTH[month - 1]
}

function validDate(y: number, m: number, d: number) {
  return y >= 1 && y <= 9999 && m >= 1 && m <= 12 && d >= 1 && d <= daysInMonth(y, m)
}

// Excel's day 0 is 1899-12-30 in the 1900 date system (the 1900 leap-year bug is absorbed by it).
const EXCEL_EPOCH_MS = Date.UTC(1899, 11, 30)
const EXCEL_MAX_SERIAL = 2_958_466 // 9999-12-31 + 1

/** An Excel serial day number as a UTC wall-clock date. */
function fromExcelSerial(serial: number): Date | null {
  if (!Number.isFinite(serial) || serial < 1 || serial >= EXCEL_MAX_SERIAL) return null
  return new Date(EXCEL_EPOCH_MS + Math.round(serial * 86_400_000))
}

// exceljs gives dates as UTC instants that carry the sheet's wall-clock time in their UTC fields.
const dateOfUtc = (d: Date) => `${pad(d.getUTCFullYear(), 4)}-${pad(d.getUTCMonth() + 1)}-${pad(d.getUTCDate())}`
function timestampOfUtc(d: Date) {
  const ms = d.getUTCMilliseconds()
  return `${dateOfUtc(d)} ${pad(d.getUTCHours())}:${pad(d.getUTCMinutes())}:${pad(d.getUTCSeconds())}${ms ? `.${pad(ms, 3)}` : ''}`
}

/** The number written by `length` ASCII digits at `start` of `s`, or -1. */
function digitsAt(s: string, start: number, length: number): number {
  let n = 0
  for (let i = start; i < start + length; i++) {
    const digit = s.charCodeAt(i) - 48
    if (!(digit >= 0 && digit <= 9)) return -1
    n = n * 10 + digit
  }
  return n
}

/** `YYYY-MM-DD` at the start of `s`, checked without a regular expression (a date is in most rows). */
const startsWithCanonicalDate = (s: string) => s[4] === '-' && s[7] === '-' && digitsAt(s, 0, 4) >= 0 && digitsAt(s, 5, 2) >= 0 && digitsAt(s, 8, 2) >= 0

const isCanonicalDate = (s: string) => s.length === 10 && startsWithCanonicalDate(s)

/** `YYYY-MM-DD HH:MM:SS`. */
const isCanonicalTimestamp = (s: string) =>
  s.length === 19 &&
  startsWithCanonicalDate(s) &&
  s[10] === ' ' &&
  s[13] === ':' &&
  s[16] === ':' &&
  digitsAt(s, 11, 2) >= 0 &&
  digitsAt(s, 14, 2) >= 0 &&
  digitsAt(s, 17, 2) >= 0

/**
 * A canonical date or timestamp of this module (`YYYY-MM-DD`, `YYYY-MM-DD HH:MM:SS[.f]`) as the instant
 * it names: naive values are Beijing wall-clock time (+08:00). Canonical values sort as their times do.
 */
export const canonicalInstant = (canonical: string) =>
  canonical.length === 10 ? beijingInstant(canonical) : beijingInstant(canonical.slice(0, 10), canonical.slice(11))

const DATE_TEXT = /^(\d{4})[-/.年](\d{1,2})[-/.月](\d{1,2})日?(?:[ T]0{1,2}:00(?::00(?:\.0+)?)?)?$/
const DATE_COMPACT = /^(\d{4})(\d{2})(\d{2})$/

function parseDate(raw: RawValue, s: string): CheckedCell {
  if (raw instanceof Date) return Number.isNaN(raw.getTime()) ? fail('不是有效日期') : ok(dateOfUtc(raw))
  if (typeof raw === 'number') {
    const d = fromExcelSerial(Math.floor(raw))
    return d ? ok(dateOfUtc(d)) : fail(`「${shown(raw)}」不是有效日期（应为 YYYY-MM-DD）`)
  }
  if (isCanonicalDate(s)) {
    return validDate(digitsAt(s, 0, 4), digitsAt(s, 5, 2), digitsAt(s, 8, 2)) ? ok(s) : fail(`「${shown(s)}」不是有效日期（月份或日期超出范围）`)
  }
  const m = DATE_TEXT.exec(s) ?? DATE_COMPACT.exec(s)
  if (!m) return fail(`「${shown(s)}」不是有效日期（应为 YYYY-MM-DD 或 YYYY/MM/DD）`)
  const [y, mo, d] = [Number(m[1]), Number(m[2]), Number(m[3])]
  if (!validDate(y, mo, d)) return fail(`「${shown(s)}」不是有效日期（月份或日期超出范围）`)
  return ok(`${pad(y, 4)}-${pad(mo)}-${pad(d)}`)
}

const DATETIME_TEXT = /^(\d{4})[-/.年](\d{1,2})[-/.月](\d{1,2})日?(?:[ T]+(\d{1,2}):(\d{2})(?::(\d{2})(?:[.,](\d{1,6}))?)?)?\s*(Z|[+-]\d{2}(?::?\d{2})?)?$/

// Naive timestamps are Beijing wall-clock time (SPEC: display offset +08:00); explicit offsets are converted to it.
function parseTimestamp(raw: RawValue, s: string): CheckedCell {
  if (raw instanceof Date) return Number.isNaN(raw.getTime()) ? fail('不是有效日期时间') : ok(timestampOfUtc(raw))
  if (typeof raw === 'number') {
    const d = fromExcelSerial(raw)
    return d ? ok(timestampOfUtc(d)) : fail(`「${shown(raw)}」不是有效日期时间（应为 YYYY-MM-DD HH:MM:SS）`)
  }
  if (isCanonicalTimestamp(s)) {
    // The common case, already in the form PostgreSQL reads: only the ranges need checking.
    const valid =
      validDate(digitsAt(s, 0, 4), digitsAt(s, 5, 2), digitsAt(s, 8, 2)) && digitsAt(s, 11, 2) <= 23 && digitsAt(s, 14, 2) <= 59 && digitsAt(s, 17, 2) <= 59
    return valid ? ok(s) : fail(`「${shown(s)}」不是有效日期时间（超出范围）`)
  }
  const m = DATETIME_TEXT.exec(s)
  if (!m) return fail(`「${shown(s)}」不是有效日期时间（应为 YYYY-MM-DD HH:MM:SS）`)
  const [y, mo, d] = [Number(m[1]), Number(m[2]), Number(m[3])]
  const [h, mi, sec] = [Number(m[4] ?? 0), Number(m[5] ?? 0), Number(m[6] ?? 0)]
  if (!validDate(y, mo, d) || h > 23 || mi > 59 || sec > 59) return fail(`「${shown(s)}」不是有效日期时间（超出范围）`)
  const fraction = m[7] ?? ''
  if (!m[8]) return ok(`${pad(y, 4)}-${pad(mo)}-${pad(d)} ${pad(h)}:${pad(mi)}:${pad(sec)}${fraction ? `.${fraction}` : ''}`)
  // An explicit offset: shift to Beijing time, keeping the sub-second digits as written.
  const zone = m[8]
  const offset = zone === 'Z' ? 0 : (zone[0] === '-' ? -1 : 1) * (Number(zone.slice(1, 3)) * 60 + Number(zone.replace(':', '').slice(3, 5) || 0))
  const utcMs = Date.UTC(y, mo - 1, d, h, mi, sec) - offset * 60_000
  const local = beijingWallClock(new Date(utcMs))
  if (local.getUTCFullYear() < 1 || local.getUTCFullYear() > 9999) return fail(`「${shown(s)}」不是有效日期时间（超出范围）`)
  return ok(`${timestampOfUtc(new Date(Math.floor(local.getTime() / 1000) * 1000))}${fraction ? `.${fraction}` : ''}`)
}

const TRUE_WORDS = new Set(['是', 'true', '1', 't', 'y', 'yes', '真', '对'])
const FALSE_WORDS = new Set(['否', 'false', '0', 'f', 'n', 'no', '假', '错'])

function parseLogical(raw: RawValue, s: string): CheckedCell {
  if (typeof raw === 'boolean') return ok(raw ? 'true' : 'false')
  if (s === 'true' || s === 'false') return ok(s)
  const word = s.toLowerCase()
  if (TRUE_WORDS.has(word)) return ok('true')
  if (FALSE_WORDS.has(word)) return ok('false')
  return fail(`「${shown(s)}」不是逻辑值（应为 是/否、true/false 或 1/0）`)
}

/** Decimal text for N/B/F from a string or a number; undefined when it is not a number at all. */
function decimalText(raw: RawValue, s: string): string | undefined {
  if (typeof raw === 'number') return Number.isFinite(raw) ? String(raw) : undefined
  const text = withoutThousands(s)
  return DECIMAL.test(text) ? text : undefined
}

const SAFE_INTEGER_TEXT = /^[+-]?\d{1,15}$/

function parseInteger(raw: RawValue, s: string): CheckedCell {
  let digits: string | undefined
  if (typeof raw === 'number') {
    if (!Number.isInteger(raw)) return fail(`「${shown(raw)}」不是整数`)
    digits = BigInt(raw).toString()
  } else if (SAFE_INTEGER_TEXT.test(s)) {
    return ok(String(Number(s))) // ≤ 15 digits: exact as a double, canonical as BigInt would write it
  } else {
    const m = /^([+-]?\d+)(?:\.0*)?$/.exec(withoutThousands(s))
    if (!m) return fail(`「${shown(s)}」不是整数`)
    digits = m[1]
  }
  const n = BigInt(digits)
  if (n < INT8_MIN || n > INT8_MAX) return fail(`「${shown(s)}」超出整型范围`)
  return ok(n.toString())
}

const PLAIN_CURRENCY = /^[+-]?\d{1,16}(?:\.\d*)?$/

function parseCurrency(raw: RawValue, s: string): CheckedCell {
  let text: string
  if (typeof raw === 'number') {
    if (!Number.isFinite(raw)) return fail(`「${shown(raw)}」不是金额`)
    text = raw.toFixed(2)
  } else if (PLAIN_CURRENCY.test(s)) {
    return ok(s) // digits with at most 16 before the point: nothing to strip or check
  } else {
    text = withoutThousands(s.replace(/^[¥￥]\s*/, '').replace(/^([+-])[¥￥]\s*/, '$1'))
    if (!PLAIN_DECIMAL.test(text)) return fail(`「${shown(s)}」不是金额（应为数字，如 1234.56）`)
  }
  // numeric(18,2): at most 16 digits before the point (PostgreSQL rounds the fraction to 2 places).
  const integerPart = text.replace(/^[+-]/, '').split('.')[0].replace(/^0+/, '')
  if (integerPart.length > 16) return fail(`「${shown(s)}」超出货币型范围（整数部分最多 16 位）`)
  return ok(text)
}

function parseFloating(raw: RawValue, s: string, single: boolean): CheckedCell {
  const text = decimalText(raw, s)
  if (text === undefined) return fail(`「${shown(s)}」不是数字`)
  const x = Number(text)
  const y = single ? Math.fround(x) : x
  // PostgreSQL refuses overflow and underflow to zero for real/double precision.
  if (!Number.isFinite(y) || (y === 0 && hasNonZeroDigit(text)) || (single && Math.abs(x) > FLOAT4_MAX)) {
    return fail(`「${shown(s)}」超出${single ? '浮点型' : '双精度型'}范围`)
  }
  return ok(text)
}

/**
 * Parses one cell for an item. Empty cells (and whitespace-only cells, except in 备注型/通用型)
 * are NULL; whether NULL is allowed (primary keys) is the caller's rule.
 */
export function checkCell(spec: ValueSpec, raw: RawValue): CheckedCell {
  if (raw === null || raw === undefined) return ok(null)
  if (typeof raw === 'number' && Number.isNaN(raw)) return ok(null)
  const keepsSpaces = spec.dataType === 'M' || spec.dataType === 'G'
  const s = typeof raw === 'string' ? (keepsSpaces ? raw : raw.trim()) : raw instanceof Date ? '' : String(raw)
  if (typeof raw === 'string') {
    if (s === '' || (keepsSpaces && raw.trim() === '')) return ok(null)
    // PostgreSQL text cannot hold NUL.
    if (s.includes('\u0000')) return fail('含有不允许的空字符（\\0）')
  }
  switch (spec.dataType) {
    case 'C': {
      const text = typeof raw === 'string' ? s : raw instanceof Date ? timestampOfUtc(raw).replace(/ 00:00:00$/, '') : String(raw)
      if (spec.length && text.length > spec.length && charCount(text) > spec.length) {
        return fail(`长度 ${charCount(text)} 超过 ${spec.length} 个字符`)
      }
      return ok(text)
    }
    case 'M':
    case 'G':
      return ok(typeof raw === 'string' ? raw : raw instanceof Date ? timestampOfUtc(raw) : String(raw))
    case 'N': {
      const text = decimalText(raw, s)
      if (text === undefined) return fail(`「${shown(s)}」不是数值`)
      // numeric accepts any precision, but an exponent that huge is surely a mistake (and costly).
      if (/[eE]/.test(text) && Math.abs(Number(text.split(/[eE]/)[1])) > 1000) return fail(`「${shown(s)}」超出数值型范围`)
      return ok(text)
    }
    case 'Y':
      return parseCurrency(raw, s)
    case 'I':
      return parseInteger(raw, s)
    case 'B':
      return parseFloating(raw, s, false)
    case 'F':
      return parseFloating(raw, s, true)
    case 'D':
      return parseDate(raw, s)
    case 'T':
      return parseTimestamp(raw, s)
    case 'L':
      return parseLogical(raw, s)
  }
}

/** checkCell as a tagged result. */
export function parseValue(spec: ValueSpec, raw: RawValue): ParsedValue {
  const cell = checkCell(spec, raw)
  return cell instanceof Refusal ? { ok: false, error: cell.error } : { ok: true, value: cell }
}
