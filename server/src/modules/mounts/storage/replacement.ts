import { AppError, validationFailed } from '../../../platform/http/errors.ts'
import type { HeaderMapping, TableColumn } from './layout.ts'

/**
 * What replacing the current batch with an upload changes (API.md "Mounting data"): shown before the
 * replacement commits, and the rule for when it needs the uploader's explicit confirmation.
 */
export interface ReplacementPreview {
  /** Rows served now; null when nothing is mounted yet. */
  rowsBefore: number | null
  rowsAfter: number
  /** The change in rows against rowsBefore, in percent (null when there is nothing to compare with). */
  changePercent: number | null
  missingItems: { itemId: string; name: string; nameEn: string | null; required: boolean; hadBefore: boolean }[]
  ignoredColumns: string[]
  rejectedTotal: number
  confirmationRequired: boolean
  /** Why confirmation is required, in the user's words. */
  reasons: string[]
}

/** A replacement changing the row count by more than this share needs confirmation. */
export const ROW_SWING_LIMIT = 0.5

export const CONFIRMATION_REQUIRED = 'CONFIRMATION_REQUIRED'

/**
 * Items a file may not lack: the primary key (every row needs it) and basic items (基础信息项), which
 * SPEC R-2 shares unconditionally, so a batch without them would serve a basic library without its basic data.
 */
export const isRequiredItem = (column: TableColumn) => column.item.isPrimaryKey || column.item.basicItem

const itemLabel = (column: TableColumn) => `「${column.item.name}」${column.item.nameEn ? `（${column.item.nameEn}）` : ''}`

/** 400 when the file has no column for a required item, naming each. */
export function refuseMissingRequired(columns: readonly TableColumn[], mapping: HeaderMapping) {
  const missing = columns.filter((c, i) => mapping.sourceIndex[i] < 0 && isRequiredItem(c))
  if (missing.length === 0) return
  const message = `文件缺少必需的信息项${missing.map(itemLabel).join('、')}对应的列，未导入任何数据；主键和基础信息项必须有对应的列`
  throw validationFailed(
    missing.map((c) => ({ field: '第1行', message: `缺少必需的信息项${itemLabel(c)}对应的列` })),
    message,
  )
}

/** The current state the upload would replace: the active batch's rows and the items its file had. */
export interface CurrentBatch {
  rows: number
  /** The items the active batch's file had a column for; null when not recorded (batches before this was kept). */
  itemIds: readonly string[] | null
}

export function previewReplacement(
  current: CurrentBatch | null,
  columns: readonly TableColumn[],
  mapping: HeaderMapping,
  rowsAfter: number,
  rejectedTotal: number,
): ReplacementPreview {
  const rowsBefore = current?.rows ?? null
  const had = new Set(current?.itemIds ?? [])
  const missingItems = columns
    .filter((_, i) => mapping.sourceIndex[i] < 0)
    .map((c) => ({ itemId: c.itemId, name: c.item.name, nameEn: c.item.nameEn, required: isRequiredItem(c), hadBefore: had.has(c.itemId) }))
  const changePercent = rowsBefore ? Math.round(((rowsAfter - rowsBefore) / rowsBefore) * 1000) / 10 : null
  const reasons: string[] = []
  if (rowsBefore && Math.abs(rowsAfter - rowsBefore) > rowsBefore * ROW_SWING_LIMIT) {
    reasons.push(
      `数据行数将从 ${rowsBefore} 行变为 ${rowsAfter} 行（${changePercent! > 0 ? '增加' : '减少'} ${Math.abs(changePercent!)}%），变化超过 ${ROW_SWING_LIMIT * 100}%`,
    )
  }
  const lost = missingItems.filter((m) => m.hadBefore)
  if (lost.length > 0) reasons.push(`当前批次有数据的信息项${lost.map((m) => `「${m.name}」`).join('、')}在文件中没有对应的列，替换后将为空`)
  return {
    rowsBefore,
    rowsAfter,
    changePercent,
    missingItems,
    ignoredColumns: mapping.ignored,
    rejectedTotal,
    confirmationRequired: reasons.length > 0,
    reasons,
  }
}

/** 409 CONFIRMATION_REQUIRED: the replacement was not committed; the same upload with confirm=true commits it. */
export function confirmationRequired(preview: ReplacementPreview): AppError {
  const message = `${preview.reasons.join('；')}。未替换当前批次，请核对后确认替换`
  return new AppError(409, CONFIRMATION_REQUIRED, message, [{ field: 'confirm', message, preview }])
}
