/**
 * Cell values of an imported workbook, and the parsers that turn the Chinese labels of the 2017
 * catalog template (「有条件共享」「每季度」「字符型」「是/否」…) into the API codes of API.md.
 * The labels themselves come from common/catalog.ts; this file only adds the spellings seen in
 * real templates (e.g. 「每天」 for 每日, 「数据库类」 for 数据库).
 */

/** A cell reduced to one plain value (rich text joined, formula → its cached result). */
export type Scalar = string | number | boolean | Date

export type Result<T> = { value: T } | { error: string }

const ok = <T>(value: T): Result<T> => ({ value })
const err = (error: string): Result<never> => ({ error })

/**
 * One cell of exceljs (`cell.value`) as a plain value. `null` for an empty cell (or only spaces);
 * an error for error values (#N/A…) and formulas saved without a result.
 */
export function readCell(value: unknown): Result<Scalar | null> {
  if (value === null || value === undefined) return ok(null)
  if (typeof value === 'string') return ok(value.trim() === '' ? null : value.trim())
  if (typeof value === 'number') return Number.isFinite(value) ? ok(value) : err('单元格的数值无效')
  if (typeof value === 'boolean') return ok(value)
  if (value instanceof Date) return Number.isNaN(value.getTime()) ? err('单元格的日期无效') : ok(value)
  if (typeof value === 'object') {
    const v = value as Record<string, unknown>
    if ('error' in v) return err(`单元格为错误值 ${String(v.error)}，请改为实际内容`)
    if ('formula' in v || 'sharedFormula' in v) {
      if (v.result === undefined || v.result === null) return err('单元格是公式但文件中没有计算结果，请将公式复制后「粘贴为数值」再导入')
      return readCell(v.result)
    }
    if (Array.isArray(v.richText)) return readCell(v.richText.map((run) => String((run as { text?: unknown })?.text ?? '')).join(''))
    if ('text' in v) return readCell(v.text) // hyperlink cell
  }
  return err('无法识别的单元格内容')
}

const pad2 = (n: number) => String(n).padStart(2, '0')

/** Excel stores dates as UTC midnight of the calendar day; read them back the same way. */
export const isoDateOf = (d: Date) => `${d.getUTCFullYear()}-${pad2(d.getUTCMonth() + 1)}-${pad2(d.getUTCDate())}`

/** A cell as text: numbers without exponent or float noise, booleans as 是/否, dates as YYYY-MM-DD. */
export function textOf(v: Scalar): string {
  if (typeof v === 'string') return v
  if (typeof v === 'boolean') return v ? '是' : '否'
  if (v instanceof Date) return isoDateOf(v)
  if (Number.isInteger(v) && Math.abs(v) < 1e21) return v.toFixed(0)
  return String(Number(v.toPrecision(15)))
}

/**
 * Key for matching labels and headers: no spaces, full-width brackets and slashes folded, no
 * required-marks (*), ASCII lower case. 「 数据存储总量（G）* 」 and 「数据存储总量(g)」 match.
 */
export function normalize(text: string): string {
  return text
    .replace(/[\s\u3000]+/g, '')
    .replace(/[（]/g, '(')
    .replace(/[）]/g, ')')
    .replace(/[／]/g, '/')
    .replace(/[*＊]/g, '')
    .toLowerCase()
}

export type Parser<T> = (v: Scalar, label: string) => Result<T>

export const text: Parser<string> = (v) => ok(textOf(v))

/** A whole number, typed as a number or as digits. */
export const integer: Parser<number> = (v, label) => {
  const t = textOf(v).trim()
  if (!/^\d+$/.test(t)) return err(`${label}应为整数，现为「${t}」`)
  return ok(Number(t))
}

/** A non-negative number; thousands separators allowed ("1,234.5"). */
export const decimal: Parser<number> = (v, label) => {
  if (typeof v === 'number') return ok(v)
  const t = textOf(v).replace(/,/g, '').trim()
  if (!/^\d+(\.\d+)?$/.test(t)) return err(`${label}应为数字，现为「${textOf(v)}」`)
  return ok(Number(t))
}

