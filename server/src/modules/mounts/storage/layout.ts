import type { MountColumn, StoredItem } from '../../../platform/db/schema.ts'
import { type ErrorDetail, validationFailed } from '../../../platform/http/errors.ts'
import type { RawValue } from '../ingest/values.ts'

/**
 * The shape of a managed table and how an upload's header maps onto it. Pure functions: the
 * column of each item, its SQL type (SPEC §5.3), and which file column feeds which item.
 */

export interface TableColumn extends MountColumn {
  item: StoredItem
  /** SQL type of the column, e.g. `varchar(18)`, `numeric(18,2)`. */
  sqlType: string
}

/** Column of a managed table: lower(nameEn) when present, else item_<position>; unique in the table. */
export function tableColumns(items: readonly StoredItem[]): TableColumn[] {
  const used = new Set<string>(['_line'])
  const names = items.map((item) => {
    const name = item.nameEn?.toLowerCase()
    if (!name || used.has(name)) return null
    used.add(name)
    return name
  })
  return items.map((item, i) => {
    let column = names[i]
    if (!column) {
      column = `item_${i + 1}`
      for (let n = 2; used.has(column); n++) column = `item_${i + 1}_${n}`
      used.add(column)
    }
    return { itemId: item.id, column, dataType: item.dataType, item, sqlType: sqlTypeOf(item) }
  })
}

// varchar's own ceiling in PostgreSQL; longer declared lengths become text.
const VARCHAR_MAX = 10_485_760

/** SQL type of an item (SPEC §5.3 mapping; G is kept as text: base64 or plain text). */
export function sqlTypeOf(item: Pick<StoredItem, 'dataType' | 'length'>): string {
  switch (item.dataType) {
    case 'C':
      return item.length && item.length <= VARCHAR_MAX ? `varchar(${item.length})` : 'text'
    case 'N':
      return 'numeric'
    case 'Y':
      return 'numeric(18,2)'
    case 'D':
      return 'date'
    case 'T':
      return 'timestamp'
    case 'L':
      return 'boolean'
    case 'M':
    case 'G':
      return 'text'
    case 'B':
      return 'double precision'
    case 'I':
      return 'bigint'
    case 'F':
      return 'real'
  }
}

/** Which file column feeds which table column. */
export interface HeaderMapping {
  /** For each table column (same order as tableColumns), the index of its file column or -1. */
  sourceIndex: number[]
  /** The file's header text for each table column that has one. */
  headerOf: (string | null)[]
  matched: { header: string; itemId: string; itemName: string; dataType: StoredItem['dataType'] }[]
  ignored: string[]
}

const headerText = (value: RawValue) =>
  (value === null || value === undefined ? '' : String(value instanceof Date ? value.toISOString() : value)).replace(/^\uFEFF/, '').trim()

/**
 * Matches header cells to items by nameEn (case-insensitive) or name. Extra columns are ignored
 * (and reported); items without a column load as NULL. Refused (400): a header matching no item
 * at all, two columns for one item, or a primary-key item without a column (every row would
 * lack its key).
 */
export function mapHeader(header: readonly RawValue[], columns: readonly TableColumn[]): HeaderMapping {
  const byNameEn = new Map<string, number>()
  const byName = new Map<string, number>()
  columns.forEach((c, i) => {
    if (c.item.nameEn && !byNameEn.has(c.item.nameEn.toLowerCase())) byNameEn.set(c.item.nameEn.toLowerCase(), i)
    if (!byName.has(c.item.name.trim())) byName.set(c.item.name.trim(), i)
  })
  const sourceIndex = columns.map(() => -1)
  const headerOf: (string | null)[] = columns.map(() => null)
  const ignored: string[] = []
  const problems: ErrorDetail[] = []
  header.forEach((cell, index) => {
    const text = headerText(cell)
    if (!text) return
    const target = byNameEn.get(text.toLowerCase()) ?? byName.get(text)
    if (target === undefined) {
      ignored.push(text)
      return
    }
    if (sourceIndex[target] >= 0) {
      problems.push({ field: `第1行.${text}`, message: `列「${text}」与列「${headerOf[target]}」对应同一个信息项「${columns[target].item.name}」` })
      return
    }
    sourceIndex[target] = index
    headerOf[target] = text
  })
  const matched = columns.flatMap((c, i) =>
    sourceIndex[i] >= 0 ? [{ header: headerOf[i]!, itemId: c.itemId, itemName: c.item.name, dataType: c.dataType }] : [],
  )
  if (matched.length === 0) {
    const expected = columns.map((c) => (c.item.nameEn ? `${c.item.nameEn}（${c.item.name}）` : c.item.name)).join('、')
    const message = `表头没有任何一列与信息项对应；表头应使用信息项英文名或名称：${expected}`
    throw validationFailed([{ field: '第1行', message }], message)
  }
  for (const [i, c] of columns.entries()) {
    if (c.item.isPrimaryKey && sourceIndex[i] < 0) {
      problems.push({ field: '第1行', message: `缺少主键信息项「${c.item.name}」${c.item.nameEn ? `（${c.item.nameEn}）` : ''}对应的列` })
    }
  }
  if (problems.length > 0) throw validationFailed(problems, problems[0].message)
  return { sourceIndex, headerOf, matched, ignored }
}
