import { createHash } from 'node:crypto'
import type { Multipart, MultipartFile } from '@fastify/multipart'
import { recordAudit } from '../../platform/audit/record.ts'
import { type Action, authorizeLoaded, can } from '../../platform/auth/policy.ts'
import type { Ctx } from '../../platform/context.ts'
import type { Executor } from '../../platform/db/database.ts'
import type { StoredItem } from '../../platform/db/schema.ts'
import { AppError, fieldError, invalidState, notFound } from '../../platform/http/errors.ts'
import { readWhole } from '../../platform/uploads/buffered.ts'
import { type UploadLease, uploadBudget } from '../../platform/uploads/memory-budget.ts'
import { findVisibleResource } from '../catalog/index.ts'
import { assertUpstreamAllowed } from '../security/index.ts'
import { mountsChanged } from './mount-signal.ts'
import { presentFileVersion, presentMount } from './presenter.ts'
import {
  ensureMount,
  insertFile,
  keptBatches,
  listFileVersions,
  listMounts,
  lockMount,
  managedTableExists,
  nextFileVersion,
  recentBatches,
  updateBatch,
  updateMount,
} from './queries.ts'
import { numberParameter } from '../../platform/config/parameters.ts'
import { qualifiedName } from './storage/managed-table.ts'
import type { FileVersionOut, MountOut, RegisterApiBody, UploadPreviewOut, UploadTableOut } from './schemas.ts'
import type { Readable } from 'node:stream'
import { type FeedOptions, type LoaderEnv, loadUploadedTable } from './table-upload.ts'
import { cleanFileName, readingUpload, uploadError } from './ingest/upload-input.ts'

/** A catalog entry as its provider sees it now (the latest version's items), for mounting. */
export interface OwnedEntry {
  resourceId: string
  providerOrgId: string
  items: StoredItem[]
}

// Batches shown per table mount in the list.
const BATCHES_SHOWN = 5

/**
 * Loads the entry for a mounting command: 404 when the actor cannot even see it (ids do not
 * leak), 403 when they see it but it is not their department's (STYLE §3).
 */
async function entryToMount(ctx: Ctx, resourceId: string, action: Action): Promise<OwnedEntry> {
  const row = authorizeLoaded(ctx.actor, action, await findVisibleResource(ctx.db, resourceId, ctx.actor), '目录', '只能为本单位的目录挂接数据')
  // SPEC §8.1 S1: 涉密 data never reaches the 外网 instance, whatever the catalog says today.
  if (ctx.config.networkZone === 'extranet' && (row.secret || row.items.some((item) => item.secret))) {
    throw new AppError(403, 'SECRET_ON_EXTRANET', '本平台为政务外网实例，不得挂接涉密信息资源或涉密信息项的数据')
  }
  return { resourceId, providerOrgId: row.providerOrgId, items: row.items }
}

async function visibleEntry(ctx: Ctx, resourceId: string) {
  const row = await findVisibleResource(ctx.db, resourceId, ctx.actor)
  if (!row) throw notFound('目录')
  return row
}

/** POST …/mounts/table: see table-upload.ts. `openParts` is called only once the caller may upload. */
export async function uploadTableCommand(
  ctx: Ctx,
  env: LoaderEnv,
  resourceId: string,
  openParts: () => AsyncIterable<Multipart>,
  limitBytes: number,
): Promise<UploadTableOut | UploadPreviewOut> {
  const entry = await entryToMount(ctx, resourceId, 'mounts.table.upload')
  return loadUploadedTable(ctx, env, entry, openParts(), limitBytes)
}

// A stored file is held as it arrives, then once more as the database parameter.
const FILE_HELD_COPIES = 2

/**
 * Reads a file part fully (it is at most `limitBytes`), digesting it on the way; its memory comes
 * from the upload budget as it arrives (a file is stored, never parsed: its size is all there is to bound).
 */
async function readFilePart(part: MultipartFile, limitBytes: number, lease: UploadLease) {
  const digest = createHash('sm3')
  const tooLarge = () => new AppError(413, 'PAYLOAD_TOO_LARGE', `上传文件超过 ${Math.round(limitBytes / 1024 / 1024)} MB 的上限`)
  const content = await readWhole(readingUpload(part.file as AsyncIterable<Buffer>), lease, {
    maxBytes: limitBytes,
    factor: FILE_HELD_COPIES,
    onChunk: (chunk) => digest.update(chunk),
  }).catch((error: unknown) => {
    throw part.file.truncated ? tooLarge() : error
  })
  if (part.file.truncated) throw tooLarge()
  return { content, size: content.length, sm3: digest.digest('hex') }
}