/** Days from 1899-12-30 (Excel's serial dates) when a date cell lost its date format. */
const excelSerialDate = (serial: number) => new Date(Date.UTC(1899, 11, 30) + Math.round(serial) * 86_400_000)

export const date: Parser<string> = (v, label) => {
  if (v instanceof Date) return ok(isoDateOf(v))
  if (typeof v === 'number' && v > 0 && v < 2_958_466) return ok(isoDateOf(excelSerialDate(v)))
  const m = textOf(v)
    .trim()
    .match(/^(\d{4})\s*[-/.年]\s*(\d{1,2})\s*[-/.月]\s*(\d{1,2})\s*日?$/)
  if (!m) return err(`${label}应为日期（如 2026-03-02），现为「${textOf(v)}」`)
  return ok(`${m[1]}-${pad2(Number(m[2]))}-${pad2(Number(m[3]))}`)
}

/**
 * A label from one of common/catalog.ts's tables (code → label), accepting the code itself, the
 * label, and a few spellings of the template. The value is the table's code (numeric codes as numbers).
 */
export function choice<K extends string | number>(
  table: Readonly<Record<K, string>>,
  options: { numeric?: boolean; aliases?: Readonly<Record<string, K>>; strip?: RegExp } = {},
): Parser<K> {
  const byKey = new Map<string, K>()
  for (const [code, label] of Object.entries(table) as [string, string][]) {
    const key = (options.numeric ? Number(code) : code) as K
    byKey.set(normalize(code), key)
    byKey.set(normalize(label), key)
  }
  for (const [alias, key] of Object.entries(options.aliases ?? {}) as [string, K][]) byKey.set(normalize(alias), key)
  const labels = Object.values(table).join('、')
  return (v, label) => {
    const t = normalize(textOf(v))
    const hit = byKey.get(t) ?? (options.strip ? byKey.get(t.replace(options.strip, '')) : undefined)
    return hit === undefined ? err(`无法识别的${label}「${textOf(v)}」，可填：${labels}`) : ok(hit)
  }
}

/** A table from a list of labels that are their own codes (SHARE_MODE_CLASSES, DATA_GRADES…). */
export const selfLabelled = <T extends string>(labels: readonly T[]) => Object.fromEntries(labels.map((l) => [l, l])) as Record<T, T>

const TRUE_WORDS = ['是', 'y', 'yes', 'true', '1', '√', '✓']
const FALSE_WORDS = ['否', 'n', 'no', 'false', '0', '×', '✗']

/** 是/否 (and the words of a two-valued attribute, e.g. 涉密/非涉密, 敏感/非敏感). */
export function flag(extra: { yes?: readonly string[]; no?: readonly string[] } = {}): Parser<boolean> {
  const yes = new Set([...TRUE_WORDS, ...(extra.yes ?? [])].map(normalize))
  const no = new Set([...FALSE_WORDS, ...(extra.no ?? [])].map(normalize))
  const allowed = [extra.yes?.[0] ?? '是', extra.no?.[0] ?? '否'].join('/')
  return (v, label) => {
    if (typeof v === 'boolean') return ok(v)
    const t = normalize(textOf(v))
    if (yes.has(t)) return ok(true)
    if (no.has(t)) return ok(false)
    return err(`${label}应填「${allowed}」，现为「${textOf(v)}」`)
  }
}

/** Several values in one cell, separated by 、，,；; or new lines (and spaces, when `spaces`). */
export function list<T>(each: Parser<T>, options: { spaces?: boolean } = {}): Parser<T[]> {
  const separators = options.spaces ? /[、，,；;\s]+/ : /[、，,；;\r\n]+/
  return (v, label) => {
    const values: T[] = []
    for (const part of textOf(v).split(separators)) {
      const piece = part.trim()
      if (!piece) continue
      const parsed = each(piece, label)
      if ('error' in parsed) return parsed
      values.push(parsed.value)
    }
    return ok(values)
  }
}

/** 分类码 possibly followed by its name ("301001 公安局"), or typed as a number. */
export const classCode: Parser<string> = (v, label) => {
  const m = textOf(v)
    .trim()
    .match(/^(\d+)(?:$|[\s（(：:、,，-])/)
  return m ? ok(m[1]) : err(`${label}应为分类码数字（如 301001），现为「${textOf(v)}」`)
}
