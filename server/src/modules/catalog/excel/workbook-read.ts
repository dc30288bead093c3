import type ExcelJS from 'exceljs'
import { loadExcelJS } from '../../../platform/http/spreadsheet.ts'
import { LIMITS, UPLOAD_LIMITS } from '../../../../../common/limits.ts'
import { SHARE_TYPES } from '../../../../../common/catalog.ts'
import { validationFailed } from '../../../platform/http/errors.ts'
import type { UploadLease } from '../../../platform/uploads/memory-budget.ts'
import { XLSX_LIMITS, type XlsxLimits, inspectXlsx } from '../../../platform/uploads/xlsx-guard.ts'
import { deriveShareType } from '../rules.ts'
import { CreateResourceBody } from '../schemas.ts'
import {
  type Column,
  ITEM_COLUMNS,
  ITEM_SHEET,
  ITEMS_PSEUDO_COLUMN,
  RESOURCE_COLUMNS,
  RESOURCE_SHEET,
  columnForPath,
  headerIndex,
  parserOf,
} from './columns.ts'
import { type Result, type Scalar, normalize, readCell, textOf } from './values.ts'

/**
 * Reads an uploaded workbook in the layout of columns.ts into entry bodies, with every problem
 * located as sheet + Excel line (the header is line 1) + column. Pure: no database. Problems of the
 * file as a whole (not an xlsx, no 「信息资源」 sheet, no known header, too many rows) throw a 400.
 * The service adds the checks that need the database (insertDraft's) with `locate`.
 */

/** At most this many item lines (an entry has a handful to a few dozen items). */
export const MAX_ITEM_ROWS = LIMITS.importRows * 4

export interface RowProblem {
  sheet: string
  line: number
  column: string
  message: string
}

export interface ParsedEntry {
  /** Excel line of the entry on 「信息资源」. */
  line: number
  seq: string | null
  /** Excel line of each item on 「信息项」: items[i] is on itemLines[i]. */
  itemLines: number[]
  /** The validated body, or null when a problem below stops the entry. */
  body: CreateResourceBody | null
  /** 资源提供方代码 as written (checked against the importer's department by the service). */
  providerCode: string | null
  problems: RowProblem[]
}

export interface WorkbookRead {
  entries: ParsedEntry[]
  /** Problems of item lines that belong to no entry. */
  strayProblems: RowProblem[]
  /** Headers that match no column, as 「sheet!header」; they are ignored. */
  ignoredColumns: string[]
}

const fileError = (message: string, details = [{ field: 'file', message }]) => validationFailed(details, message)

// Parts of a sheet that import never uses. exceljs expands data validations and merged ranges cell
// by cell, so a whole-column drop-down (common in templates) would cost a million objects.
const IGNORED_NODES = [
  'dataValidations',
  'mergeCells',
  'conditionalFormatting',
  'extLst',
  'hyperlinks',
  'drawing',
  'picture',
  'tableParts',
  'autoFilter',
  'rowBreaks',
  'headerFooter',
  'pageSetup',
  'printOptions',
  'sheetProtection',
]

/** exceljs holds the whole workbook: the inflated parts again as strings and cell objects. */
export const CATALOG_XLSX_LIMITS: XlsxLimits = Object.freeze({ ...XLSX_LIMITS, inflatedBytes: UPLOAD_LIMITS.catalogInflatedBytes })
// Heap per inflated byte while exceljs holds a workbook (an estimate: its text again as UTF-16, plus cell objects).
const LOADED_BYTES_PER_INFLATED = 3