/** POST …/mounts/file: stores the next version of the entry's file (previous versions are kept; SPEC §6.2). */
export async function uploadFile(
  ctx: Ctx,
  resourceId: string,
  openFile: () => Promise<MultipartFile | undefined>,
  limitBytes: number,
): Promise<FileVersionOut> {
  const entry = await entryToMount(ctx, resourceId, 'mounts.file.upload')
  const part = await openFile().catch((error: unknown) => {
    throw uploadError(error)
  })
  if (!part || part.fieldname !== 'file') throw fieldError('file', '请上传文件（表单字段 file）')
  const lease = uploadBudget(ctx.config).lease()
  try {
    return await storeFile(ctx, entry, part, await readFilePart(part, limitBytes, lease))
  } finally {
    lease.release()
  }
}

async function storeFile(ctx: Ctx, entry: OwnedEntry, part: MultipartFile, { content, size, sm3 }: { content: Buffer; size: number; sm3: string }) {
  if (size === 0) throw fieldError('file', '上传的文件为空')
  const fileName = cleanFileName(part.filename)
  return ctx.db.transaction().execute(async (trx) => {
    const { mount } = await ensureMount(trx, entry.resourceId, 'file', ctx.actor.userId)
    const version = await nextFileVersion(trx, mount.id)
    const now = ctx.now()
    const row = await insertFile(trx, {
      mountId: mount.id,
      version,
      fileName,
      contentType: part.mimetype || null,
      sizeBytes: size,
      sm3,
      content,
      createdBy: ctx.actor.userId,
      createdAt: now,
    })
    await updateMount(trx, mount.id, { lastDataTime: now, updatedAt: now })
    await recordAudit(trx, ctx, {
      action: 'mounts.file.upload',
      objectType: 'resource',
      objectId: entry.resourceId,
      detail: { mountId: mount.id, version, fileName, size, sm3 },
    })
    return presentFileVersion(row)
  })
}

/** POST …/mounts/api: registers (or re-registers) the upstream API the gateway will proxy. */
export async function registerApi(ctx: Ctx, resourceId: string, body: RegisterApiBody): Promise<MountOut> {
  const entry = await entryToMount(ctx, resourceId, 'mounts.api.register')
  // SSRF: only hosts on the security administrator's allow-list, never loopback, link-local or metadata.
  await assertUpstreamAllowed(ctx.db, ctx.config, body.upstreamUrl)
  const registered = await ctx.db.transaction().execute(async (trx) => {
    const { mount } = await ensureMount(trx, entry.resourceId, 'api', ctx.actor.userId)
    const now = ctx.now()
    await updateMount(trx, mount.id, {
      upstreamUrl: body.upstreamUrl,
      upstreamMethod: body.method,
      upstreamParams: JSON.stringify(body.params),
      timeoutMs: body.timeoutMs,
      updatedAt: now,
    })
    // The URL may carry internal addresses: the audit records that it changed, not what it is.
    await recordAudit(trx, ctx, {
      action: 'mounts.api.register',
      objectType: 'resource',
      objectId: entry.resourceId,
      detail: { mountId: mount.id, method: body.method, params: body.params.map((p) => p.name), timeoutMs: body.timeoutMs },
    })
    const saved = await trx.selectFrom('mounts').selectAll().where('id', '=', mount.id).executeTakeFirstOrThrow()
    return presentMount(saved, { internals: true, rejections: false, batches: [], files: [], restorable: null })
  })
  mountsChanged()
  return registered
}

const DAY_MS = 86_400_000

/** Until when a batch replaced at `replacedAt` may be restored (parameter mounts.restoreDays, read now). */
async function keptUntil(db: Executor, replacedAt: Date): Promise<Date> {
  return new Date(new Date(replacedAt).getTime() + (await numberParameter(db, 'mounts.restoreDays')) * DAY_MS)
}

/**
 * POST …/mounts/table/restore: serves the batch the last upload replaced again, within the period of
 * parameter mounts.restoreDays; the batch it replaces is kept in turn, so a restore can itself be undone.
 */
