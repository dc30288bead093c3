import type { Executor } from '../../platform/db/database.ts'
import type { MountColumn } from '../../platform/db/schema.ts'
import { qualifiedName } from './storage/managed-table.ts'
import { type MountKind, type MountRow, activeFileVersions, activeKinds, findMount, latestFileOf } from './queries.ts'

/**
 * Reads for other modules (gateway, exchange, catalog publish check). They return internals
 * (table names, upstream URLs): callers must not pass them on to consumers.
 */

export interface ActiveTableMount {
  mountId: string
  /** The batch readers see now (a new upload or feed makes a new one). */
  batchId: string
  /** `mounted.r_<hex>_<n>`: generated, lower-case letters/digits/underscores only. */
  tableName: string
  /** Item → column; quote column names (sql.id / sql.ref) — a nameEn may be an SQL keyword. */
  columns: MountColumn[]
  rowCount: number
  lastDataTime: Date | null
}

/**
 * The batch readers should use now, or undefined. A re-upload swaps the table and then drops the
 * old one, so read it in the same transaction with `{ forShare: true }` (the swap waits for that
 * transaction), or retry once on SQLSTATE 42P01.
 */
export async function findActiveTableMount(db: Executor, resourceId: string, options: { forShare?: boolean } = {}): Promise<ActiveTableMount | undefined> {
  const row = await db
    .selectFrom('mounts')
    .select(['id', 'activeTable', 'activeBatchId', 'columns', 'rowCount', 'lastDataTime'])
    .where('resourceId', '=', resourceId)
    .where('kind', '=', 'table')
    .where('status', '=', 'active')
    .where('activeTable', 'is not', null)
    .$if(options.forShare === true, (qb) => qb.forShare())
    .executeTakeFirst()
  return row ? tableMountOf(row) : undefined
}

function tableMountOf(row: Pick<MountRow, 'id' | 'activeTable' | 'activeBatchId' | 'columns' | 'rowCount' | 'lastDataTime'>): ActiveTableMount | undefined {
  if (!row.activeTable || !row.activeBatchId) return undefined
  const name = row.activeTable.slice(row.activeTable.indexOf('.') + 1)
  return {
    mountId: row.id,
    batchId: row.activeBatchId,
    tableName: qualifiedName(name), // re-validated: never hand out a name that is not ours
    columns: row.columns,
    rowCount: Number(row.rowCount),
    lastDataTime: row.lastDataTime ? new Date(row.lastDataTime) : null,
  }
}

function apiMountOf(row: MountRow): ApiMount | undefined {
  if (!row.upstreamUrl) return undefined
  return {
    mountId: row.id,
    status: row.status,
    upstreamUrl: row.upstreamUrl,
    method: row.upstreamMethod === 'POST' ? 'POST' : 'GET',
    params: row.upstreamParams,
    timeoutMs: row.timeoutMs ?? 10_000,
  }
}

/** Where the gateway reads an entry's data, in one query: the active table batch, else the upstream API. */
export async function findDataSource(db: Executor, resourceId: string): Promise<{ table?: ActiveTableMount; api?: ApiMount }> {
  const rows = await db.selectFrom('mounts').selectAll().where('resourceId', '=', resourceId).where('kind', 'in', ['table', 'api']).execute()
  const table = rows.find((r) => r.kind === 'table' && r.status === 'active')
  const api = rows.find((r) => r.kind === 'api')
  return { table: table ? tableMountOf(table) : undefined, api: api ? apiMountOf(api) : undefined }
}

/** Kinds with an active mount: a table only once a batch is active, a file once a version exists, an API once registered. */
export async function activeMountKinds(db: Executor, resourceId: string): Promise<Set<MountKind>> {
  return new Set(await activeKinds(db, resourceId))
}

export interface ApiMount {
  mountId: string
  status: 'active' | 'suspended'
  upstreamUrl: string
  method: 'GET' | 'POST'
  params: { name: string; required: boolean }[]
  timeoutMs: number
}

/** The registered upstream API of an entry (any status), or undefined. */
export async function findApiMount(db: Executor, resourceId: string): Promise<ApiMount | undefined> {
  const row = await findMount(db, resourceId, 'api')
  return row ? apiMountOf(row) : undefined
}

export interface LatestFile {
  id: string
  mountId: string
  version: number
  fileName: string
  contentType: string | null
  size: number
  sm3: string
  content: Buffer
  createdAt: Date
}

/** The newest version of an entry's active file mount (or the version `fileId`), with its content, or undefined. */
export async function latestFile(db: Executor, resourceId: string, fileId?: string): Promise<LatestFile | undefined> {
  const row = await latestFileOf(db, resourceId, fileId)
  if (!row) return undefined
  return { ...row, size: Number(row.sizeBytes), createdAt: new Date(row.createdAt) }
}

/** The versions of an entry's active file mount, newest first, without content. */
export async function fileVersions(db: Executor, resourceId: string): Promise<Omit<LatestFile, 'content'>[]> {
  return (await activeFileVersions(db, resourceId)).map((row) => ({ ...row, size: Number(row.sizeBytes), createdAt: new Date(row.createdAt) }))
}