async function openWorkbook(data: Buffer, lease: UploadLease | null): Promise<ExcelJS.Workbook> {
  const facts = await inspectXlsx(data, CATALOG_XLSX_LIMITS)
  await lease?.reserve(facts.inflatedBytes * LOADED_BYTES_PER_INFLATED)
  const workbook = new (await loadExcelJS()).Workbook()
  try {
    // maxRows/maxCols are exceljs parser options missing from its typings; they stop runaway sheets early.
    const options = { ignoreNodes: IGNORED_NODES, maxRows: MAX_ITEM_ROWS * 5, maxCols: 1000 }
    await workbook.xlsx.load(data as unknown as Parameters<typeof workbook.xlsx.load>[0], options as Partial<ExcelJS.XlsxReadOptions>)
  } catch (error) {
    const message = error instanceof Error ? error.message : ''
    if (/^Max (row|c) count/.test(message)) throw fileError('工作表的行数或列数超出导入上限，请删除多余的行列或拆分后分批导入')
    throw fileError('无法读取该 Excel 文件：文件内容已损坏或不是标准的 .xlsx 格式，请在 Excel 中重新保存后再导入')
  }
  return workbook
}

const findSheet = (workbook: ExcelJS.Workbook, name: string) => workbook.worksheets.find((ws) => normalize(ws.name) === normalize(name))

interface SheetLayout<L> {
  /** Excel column number → column. */
  columns: Map<number, Column<L>>
  firstDataLine: number
  ignored: string[]
}

function headerTexts(row: ExcelJS.Row): Map<number, string> {
  const texts = new Map<number, string>()
  row.eachCell((cell, col) => {
    const read = readCell(cell.value)
    if ('value' in read && read.value !== null) texts.set(col, textOf(read.value).trim())
  })
  return texts
}

/**
 * The header of a sheet: line 1, or lines 1–2 when line 2 holds the template's sub-headers under
 * group headers (信息资源格式 → 信息资源格式分类, 信息资源格式类型, …).
 */
function readLayout<L>(sheet: ExcelJS.Worksheet, all: readonly Column<L>[]): SheetLayout<L> {
  const index = headerIndex(all)
  const known = (text: string | undefined) => (text ? index.get(normalize(text)) : undefined)
  const line1 = headerTexts(sheet.getRow(1))
  const line2 = headerTexts(sheet.getRow(2))
  const twoLines = [...line2.values()].filter((t) => known(t)).length >= 3
  const columns = new Map<number, Column<L>>()
  const ignored: string[] = []
  const seenAt = new Map<Column<L>, number>()
  const numbers = [...new Set([...line1.keys(), ...(twoLines ? line2.keys() : [])])].sort((a, b) => a - b)
  for (const col of numbers) {
    const column = twoLines ? (known(line2.get(col)) ?? known(line1.get(col))) : known(line1.get(col))
    if (!column) {
      ignored.push((twoLines ? line2.get(col) : undefined) ?? line1.get(col) ?? '')
      continue
    }
    const first = seenAt.get(column)
    if (first !== undefined) {
      const message = `「${sheet.name}」工作表的「${column.header}」列出现了两次（第 ${columnLetter(first)} 列和第 ${columnLetter(col)} 列），请删除其中一列`
      throw fileError(message)
    }
    seenAt.set(column, col)
    columns.set(col, column)
  }
  return { columns, firstDataLine: twoLines ? 3 : 2, ignored: ignored.filter(Boolean) }
}

const columnLetter = (col: number): string => (col <= 0 ? '' : columnLetter(Math.floor((col - 1) / 26)) + String.fromCharCode(65 + ((col - 1) % 26)))

interface SheetRow<L> {
  line: number
  cells: Map<Column<L>, Result<Scalar | null>>
}

/** The non-blank data lines of a sheet (a line with content only in ignored columns is blank). */
function dataRows<L>(sheet: ExcelJS.Worksheet, layout: SheetLayout<L>): SheetRow<L>[] {
  const rows: SheetRow<L>[] = []
  sheet.eachRow((row, line) => {
    if (line < layout.firstDataLine) return
    const cells = new Map<Column<L>, Result<Scalar | null>>()
    let blank = true
    for (const [col, column] of layout.columns) {
      const read = readCell(row.getCell(col).value)
      if (!('value' in read) || read.value !== null) blank = false
      cells.set(column, read)
    }
    if (!blank) rows.push({ line, cells })
  })
  return rows
}

interface ParsedRow {
  line: number
  raw: Record<string, unknown>
  extra: Record<string, unknown>
  problems: RowProblem[]
  /** Fields whose cell already has a problem (the schema's complaint about them would repeat it). */
  failed: Set<string>
}

