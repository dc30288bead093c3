import { type Selectable, type Updateable, sql } from 'kysely'
import type { Executor } from '../../platform/db/database.ts'
import type { MountBatchesTable, MountFilesTable, MountsTable } from '../../platform/db/schema.ts'

export type MountRow = Selectable<MountsTable>
export type BatchRow = Selectable<MountBatchesTable>
export type MountKind = MountsTable['kind']

/** Creates the resource's mount of this kind if missing; returns it and whether this call created it. */
export async function ensureMount(db: Executor, resourceId: string, kind: MountKind, createdBy: string) {
  const inserted = await db
    .insertInto('mounts')
    .values({ resourceId, kind, columns: '[]', upstreamParams: '[]', createdBy })
    .onConflict((oc) => oc.columns(['resourceId', 'kind']).doNothing())
    .returning('id')
    .executeTakeFirst()
  const mount = await lockMount(db, resourceId, kind)
  return { mount: mount!, created: !!inserted }
}

export const lockMount = (db: Executor, resourceId: string, kind: MountKind) =>
  db.selectFrom('mounts').selectAll().where('resourceId', '=', resourceId).where('kind', '=', kind).forUpdate().executeTakeFirst()

export const lockMountById = (db: Executor, id: string) => db.selectFrom('mounts').selectAll().where('id', '=', id).forUpdate().executeTakeFirstOrThrow()

export const findMount = (db: Executor, resourceId: string, kind: MountKind) =>
  db.selectFrom('mounts').selectAll().where('resourceId', '=', resourceId).where('kind', '=', kind).executeTakeFirst()

export const listMounts = (db: Executor, resourceId: string) =>
  db.selectFrom('mounts').selectAll().where('resourceId', '=', resourceId).orderBy('kind').execute()

export const updateMount = (db: Executor, id: string, patch: Updateable<MountsTable>) => db.updateTable('mounts').set(patch).where('id', '=', id).execute()

/** Deletes a mount this request created, if it still holds nothing (a failed first upload changes nothing). */
export const deleteEmptyMount = (db: Executor, id: string) =>
  db
    .deleteFrom('mounts')
    .where('id', '=', id)
    .where('activeBatchId', 'is', null)
    .where((eb) => eb.not(eb.exists(eb.selectFrom('mountBatches').select('id').whereRef('mountBatches.mountId', '=', 'mounts.id'))))
    .where((eb) => eb.not(eb.exists(eb.selectFrom('mountFiles').select('id').whereRef('mountFiles.mountId', '=', 'mounts.id'))))
    .execute()

// ---- batches ----

export const insertBatch = (db: Executor, row: { id: string; mountId: string; tableName: string; fileName: string; createdBy: string; startedAt: Date }) =>
  db
    .insertInto('mountBatches')
    .values({ ...row, status: 'loading', rejectedSample: '[]' })
    .execute()

export const updateBatch = (db: Executor, id: string, patch: Updateable<MountBatchesTable>) =>
  db.updateTable('mountBatches').set(patch).where('id', '=', id).execute()

export const deleteLoadingBatch = (db: Executor, id: string) => db.deleteFrom('mountBatches').where('id', '=', id).where('status', '=', 'loading').execute()

export const loadingBatches = (db: Executor, mountId?: string) =>
  db
    .selectFrom('mountBatches')
    .select(['id', 'mountId', 'tableName'])
    .where('status', '=', 'loading')
    .$if(!!mountId, (qb) => qb.where('mountId', '=', mountId!))
    .execute()

/**
 * Batches no longer served whose table may still exist (a drop after the swap that did not happen), except
 * the batch each mount keeps for restoring when it was replaced at or after `keptSince`.
 */
export const retiredBatchTables = (db: Executor, keptSince: Date) =>
  db
    .selectFrom('mountBatches')
    .select(['id', 'tableName'])
    .where('status', 'in', ['replaced', 'failed'])
    .where((eb) => eb.or([eb('replacedAt', 'is', null), eb('replacedAt', '<', keptSince)]))
    .execute()

/** The batch each of these mounts keeps for restoring (at most one per mount). */
export const keptBatches = (db: Executor, mountIds: string[]) =>
  mountIds.length === 0
    ? Promise.resolve([] as BatchRow[])
    : db.selectFrom('mountBatches').selectAll().where('mountId', 'in', mountIds).where('replacedAt', 'is not', null).orderBy('replacedAt', 'desc').execute()

/** Whether a managed table still exists (the kept batch's table may have been purged). */
export async function managedTableExists(db: Executor, qualified: string): Promise<boolean> {
  const row = await sql<{ found: boolean }>`select to_regclass(${qualified}) is not null as found`.execute(db)
  return row.rows[0].found
}

/** Every batch of the mount still marked as kept: a swap clears them and drops their tables. */
export const retainedBatches = (db: Executor, mountId: string) =>
  db.selectFrom('mountBatches').select(['id', 'tableName']).where('mountId', '=', mountId).where('replacedAt', 'is not', null).execute()

