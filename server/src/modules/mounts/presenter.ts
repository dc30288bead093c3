import type { BatchRow, FileVersionRow, MountRow } from './queries.ts'
import type { FileVersionOut, MountOut } from './schemas.ts'

export function presentFileVersion(row: FileVersionRow): FileVersionOut {
  return {
    mountId: row.mountId,
    version: row.version,
    fileName: row.fileName,
    contentType: row.contentType,
    size: Number(row.sizeBytes),
    sm3: row.sm3,
    createdBy: row.createdBy,
    createdAt: new Date(row.createdAt),
  }
}

const presentBatch = (row: BatchRow, rejections: boolean) => ({
  id: row.id,
  status: row.status,
  fileName: row.fileName,
  encoding: row.encoding,
  rowsLoaded: Number(row.rowsLoaded),
  rowsRejected: Number(row.rowsRejected),
  ...(rejections && { rejectedSample: row.rejectedSample }),
  startedAt: new Date(row.startedAt),
  finishedAt: row.finishedAt ? new Date(row.finishedAt) : null,
  createdBy: row.createdBy,
})

/**
 * A mount as the API shows it. `internals` (the provider and the authority) adds the managed
 * table name, the column mapping and the upstream URL; nobody else ever gets them. `rejections`
 * (policy action mounts.batch.rejections.read) adds the refused rows of each batch, which quote cell values.
 */
export function presentMount(
  row: MountRow,
  extra: { internals: boolean; rejections: boolean; batches: BatchRow[]; files: FileVersionRow[]; restorable: MountOut['restorable'] },
): MountOut {
  const live =
    row.status === 'active' && (row.kind === 'table' ? row.activeBatchId !== null : row.kind === 'file' ? extra.files.length > 0 : row.upstreamUrl !== null)
  const base: MountOut = {
    id: row.id,
    resourceId: row.resourceId,
    kind: row.kind,
    status: row.status,
    live,
    rowCount: Number(row.rowCount),
    lastDataTime: row.lastDataTime ? new Date(row.lastDataTime) : null,
    activeBatchId: row.activeBatchId,
    createdAt: new Date(row.createdAt),
    updatedAt: new Date(row.updatedAt),
  }
  if (row.kind === 'table') {
    return {
      ...base,
      ...(extra.internals ? { tableName: row.activeTable, columns: row.columns, restorable: extra.restorable ?? null } : {}),
      batches: extra.batches.map((batch) => presentBatch(batch, extra.rejections)),
    }
  }
  if (row.kind === 'file') return { ...base, files: extra.files.map(presentFileVersion) }
  return {
    ...base,
    ...(extra.internals ? { upstreamUrl: row.upstreamUrl } : {}),
    method: row.upstreamMethod,
    params: row.upstreamParams,
    timeoutMs: row.timeoutMs,
  }
}
