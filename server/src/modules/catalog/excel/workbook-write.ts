import type ExcelJS from 'exceljs'
import { loadExcelJS } from '../../../platform/http/spreadsheet.ts'
import type { ResourceOut } from '../schemas.ts'
import { type Column, ITEM_COLUMNS, ITEM_SHEET, type ItemLine, NOTES_SHEET, RESOURCE_COLUMNS, RESOURCE_SHEET, type ResourceLine } from './columns.ts'
import { beijingTimestampText } from '../../../platform/calendar/dates.ts'

/**
 * Writes entries in the layout of columns.ts (the same one import reads), plus a 「说明」 sheet with
 * what was exported and the values each column accepts. Drop-down lists cover the enumerated columns
 * so the file also serves as a template for new entries.
 */

export interface ExportMeta {
  at: Date
  actorName: string
  orgName: string
  /** The search filters, in words. */
  filters: string
  /** Matches of the search; more than were written when the export was capped. */
  total: number
}

/** Rows that get drop-down lists (beyond the written ones, so new lines can be added). */
const LIST_ROWS = { [RESOURCE_SHEET]: 5000, [ITEM_SHEET]: 20000 }

interface SheetWithValidations {
  dataValidations: { add(address: string, validation: ExcelJS.DataValidation): void }
}

function addSheet<L>(workbook: ExcelJS.Workbook, name: string, columns: readonly Column<L>[], lines: readonly L[], listRows: number) {
  const sheet = workbook.addWorksheet(name, { views: [{ state: 'frozen', ySplit: 1 }] })
  sheet.columns = columns.map((c) => ({ header: c.header, width: c.width ?? 14 }))
  const header = sheet.getRow(1)
  header.font = { bold: true }
  header.alignment = { vertical: 'middle', wrapText: true }
  header.eachCell((cell, col) => {
    const column = columns[col - 1]
    cell.fill = { type: 'pattern', pattern: 'solid', fgColor: { argb: column.required ? 'FFFCE4D6' : column.field ? 'FFDDEBF7' : 'FFEDEDED' } }
  })
  for (const line of lines) sheet.addRow(columns.map((c) => c.write(line)))
  const validations = (sheet as unknown as SheetWithValidations).dataValidations
  const lastRow = Math.max(listRows, lines.length + 1)
  columns.forEach((column, i) => {
    if (!column.choices) return
    const letter = sheet.getColumn(i + 1).letter
    validations.add(`${letter}2:${letter}${lastRow}`, {
      type: 'list',
      allowBlank: true,
      formulae: [`"${column.choices.join(',')}"`],
      showErrorMessage: true,
      errorStyle: 'warning',
      errorTitle: column.header,
      error: `请从下拉列表中选择：${column.choices.join('、')}`,
    })
  })
  return sheet
}

function addNotes(workbook: ExcelJS.Workbook, meta: ExportMeta, written: number) {
  const sheet = workbook.addWorksheet(NOTES_SHEET)
  sheet.columns = [{ width: 24 }, { width: 18 }, { width: 90 }]
  const at = beijingTimestampText(meta.at)
  const rows: (string | number)[][] = [
    ['政务信息资源目录（2017 年国家目录模板格式）'],
    ['导出时间', `${at}（北京时间）`],
    ['导出单位', meta.orgName],
    ['导出人', meta.actorName],
    ['检索条件', meta.filters || '全部可见目录'],
    ['导出条数', written],
    ...(meta.total > written ? [['说明', `共 ${meta.total} 条符合条件，本文件只含前 ${written} 条，请缩小检索条件后分批导出`]] : []),
    [],
    [
      '填写说明',
      `「${RESOURCE_SHEET}」每行一条目录；「${ITEM_SHEET}」每行一个信息项，用「资源序号」对应目录的「序号」。第 1 行为表头，可调整列的顺序。橙色表头为必填列，蓝色表头为可导入的列，灰色表头仅供查看（导入时忽略）。导入总是生成本单位的草稿，资源代码与发布日期在发布时赋予。`,
    ],
    [],
    ['工作表', '列', '可填写的值'],
  ]
  const describe = <L>(sheetName: string, columns: readonly Column<L>[]) =>
    columns.map((c) => [
      sheetName,
      c.header,
      [c.required ? '必填' : c.field ? '' : '仅导出，导入时忽略', c.choices?.join('、') ?? ''].filter(Boolean).join('；'),
    ])
  rows.push(...describe(RESOURCE_SHEET, RESOURCE_COLUMNS), ...describe(ITEM_SHEET, ITEM_COLUMNS))
  for (const row of rows) sheet.addRow(row)
  sheet.getRow(1).font = { bold: true, size: 13 }
}

export async function writeCatalogWorkbook(resources: readonly ResourceOut[], meta: ExportMeta): Promise<Buffer> {
  const workbook = new (await loadExcelJS()).Workbook()
  workbook.creator = 'GovShare'
  workbook.created = meta.at
  const resourceLines: ResourceLine[] = resources.map((r, i) => ({ r, seq: i + 1 }))
  const itemLines: ItemLine[] = resourceLines.flatMap(({ r, seq }) => r.items.map((item) => ({ item, r, seq })))
  addSheet(workbook, RESOURCE_SHEET, RESOURCE_COLUMNS, resourceLines, LIST_ROWS[RESOURCE_SHEET])
  addSheet(workbook, ITEM_SHEET, ITEM_COLUMNS, itemLines, LIST_ROWS[ITEM_SHEET])
  addNotes(workbook, meta, resources.length)
  return Buffer.from(await workbook.xlsx.writeBuffer())
}