/** The items a batch's file had a column for (null for batches loaded before this was recorded). */
export async function findBatchItems(db: Executor, batchId: string): Promise<string[] | null> {
  const row = await db.selectFrom('mountBatches').select('itemIds').where('id', '=', batchId).executeTakeFirst()
  return row?.itemIds ?? null
}

/** Marks a loading batch failed; true when this call did it (so exactly one caller drops its table). */
export async function failLoadingBatch(db: Executor, id: string, at: Date): Promise<boolean> {
  const result = await db
    .updateTable('mountBatches')
    .set({ status: 'failed', finishedAt: at })
    .where('id', '=', id)
    .where('status', '=', 'loading')
    .executeTakeFirst()
  return Number(result.numUpdatedRows) > 0
}

// The n of a batch's table mounted.r_<hex>_<n>: batches of one mount in load order, even within one clock tick.
const batchNumber = sql<number>`substring(table_name from '_([0-9]+)$')::int`

/** The highest batch number used for a mount's tables (numbers are never reused while a row names them). */
export async function lastBatchNumber(db: Executor, mountId: string): Promise<number> {
  const row = await db
    .selectFrom('mountBatches')
    .select(sql<number>`coalesce(max(${batchNumber}), 0)`.as('n'))
    .where('mountId', '=', mountId)
    .executeTakeFirstOrThrow()
  return Number(row.n)
}

export const recentBatches = (db: Executor, mountIds: string[], perMount: number) =>
  mountIds.length === 0
    ? Promise.resolve([] as BatchRow[])
    : db
        .selectFrom((eb) =>
          eb
            .selectFrom('mountBatches')
            .selectAll()
            .select(sql<number>`row_number() over (partition by mount_id order by started_at desc, ${batchNumber} desc)`.as('rank'))
            .select(batchNumber.as('batchNumber'))
            .where('mountId', 'in', mountIds)
            .as('b'),
        )
        .selectAll()
        .where('rank', '<=', perMount)
        .orderBy('startedAt', 'desc')
        .orderBy('batchNumber', 'desc')
        .execute()

// ---- files ----

export type FileVersionRow = Omit<Selectable<MountFilesTable>, 'content'>

const fileColumns = ['id', 'mountId', 'version', 'fileName', 'contentType', 'sizeBytes', 'sm3', 'createdBy', 'createdAt'] as const

export async function nextFileVersion(db: Executor, mountId: string): Promise<number> {
  const row = await db
    .selectFrom('mountFiles')
    .select((eb) => eb.fn.coalesce(eb.fn.max('version'), sql<number>`0`).as('v'))
    .where('mountId', '=', mountId)
    .executeTakeFirstOrThrow()
  return Number(row.v) + 1
}

export const insertFile = (
  db: Executor,
  row: {
    mountId: string
    version: number
    fileName: string
    contentType: string | null
    sizeBytes: number
    sm3: string
    content: Buffer
    createdBy: string
    createdAt: Date
  },
) => db.insertInto('mountFiles').values(row).returning(fileColumns).executeTakeFirstOrThrow()

export const listFileVersions = (db: Executor, mountIds: string[]): Promise<FileVersionRow[]> =>
  mountIds.length === 0
    ? Promise.resolve([])
    : db.selectFrom('mountFiles').select(fileColumns).where('mountId', 'in', mountIds).orderBy('version', 'desc').execute()

/** The files of an entry's active file mount, newest version first (`withContent` adds the bytes). */
const activeFiles = (db: Executor, resourceId: string) =>
  db
    .selectFrom('mountFiles as f')
    .innerJoin('mounts as m', 'm.id', 'f.mountId')
    .select(['f.id', 'f.mountId', 'f.version', 'f.fileName', 'f.contentType', 'f.sizeBytes', 'f.sm3', 'f.createdAt'])
    .where('m.resourceId', '=', resourceId)
    .where('m.kind', '=', 'file')
    .where('m.status', '=', 'active')
    .orderBy('f.version', 'desc')

/** One version (`fileId`) or else the newest one, with its content. */
export const latestFileOf = (db: Executor, resourceId: string, fileId?: string) =>
  activeFiles(db, resourceId)
    .select('f.content')
    .$if(fileId !== undefined, (qb) => qb.where('f.id', '=', fileId!))
    .limit(1)
    .executeTakeFirst()

export const activeFileVersions = (db: Executor, resourceId: string) => activeFiles(db, resourceId).execute()

/** Kinds with something live: a table with an active batch, a file with a version, an API with an upstream. */
export async function activeKinds(db: Executor, resourceId: string): Promise<MountKind[]> {
  const rows = await db
    .selectFrom('mounts as m')
    .select('m.kind')
    .where('m.resourceId', '=', resourceId)
    .where('m.status', '=', 'active')
    .where((eb) =>
      eb.or([
        eb.and([eb('m.kind', '=', 'table'), eb('m.activeBatchId', 'is not', null)]),
        eb.and([eb('m.kind', '=', 'file'), eb.exists(eb.selectFrom('mountFiles as f').select('f.id').whereRef('f.mountId', '=', 'm.id'))]),
        eb.and([eb('m.kind', '=', 'api'), eb('m.upstreamUrl', 'is not', null)]),
      ]),
    )
    .execute()
  return rows.map((r) => r.kind)
}
