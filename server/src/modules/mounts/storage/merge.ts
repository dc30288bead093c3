import { sql } from 'kysely'
import type { Ctx } from '../../../platform/context.ts'
import { AppError } from '../../../platform/http/errors.ts'
import { findActiveTableMount } from '../lookups.ts'
import type { PendingBatch } from './batch.ts'
import type { LoadPlan } from './load-plan.ts'
import { qualifiedName } from './managed-table.ts'
import { SEAL_FORMAT, canonicalLookup, digestValue, formatOf } from './sealed-columns.ts'

/** Refused when the active batch cannot take changes (no batch, other columns): the feeder then loads in full. */
export const FULL_LOAD_NEEDED = 'FULL_LOAD_NEEDED'

/**
 * Completes an incremental batch from the active one, in the new (still invisible) table: the changed rows
 * are renumbered after the active batch's last line, then the unchanged rows are copied with their lines,
 * so `_line > baseMaxLine` are exactly the rows this batch changed; deleted keys are removed.
 */
export async function mergeWithActive(ctx: Ctx, plan: LoadPlan, batch: PendingBatch, changes: { deletedKeys: readonly string[] }) {
  const { columns, seal } = plan
  const active = await findActiveTableMount(ctx.db, plan.resourceId)
  const keys = plan.primaryKeys
  const sameShape =
    active &&
    keys.length === 1 &&
    active.columns.length === columns.length &&
    active.columns.every(
      (c, i) =>
        c.itemId === columns[i].itemId &&
        c.column === columns[i].column &&
        (c.sealed?.keyId ?? null) === (seal.sealed.includes(i) ? seal.sealer!.keyId : null) &&
        (!c.sealed || formatOf(c) === SEAL_FORMAT),
    )
  if (!active || !sameShape) throw new AppError(409, FULL_LOAD_NEEDED, '当前批次与目录信息项不一致，需先全量导入')
  const target = sql.table(qualifiedName(batch.tableName))
  const source = sql.table(active.tableName)
  const physical = seal.physical.map((c) => sql.id(c.column))
  const key = sql.id(seal.keyColumn(keys[0]).column)
  const keyItem = keys[0]
  const deleted = changes.deletedKeys
    .map((value) => {
      const canonical = canonicalLookup(keyItem.item, value)
      if (canonical === null) return null
      const sealedAt = seal.sealed.includes(columns.indexOf(keyItem))
      return sealedAt ? digestValue(seal.sealer!, keyItem.itemId, canonical) : canonical
    })
    .filter((v): v is string => v !== null)
  return ctx.db.transaction().execute(async (trx) => {
    const base = await sql<{ n: string | null }>`select max(_line)::text as n from ${source}`.execute(trx)
    const baseMaxLine = Number(base.rows[0]?.n ?? 0)
    await sql`update ${target} set _line = _line + ${baseMaxLine}`.execute(trx)
    await sql`insert into ${target} (_line, ${sql.join(physical)}) select _line, ${sql.join(physical)} from ${source} o
      where not exists (select 1 from ${target} n where n.${key} = o.${key})`.execute(trx)
    for (let i = 0; i < deleted.length; i += 10_000) {
      await sql`delete from ${target} where ${key}::text = any(${deleted.slice(i, i + 10_000)}::text[])`.execute(trx)
    }
    const count = await sql<{ n: number }>`select count(*)::int as n from ${target}`.execute(trx)
    return { rows: count.rows[0].n, baseMaxLine, lastDataTime: active.lastDataTime }
  })
}
