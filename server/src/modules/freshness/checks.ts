import { sql } from 'kysely'
import type { Db, Executor } from '../../platform/db/database.ts'
import { notifyOnce } from '../../platform/notify/index.ts'
import { managedTableName } from '../mounts/index.ts'

/** SPEC §5.3: the longest a mount's data may age for its entry's update cycle (8 其他/不定期: no limit). */
export const MAX_STALENESS_HOURS: Record<number, number> = { 1: 1, 2: 26, 3: 8 * 24, 4: 32 * 24, 5: 93 * 24, 6: 184 * 24, 7: 366 * 24 }

/** A row-count change over this share of the previous batch is reported (SPEC §7.3). */
export const ROW_SWING_LIMIT = 0.5

/**
 * The freshness check (SPEC §7.3): each active table or file mount of a published entry whose last data
 * is older than its update cycle allows is flagged 未按时更新 (`stale_since`) and its provider told once
 * per lapse; a mount fresh again is unflagged. The days it stays stale count against M4.
 */
export async function checkFreshness(db: Db, now: Date): Promise<number> {
  return db.transaction().execute(async (trx) => {
    const { rows } = await sql<{ id: string; providerOrgId: string; name: string; updateCycle: number; lastData: Date | null; staleSince: Date | null }>`
      select m.id, v.provider_org_id, v.name, v.update_cycle, m.stale_since,
             greatest((select max(b.finished_at) from mount_batches b where b.mount_id = m.id and b.status = 'active'),
                      (select max(f.created_at) from mount_files f where f.mount_id = m.id)) as last_data
      from mounts m join resource_versions v on v.resource_id = m.resource_id and v.is_published
      where m.status = 'active' and m.kind in ('table', 'file')
      for update of m skip locked`.execute(trx)
    let changed = 0
    for (const m of rows) {
      const limit = MAX_STALENESS_HOURS[m.updateCycle]
      if (!limit) continue
      const stale = !m.lastData || now.getTime() - new Date(m.lastData).getTime() > limit * 3_600_000
      if (stale && !m.staleSince) {
        await trx.updateTable('mounts').set({ staleSince: now }).where('id', '=', m.id).execute()
        await notifyOnce(
          trx,
          {
            orgId: m.providerOrgId,
            kind: 'mounts.stale',
            title: `「${m.name}」未按更新周期更新数据（最近数据：${m.lastData ? new Date(m.lastData).toISOString().slice(0, 10) : '无'}），请尽快更新`,
            objectType: 'mount',
            objectId: m.id,
          },
          `mounts.stale:${m.id}:${now.toISOString().slice(0, 10)}`,
        )
        changed++
      } else if (!stale && m.staleSince) {
        await trx.updateTable('mounts').set({ staleSince: null }).where('id', '=', m.id).execute()
        changed++
      }
    }
    return changed
  })
}

interface QualityInput {
  batchId: string
  mountId: string
  tableName: string
  rowsLoaded: number
  columns: { itemId: string; column: string }[]
  items: { id: string; name: string; isPrimaryKey: boolean; basicItem: boolean }[]
  previousRows: number | null
}