function setPath(target: Record<string, unknown>, path: string, value: unknown) {
  const keys = path.split('.')
  let node = target
  for (const key of keys.slice(0, -1)) node = (node[key] ??= {}) as Record<string, unknown>
  node[keys[keys.length - 1]] = value
}

function parseRow<L>(sheetName: string, row: SheetRow<L>): ParsedRow {
  const parsed: ParsedRow = { line: row.line, raw: {}, extra: {}, problems: [], failed: new Set() }
  for (const [column, cell] of row.cells) {
    const field = column.field
    if (!field) continue
    const fail = (message: string) => {
      parsed.problems.push({ sheet: sheetName, line: row.line, column: column.header, message })
      parsed.failed.add(field)
    }
    if ('error' in cell) {
      fail(cell.error)
      continue
    }
    if (cell.value === null) {
      if (column.required) fail(`${column.header}不能为空`)
      continue
    }
    const value = parserOf(column)(cell.value, column.header)
    if ('error' in value) fail(value.error)
    else if (field.startsWith('$')) parsed.extra[field] = value.value
    else setPath(parsed.raw, field, value.value)
  }
  return parsed
}

function requireColumns<L>(sheetName: string, layout: SheetLayout<L>, all: readonly Column<L>[]) {
  const present = new Set(layout.columns.values())
  const missing = all.filter((c) => c.required && !present.has(c))
  if (missing.length === 0) return
  const names = missing.map((c) => `「${c.header}」`).join('')
  throw fileError(
    `「${sheetName}」工作表缺少必填列${names}`,
    missing.map((c) => ({ field: `${sheetName}!第1行.${c.header}`, message: `缺少必填列「${c.header}」` })),
  )
}

interface Linked {
  entry: ParsedEntry
  name: string
  raw: Record<string, unknown>[]
  failed: Set<string>[]
  itemProblems: RowProblem[]
}

/** `items[2].shareCondition` or a zod path → ['items', 2, 'shareCondition']. */
export const pathOf = (field: string): (string | number)[] =>
  field
    .split(/[.[\]]+/)
    .filter(Boolean)
    .map((part) => (/^\d+$/.test(part) ? Number(part) : part))

/**
 * Locates a problem reported on a body field (zod's path, or insertDraft's `field`) in the sheet:
 * an item field on its 「信息项」 line, anything else on the entry's 「信息资源」 line.
 */
export function locate(entry: Pick<ParsedEntry, 'line' | 'itemLines'>, path: readonly (string | number)[], message: string): RowProblem {
  if (path[0] === 'items' && typeof path[1] === 'number' && entry.itemLines[path[1]] !== undefined) {
    const column = columnForPath(ITEM_COLUMNS, path.slice(2))
    return { sheet: ITEM_SHEET, line: entry.itemLines[path[1]], column: column?.header ?? '信息项名称', message }
  }
  const column = path[0] === 'items' ? ITEMS_PSEUDO_COLUMN : (columnForPath(RESOURCE_COLUMNS, path)?.header ?? '信息资源名称')
  return { sheet: RESOURCE_SHEET, line: entry.line, column, message }
}

/** The field a located problem is about, for skipping the schema's repeat of a cell problem. */
function fieldOf(path: readonly (string | number)[]): { item: number | null; field: string | undefined } {
  if (path[0] === 'items' && typeof path[1] === 'number') return { item: path[1], field: columnForPath(ITEM_COLUMNS, path.slice(2))?.field }
  return { item: null, field: columnForPath(RESOURCE_COLUMNS, path)?.field }
}

const SHEET_ORDER = [RESOURCE_SHEET, ITEM_SHEET]
export const byPosition = (a: RowProblem, b: RowProblem) => SHEET_ORDER.indexOf(a.sheet) - SHEET_ORDER.indexOf(b.sheet) || a.line - b.line

