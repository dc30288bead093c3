import { randomUUID } from 'node:crypto'
import { recordAudit } from '../../../platform/audit/record.ts'
import { authorizeLoaded } from '../../../platform/auth/policy.ts'
import { beijingDateOf } from '../../../platform/calendar/dates.ts'
import type { Ctx } from '../../../platform/context.ts'
import { sm3Hex } from '../../../platform/crypto/sm3.ts'
import { AppError, fieldError, notFound } from '../../../platform/http/errors.ts'
import { fileVersions, latestFile } from '../../mounts/index.ts'
import { type GrantView, findGrantView, recordGrantUsage } from '../../sharing/index.ts'
import { markFile } from './mark.ts'
import { findDownload, insertDownload, listDownloadsOfGrant } from './queries.ts'
import type { DownloadOut, DownloadQuery, GrantFileOut } from './schemas.ts'

const STATUS_WORDS: Record<string, string> = { revoked: '已撤销', suspended: '已暂停', expired: '已过期' }

/** An active 文件 grant within its validity today, or the refusal the consumer sees. */
function assertDownloadable(grant: GrantView, today: string) {
  if (grant.mode !== 'file') throw new AppError(409, 'NOT_DELIVERABLE', '该授权不是文件方式，不能下载文件')
  if (grant.status !== 'active') throw new AppError(403, 'GRANT_INACTIVE', `授权${STATUS_WORDS[grant.status] ?? '已失效'}，不能下载文件`)
  if (String(grant.validFrom) > today) throw new AppError(403, 'GRANT_INACTIVE', `授权自 ${grant.validFrom} 起生效，尚不能下载文件`)
  if (String(grant.validUntil) < today) throw new AppError(403, 'GRANT_INACTIVE', '授权已过期，不能下载文件')
}

/** GET /grants/:id/files: the versions of a 文件 grant's file (both parties and the authority; no content). */
export async function listGrantFiles(ctx: Ctx, grantId: string): Promise<{ items: GrantFileOut[] }> {
  const grant = authorizeLoaded(ctx.actor, 'exchange.download.list', await findGrantView(ctx.db, grantId), '授权')
  if (grant.mode !== 'file') return { items: [] }
  const files = await fileVersions(ctx.db, grant.resourceId)
  return { items: files.map((f) => ({ id: f.id, version: f.version, fileName: f.fileName, size: f.size, sm3: f.sm3, createdAt: f.createdAt.toISOString() })) }
}

/**
 * GET /grants/:id/files/:fileId/download: a marked copy of one version of the grant's file (SPEC §6.7,
 * §8.3 S11). The download row, the usage record and the audit event are written in one transaction
 * before a byte leaves, so there is no copy without its log.
 */
export async function downloadGrantFile(ctx: Ctx, grantId: string, fileId: string, body: DownloadQuery) {
  const grant = authorizeLoaded(ctx.actor, 'exchange.file.download', await findGrantView(ctx.db, grantId), '授权')
  const now = ctx.now()
  assertDownloadable(grant, beijingDateOf(now))
  const purpose = body.purpose
  if (!purpose) throw fieldError('purpose', '请填写本次下载的用途')
  // Looked up under the grant's entry: a file id of another entry is not found, whatever it names.
  const file = await latestFile(ctx.db, grant.resourceId, fileId)
  if (!file) throw notFound('文件')
  const downloadId = randomUUID()
  const marked = await markFile(file.fileName, file.content, { downloadId, consumerName: grant.consumerName, userName: ctx.actor.name, at: now })
  await ctx.db.transaction().execute(async (trx) => {
    // Read again inside the transaction: a revocation that landed while the copy was being marked wins.
    const current = await findGrantView(trx, grantId)
    if (!current) throw notFound('授权')
    assertDownloadable(current, beijingDateOf(now))
    await insertDownload(trx, {
      id: downloadId,
      grantId,
      resourceId: grant.resourceId,
      providerOrgId: grant.providerOrgId,
      consumerOrgId: grant.consumerOrgId,
      userId: ctx.actor.userId,
      mountId: file.mountId,
      fileVersion: file.version,
      fileName: file.fileName,
      sourceSm3: file.sm3,
      deliveredSm3: sm3Hex(marked.content),
      markKind: marked.kind,
      purpose,
      businessRef: body.businessRef || null,
      at: now,
    })
    // A download counts as one use of the grant in the usage figures (R-9, SPEC §8.4 S13).
    await recordGrantUsage(trx, { grantId, at: now, userId: ctx.actor.userId, purpose, rows: 0, businessRef: body.businessRef || null })
    await recordAudit(trx, ctx, {
      action: 'exchange.file.download',
      objectType: 'file_download',
      objectId: downloadId,
      grantId,
      detail: {
        resourceId: grant.resourceId,
        fileName: file.fileName,
        fileVersion: file.version,
        markKind: marked.kind,
        purpose,
        businessRef: body.businessRef ?? null,
      },
    })
  })
  return { downloadId, fileName: file.fileName, contentType: file.contentType, content: marked.content }
}

const present = (row: NonNullable<Awaited<ReturnType<typeof findDownload>>>): DownloadOut => ({
  id: row.id,
  grantId: row.grantId,
  resourceId: row.resourceId,
  resourceName: row.resourceName,
  consumerOrgName: row.consumerOrgName,
  providerOrgName: row.providerOrgName,
  userName: row.userName,
  fileName: row.fileName,
  fileVersion: row.fileVersion,
  purpose: row.purpose,
  businessRef: row.businessRef,
  markKind: row.markKind,
  deliveredSm3: row.deliveredSm3,
  at: new Date(row.at).toISOString(),
})

/** GET /grants/:id/file-downloads: the grant's download log, newest first (both parties and the authority). */
export async function listGrantDownloads(ctx: Ctx, grantId: string, limit: number): Promise<{ items: DownloadOut[] }> {
  authorizeLoaded(ctx.actor, 'exchange.download.list', await findGrantView(ctx.db, grantId), '授权')
  return { items: (await listDownloadsOfGrant(ctx.db, grantId, limit)).map(present) }
}

/** GET /exchange/downloads/:id: who took the copy that carries this download id (the provider and the authority). */
export async function traceDownload(ctx: Ctx, downloadId: string): Promise<DownloadOut> {
  const row = authorizeLoaded(ctx.actor, 'exchange.download.trace', await findDownload(ctx.db, downloadId), '下载记录')
  await ctx.db
    .transaction()
    .execute((trx) => recordAudit(trx, ctx, { action: 'exchange.download.trace', objectType: 'file_download', objectId: downloadId, grantId: row.grantId }))
  return present(row)
}