export async function restoreTableCommand(ctx: Ctx, resourceId: string): Promise<MountOut> {
  await entryToMount(ctx, resourceId, 'mounts.table.restore')
  const restored = await ctx.db.transaction().execute(async (trx) => {
    const mount = await lockMount(trx, resourceId, 'table')
    const [kept] = mount ? await keptBatches(trx, [mount.id]) : []
    const nothing = '没有可恢复的上一批次：尚未替换过数据，或上一批次已超过保留期被删除'
    if (!mount || !kept?.columns) throw invalidState(nothing)
    const until = await keptUntil(trx, kept.replacedAt!)
    const now = ctx.now()
    if (until < now || !(await managedTableExists(trx, qualifiedName(kept.tableName)))) throw invalidState(nothing)
    if (mount.activeBatchId) await updateBatch(trx, mount.activeBatchId, { status: 'replaced', replacedAt: now })
    await updateBatch(trx, kept.id, { status: 'active', replacedAt: null })
    await updateMount(trx, mount.id, {
      activeTable: qualifiedName(kept.tableName),
      activeBatchId: kept.id,
      columns: JSON.stringify(kept.columns),
      rowCount: kept.rowsLoaded,
      lastDataTime: kept.lastDataTime ?? kept.finishedAt,
      updatedAt: now,
    })
    await recordAudit(trx, ctx, {
      action: 'mounts.table.restore',
      objectType: 'resource',
      objectId: resourceId,
      detail: {
        mountId: mount.id,
        batchId: kept.id,
        fileName: kept.fileName,
        rows: Number(kept.rowsLoaded),
        replacedBatchId: mount.activeBatchId,
        rowsBefore: Number(mount.rowCount),
      },
    })
    return mount.id
  })
  mountsChanged()
  const { items } = await listResourceMounts(ctx, resourceId)
  return items.find((m) => m.id === restored)!
}

/** GET …/mounts: every mount of an entry the actor can see; internals only for the provider and the authority. */
export async function listResourceMounts(ctx: Ctx, resourceId: string): Promise<{ items: MountOut[] }> {
  const entry = await visibleEntry(ctx, resourceId)
  const mounts = await listMounts(ctx.db, resourceId)
  const [batches, files] = await Promise.all([
    recentBatches(
      ctx.db,
      mounts.filter((m) => m.kind === 'table').map((m) => m.id),
      BATCHES_SHOWN,
    ),
    listFileVersions(
      ctx.db,
      mounts.filter((m) => m.kind === 'file').map((m) => m.id),
    ),
  ])
  const internals = can(ctx.actor, 'mounts.internals.read', entry)
  const rejections = can(ctx.actor, 'mounts.batch.rejections.read', { providerOrgId: entry.providerOrgId })
  const kept = internals
    ? await keptBatches(
        ctx.db,
        mounts.filter((m) => m.kind === 'table').map((m) => m.id),
      )
    : []
  const now = ctx.now()
  const restorable = new Map<string, { batchId: string; fileName: string | null; rows: number; replacedAt: Date; until: Date }>()
  for (const batch of kept) {
    const until = await keptUntil(ctx.db, batch.replacedAt!)
    if (until >= now && batch.columns && !restorable.has(batch.mountId)) {
      restorable.set(batch.mountId, {
        batchId: batch.id,
        fileName: batch.fileName,
        rows: Number(batch.rowsLoaded),
        replacedAt: new Date(batch.replacedAt!),
        until,
      })
    }
  }
  return {
    items: mounts.map((mount) =>
      presentMount(mount, {
        internals,
        rejections,
        batches: batches.filter((b) => b.mountId === mount.id),
        files: files.filter((f) => f.mountId === mount.id),
        restorable: restorable.get(mount.id) ?? null,
      }),
    ),
  }
}

/** GET …/mounts/files: the file versions of an entry the actor can see (no content). */
export async function listResourceFiles(ctx: Ctx, resourceId: string): Promise<{ items: FileVersionOut[] }> {
  await visibleEntry(ctx, resourceId)
  const mounts = await listMounts(ctx.db, resourceId)
  const files = await listFileVersions(
    ctx.db,
    mounts.filter((m) => m.kind === 'file').map((m) => m.id),
  )
  return { items: files.map(presentFileVersion) }
}

/**
 * A batch fed by a front-end node (the exchange module): the node's CSV stream, loaded, checked, sealed and
 * swapped in exactly like an upload. The caller (the exchange) has checked that the node belongs to the
 * provider; `ctx.actor` is the user who set up the feed, on whose behalf the node loads.
 */
export async function loadFedTable(ctx: Ctx, env: LoaderEnv, resourceId: string, csv: Readable, fileName: string, limitBytes: number, feed: FeedOptions) {
  const row = await findVisibleResource(ctx.db, resourceId, ctx.actor)
  if (!row || row.providerOrgId !== ctx.actor.orgId) throw notFound('目录')
  if (ctx.config.networkZone === 'extranet' && (row.secret || row.items.some((item) => item.secret))) {
    throw new AppError(403, 'SECRET_ON_EXTRANET', '本平台为政务外网实例，不得挂接涉密信息资源或涉密信息项的数据')
  }
  const entry: OwnedEntry = { resourceId, providerOrgId: row.providerOrgId, items: row.items }
  async function* parts() {
    yield { type: 'file', fieldname: 'file', filename: fileName, file: csv } as unknown as Multipart
  }
  const loaded = await loadUploadedTable(ctx, env, entry, parts(), limitBytes, feed)
  if ('preview' in loaded) throw new Error('a fed batch is never a dry run')
  return loaded
}
