import type { MountColumn } from '../../../platform/db/schema.ts'
import type { StoredItem } from '../../../platform/db/schema.ts'
import { type TableColumn, tableColumns } from './layout.ts'
import { type AtRestSealer, SEAL_FORMAT, atRestSealer, digestColumnName, digestValue, isSealable, sealValue, sealedSqlTypes } from './sealed-columns.ts'

/**
 * How an upload's columns are stored: which are sealed (SM4, sealed-columns.ts) and the table's
 * physical columns (items first, then one digest column per sealed item).
 */
export interface SealPlan {
  sealer: AtRestSealer | null
  /** Indexes (in tableColumns order) of the sealed columns. */
  sealed: number[]
  physical: TableColumn[]
  /** The item values of a row as stored: sealed ones encrypted, their digests appended. */
  toStored(values: readonly (string | null)[]): (string | null)[]
  /** The column an index or duplicate check on this item uses (its digest when sealed). */
  keyColumn(column: TableColumn): TableColumn
}

export function sealPlan(resourceId: string, columns: TableColumn[], dataKey: Buffer | null): SealPlan {
  const sealer = atRestSealer(dataKey)
  const sealed = sealer ? columns.flatMap((c, i) => (isSealable(c.item) ? [i] : [])) : []
  const isSealed = new Set(sealed)
  const types = sealedSqlTypes(SEAL_FORMAT)
  const physical = [
    ...columns.map((c, i) => (isSealed.has(i) ? { ...c, sqlType: types.value } : c)),
    ...sealed.map((i) => ({ ...columns[i], column: digestColumnName(i), sqlType: types.digest })),
  ]
  return {
    sealer,
    sealed,
    physical,
    toStored(values) {
      if (!sealer || sealed.length === 0) return values as (string | null)[]
      const stored = values.slice()
      for (const i of sealed) {
        const value = values[i]
        stored[i] = value === null ? null : sealValue(sealer, resourceId, columns[i].itemId, value)
        stored.push(value === null ? null : digestValue(sealer, columns[i].itemId, value))
      }
      return stored
    },
    keyColumn(column) {
      const i = columns.indexOf(column)
      return isSealed.has(i) ? { ...column, column: digestColumnName(i) } : column
    },
  }
}

/**
 * The columns of a batch's one index, the unique key (on digests when sealed). Readers look rows up by
 * key (the gateway) or read them all; the timestamp item has no index until something reads by it
 * (the exchange's incremental sync will): maintained during the load it cost PostgreSQL about a quarter
 * of the load's CPU (bench/README.md).
 */
export function keyIndexColumns(columns: TableColumn[], plan: SealPlan): TableColumn[] {
  // A sealed key is indexed (and checked for duplicates) through its digest: equal values, equal digests.
  return columns.filter((c) => c.item.isPrimaryKey).map((k) => plan.keyColumn(k))
}

/** The mount's column list for a loaded batch: each item's column, and how a sealed one is stored. */
export function mountColumnsOf(columns: readonly TableColumn[], plan: SealPlan): MountColumn[] {
  return columns.map(({ itemId, column, dataType }, i) => ({
    itemId,
    column,
    dataType,
    ...(plan.sealed.includes(i) ? { sealed: { keyId: plan.sealer!.keyId, digestColumn: digestColumnName(i), format: SEAL_FORMAT } } : {}),
  }))
}

/**
 * Everything a table load decides before the first row: the entry's columns, how they are stored, the
 * unique key index and the timestamp item whose newest value becomes the data time.
 */
export interface LoadPlan {
  resourceId: string
  columns: TableColumn[]
  seal: SealPlan
  /** The primary-key items' columns (as the file names them). */
  primaryKeys: TableColumn[]
  /** The unique key index's columns (digests for sealed keys). */
  keys: TableColumn[]
  /** The position of the timestamp item among the table columns, or -1. */
  timestampAt: number
}

export function loadPlan(resourceId: string, items: readonly StoredItem[], dataKey: Buffer | null): LoadPlan {
  const columns = tableColumns(items)
  const seal = sealPlan(resourceId, columns, dataKey)
  return {
    resourceId,
    columns,
    seal,
    primaryKeys: columns.filter((c) => c.item.isPrimaryKey),
    keys: keyIndexColumns(columns, seal),
    timestampAt: columns.findIndex((c) => c.item.isTimestamp && (c.dataType === 'T' || c.dataType === 'D')),
  }
}