function validateEntry(linked: Linked, resourceRow: ParsedRow) {
  const { entry } = linked
  const problems = [...resourceRow.problems, ...linked.itemProblems]
  const result = CreateResourceBody.safeParse({ ...resourceRow.raw, items: linked.raw })
  if (!result.success) {
    for (const issue of result.error.issues) {
      const path = issue.path.filter((p): p is string | number => typeof p !== 'symbol')
      const { item, field } = fieldOf(path)
      const failed = item === null ? resourceRow.failed : linked.failed[item]
      if (field && failed?.has(field)) continue
      problems.push(locate(entry, path, issue.message))
    }
  }
  if (result.success && problems.length === 0) {
    const declared = resourceRow.extra.$shareType as number | undefined
    const derived = deriveShareType(result.data.items)
    if (declared !== undefined && declared !== derived) {
      const label = (t: number) => SHARE_TYPES[t as keyof typeof SHARE_TYPES]
      problems.push({
        sheet: RESOURCE_SHEET,
        line: entry.line,
        column: '共享类型',
        message: `共享类型由信息项推导：按「信息项」工作表应为「${label(derived)}」，与填写的「${label(declared)}」不一致（全部无条件共享的信息项 → 无条件共享；全部不予共享 → 不予共享；其余 → 有条件共享；没有信息项 → 无条件共享）`,
      })
    }
  }
  entry.problems = problems.sort(byPosition)
  entry.body = problems.length === 0 && result.success ? result.data : null
}

/**
 * Reads the workbook (see columns.ts for the layout). Throws 400 for a file that cannot be read at
 * all, 413 for one past UPLOAD_LIMITS; reserves the loaded workbook's memory in `lease` first.
 */