/** The quality figures of one loaded batch: null rate of each required item, duplicate keys, row-count swing. */
export async function measureBatch(db: Executor, batch: QualityInput) {
  const table = sql.raw(managedTableName(batch.tableName))
  const required = batch.items.filter((i) => i.isPrimaryKey || i.basicItem)
  const columnOf = (itemId: string) => batch.columns.find((c) => c.itemId === itemId)?.column
  const nullRates: Record<string, number> = {}
  for (const item of required) {
    const column = columnOf(item.id)
    if (!column || !/^[a-z_][a-z0-9_]*$/.test(column)) continue
    const { rows } = await sql<{
      n: string
      nulls: string
    }>`select count(*) as n, count(*) filter (where ${sql.ref(column)} is null) as nulls from ${table}`.execute(db)
    const n = Number(rows[0]!.n)
    nullRates[item.name] = n === 0 ? 0 : Math.round((10_000 * Number(rows[0]!.nulls)) / n) / 10_000
  }
  const keys = batch.items
    .filter((i) => i.isPrimaryKey)
    .map((i) => columnOf(i.id))
    .filter((c): c is string => !!c && /^[a-z_][a-z0-9_]*$/.test(c))
  let duplicateKeys = 0
  if (keys.length) {
    const list = sql.join(keys.map((k) => sql.ref(k)))
    const { rows } = await sql<{
      n: string
    }>`select coalesce(sum(c - 1), 0) as n from (select count(*) as c from ${table} group by ${list} having count(*) > 1) d`.execute(db)
    duplicateKeys = Number(rows[0]!.n)
  }
  const rowSwing = batch.previousRows ? Math.round((10_000 * (batch.rowsLoaded - batch.previousRows)) / batch.previousRows) / 10_000 : null
  const problems = [
    ...Object.entries(nullRates)
      .filter(([, rate]) => rate > 0)
      .map(([name, rate]) => `必填信息项「${name}」空值率 ${(rate * 100).toFixed(2)}%`),
    ...(duplicateKeys > 0 ? [`主键重复 ${duplicateKeys} 行`] : []),
    ...(rowSwing !== null && Math.abs(rowSwing) > ROW_SWING_LIMIT ? [`行数较上一批变化 ${(rowSwing * 100).toFixed(1)}%（超过 50%）`] : []),
  ]
  return { nullRates, duplicateKeys, rowSwing, problems }
}

/**
 * Each newly active table batch gets its quality report (SPEC §7.3); one with problems tells the
 * provider. Reads only what mounting recorded (the batch row and its table), so mounting needs no hook.
 */
export async function writeQualityReports(db: Db, now: Date): Promise<number> {
  return db.transaction().execute(async (trx) => {
    const { rows } = await sql<{
      batchId: string
      mountId: string
      tableName: string
      rowsLoaded: number
      columns: { itemId: string; column: string }[]
      items: QualityInput['items']
      providerOrgId: string
      name: string
      previousRows: number | null
    }>`
      select b.id as batch_id, b.mount_id, b.table_name, b.rows_loaded, m.columns, v.items, v.provider_org_id, v.name,
             (select p.rows_loaded from mount_batches p where p.mount_id = b.mount_id and p.id <> b.id and p.status in ('active', 'replaced')
                and p.started_at <= b.started_at order by p.started_at desc, p.finished_at desc limit 1) as previous_rows
      from mount_batches b
      join mounts m on m.id = b.mount_id and m.active_batch_id = b.id
      join resource_versions v on v.resource_id = m.resource_id and v.is_latest
      where b.status = 'active' and not exists (select 1 from mount_quality_reports q where q.batch_id = b.id)
      limit 20
      for update of b skip locked`.execute(trx)
    for (const b of rows) {
      const report = await measureBatch(trx, { ...b, rowsLoaded: Number(b.rowsLoaded), previousRows: b.previousRows === null ? null : Number(b.previousRows) })
      await trx
        .insertInto('mountQualityReports')
        .values({
          batchId: b.batchId,
          mountId: b.mountId,
          createdAt: now,
          rows: Number(b.rowsLoaded),
          previousRows: b.previousRows === null ? null : Number(b.previousRows),
          rowSwing: report.rowSwing,
          duplicateKeys: report.duplicateKeys,
          nullRates: JSON.stringify(report.nullRates),
          problems: report.problems,
        })
        .execute()
      if (report.problems.length) {
        await notifyOnce(
          trx,
          {
            orgId: b.providerOrgId,
            kind: 'mounts.quality',
            title: `「${b.name}」新批次数据质量问题：${report.problems.join('；')}`,
            objectType: 'mount',
            objectId: b.mountId,
          },
          `mounts.quality:${b.batchId}`,
        )
      }
    }
    return rows.length
  })
}