export async function readCatalogWorkbook(data: Buffer, lease: UploadLease | null = null): Promise<WorkbookRead> {
  const workbook = await openWorkbook(data, lease)
  const resourceSheet = findSheet(workbook, RESOURCE_SHEET)
  if (!resourceSheet) {
    const names = workbook.worksheets.map((ws) => `「${ws.name}」`).join('') || '（无）'
    throw fileError(
      `文件中没有「${RESOURCE_SHEET}」工作表（现有工作表：${names}）。请按导出文件的格式填写：「${RESOURCE_SHEET}」每行一条目录，「${ITEM_SHEET}」每行一个信息项`,
    )
  }
  const resourceLayout = readLayout(resourceSheet, RESOURCE_COLUMNS)
  if (resourceLayout.columns.size === 0) {
    throw fileError(
      `「${RESOURCE_SHEET}」工作表第 1 行没有可识别的列名。表头应为 2017 年国家目录模板的列名，如「信息资源名称」「信息资源摘要」「信息资源格式分类」「更新周期」`,
    )
  }
  requireColumns(RESOURCE_SHEET, resourceLayout, RESOURCE_COLUMNS)
  const resourceRows = dataRows(resourceSheet, resourceLayout)
  if (resourceRows.length === 0) throw fileError(`「${RESOURCE_SHEET}」工作表没有目录数据（表头之后都是空行）`)
  if (resourceRows.length > LIMITS.importRows) {
    throw fileError(`「${RESOURCE_SHEET}」工作表有 ${resourceRows.length} 条目录，一次最多导入 ${LIMITS.importRows} 条，请拆分后分批导入`)
  }

  const ignoredColumns = resourceLayout.ignored.map((h) => `${RESOURCE_SHEET}!${h}`)
  const linked: Linked[] = []
  const resourceParsed: ParsedRow[] = []
  const bySeq = new Map<string, Linked>()
  const byName = new Map<string, Linked>()
  for (const row of resourceRows) {
    const parsed = parseRow(RESOURCE_SHEET, row)
    const entry: ParsedEntry = {
      line: row.line,
      seq: (parsed.extra.$seq as string | undefined) ?? null,
      itemLines: [],
      body: null,
      providerCode: (parsed.extra.$providerCode as string | undefined)?.trim() ?? null,
      problems: [],
    }
    const name = typeof parsed.raw.name === 'string' ? parsed.raw.name.trim() : ''
    const link: Linked = { entry, name, raw: [], failed: [], itemProblems: [] }
    const duplicate = (column: string, message: string) => parsed.problems.push({ sheet: RESOURCE_SHEET, line: row.line, column, message })
    if (entry.seq !== null) {
      const first = bySeq.get(entry.seq)
      if (first) duplicate('序号', `序号「${entry.seq}」与第 ${first.entry.line} 行重复，信息项无法对应`)
      else bySeq.set(entry.seq, link)
    }
    if (name) {
      const first = byName.get(name)
      if (first) duplicate('信息资源名称', `与第 ${first.entry.line} 行的信息资源名称重复（同一单位的目录名称不能相同）`)
      else byName.set(name, link)
    }
    linked.push(link)
    resourceParsed.push(parsed)
  }

  const strayProblems: RowProblem[] = []
  const itemSheet = findSheet(workbook, ITEM_SHEET)
  if (itemSheet) {
    const itemLayout = readLayout(itemSheet, ITEM_COLUMNS)
    const itemRows = itemLayout.columns.size > 0 ? dataRows(itemSheet, itemLayout) : []
    if (itemLayout.columns.size === 0 && itemSheet.actualRowCount > 0) {
      throw fileError(`「${ITEM_SHEET}」工作表第 1 行没有可识别的列名。表头应为「资源序号」「信息项名称」「数据类型」「共享类型」等`)
    }
    if (itemRows.length > 0) {
      requireColumns(ITEM_SHEET, itemLayout, ITEM_COLUMNS)
      const fields = new Set([...itemLayout.columns.values()].map((c) => c.field))
      if (!fields.has('$seq') && !fields.has('$resourceName')) {
        throw fileError(`「${ITEM_SHEET}」工作表缺少「资源序号」列（填写信息项所属目录在「${RESOURCE_SHEET}」工作表中的序号）`)
      }
    }
    if (itemRows.length > MAX_ITEM_ROWS) {
      throw fileError(`「${ITEM_SHEET}」工作表有 ${itemRows.length} 行，一次最多导入 ${MAX_ITEM_ROWS} 个信息项，请拆分后分批导入`)
    }
    ignoredColumns.push(...itemLayout.ignored.map((h) => `${ITEM_SHEET}!${h}`))
    let previous: Linked | undefined
    for (const row of itemRows) {
      const parsed = parseRow(ITEM_SHEET, row)
      const seq = parsed.extra.$seq as string | undefined
      const resourceName = (parsed.extra.$resourceName as string | undefined)?.trim()
      const stray = (column: string, message: string) => {
        strayProblems.push({ sheet: ITEM_SHEET, line: row.line, column, message })
        previous = undefined
      }
      let owner: Linked | undefined
      if (seq !== undefined) {
        owner = bySeq.get(seq)
        if (!owner) {
          stray('资源序号', `资源序号「${seq}」在「${RESOURCE_SHEET}」工作表中没有对应的序号`)
          continue
        }
        const ownerName = owner.name
        if (resourceName && ownerName && resourceName !== ownerName) {
          parsed.problems.push({
            sheet: ITEM_SHEET,
            line: row.line,
            column: '信息资源名称',
            message: `信息资源名称「${resourceName}」与资源序号 ${seq} 对应的目录「${ownerName}」不一致，请核对资源序号`,
          })
        }
      } else if (resourceName) {
        owner = byName.get(resourceName)
        if (!owner) {
          stray('信息资源名称', `「${RESOURCE_SHEET}」工作表中没有名为「${resourceName}」的目录`)
          continue
        }
      } else {
        owner = previous
        if (!owner) {
          stray('资源序号', '资源序号不能为空（填写信息项所属目录在「信息资源」工作表中的序号）')
          continue
        }
      }
      previous = owner
      owner.entry.itemLines.push(row.line)
      owner.raw.push(parsed.raw)
      owner.failed.push(parsed.failed)
      owner.itemProblems.push(...parsed.problems)
    }
  }

  linked.forEach((link, i) => validateEntry(link, resourceParsed[i]))
  return { entries: linked.map((l) => l.entry), strayProblems, ignoredColumns }
}
