import { randomUUID } from 'node:crypto'
import { appendAudit } from '../../../platform/audit/chain.ts'
import type { CheckpointSigner } from '../../../platform/audit/checkpoint-signer.ts'
import type { Db } from '../../../platform/db/database.ts'
import { TRANSFER_FORMAT, type TransferEntry, type TransferEnvelope, type TransferPayload, TransferRefused, openTransfer } from './transfer-file.ts'

const cliSource = (at: Date) => ({ actorId: null, orgId: null, roles: ['CLI'], ip: null, requestId: null, at })

/**
 * The 外网 instance's published catalog without anything 涉密 (SPEC §8.1): 涉密 entries are left out
 * whole, 涉密 items are left out of the entries that carry them.
 */
async function publishedCatalog(db: Db): Promise<TransferEntry[]> {
  const rows = await db
    .selectFrom('resourceVersions as v')
    .innerJoin('resources as r', 'r.id', 'v.resourceId')
    .innerJoin('orgs as o', 'o.id', 'v.providerOrgId')
    .select([
      'v.resourceId',
      'v.version',
      'r.code',
      'v.name',
      'o.name as providerName',
      'v.classCode',
      'v.abstract',
      'v.shareType',
      'v.shareCondition',
      'v.shareModes',
      'v.openFlag',
      'v.updateCycle',
      'v.publishedAt',
      'v.items',
    ])
    .where('v.isPublished', '=', true)
    .where('v.secret', '=', false)
    .orderBy('r.code')
    .orderBy('v.resourceId')
    .execute()
  return rows.map((row) => ({
    resourceId: row.resourceId,
    version: row.version,
    code: row.code,
    name: row.name,
    providerName: row.providerName,
    classCode: row.classCode,
    abstract: row.abstract,
    shareType: row.shareType,
    shareCondition: row.shareCondition,
    shareModes: row.shareModes,
    openFlag: row.openFlag,
    updateCycle: row.updateCycle,
    secret: false,
    publishedAt: row.publishedAt ? new Date(row.publishedAt).toISOString() : null,
    items: row.items
      .filter((item) => !item.secret)
      .map((item) => ({
        id: item.id,
        name: item.name,
        nameEn: item.nameEn,
        dataType: item.dataType,
        length: item.length,
        shareType: item.shareType,
        shareCondition: item.shareCondition,
        sensitive: item.sensitive,
        secret: false,
        isPrimaryKey: item.isPrimaryKey,
        description: item.description ?? null,
      })),
  }))
}

/** Builds the signed export of the published catalog; the export itself is audited on this instance. */
export async function exportZoneCatalog(
  db: Db,
  signer: CheckpointSigner,
  options: { sourceInstance: string; now: Date },
): Promise<{ envelope: TransferEnvelope; payload: TransferPayload }> {
  const payload: TransferPayload = {
    exportId: randomUUID(),
    sourceInstance: options.sourceInstance,
    sourceZone: 'extranet',
    exportedAt: options.now.toISOString(),
    entries: await publishedCatalog(db),
  }
  const text = JSON.stringify(payload)
  const envelope: TransferEnvelope = {
    format: TRANSFER_FORMAT,
    algorithm: 'SM2-SM3',
    keyId: signer.keyId,
    payload: text,
    signature: signer.sign(Buffer.from(text, 'utf8')),
  }
  await appendAudit(db, cliSource(options.now), {
    action: 'exchange.zone.export',
    objectType: 'zone_export',
    objectId: payload.exportId,
    detail: { entries: payload.entries.length, keyId: signer.keyId },
  })
  return { envelope, payload }
}

export interface ZoneImportResult {
  exportId: string
  sourceInstance: string
  entries: number
  imported: number
  skipped: number
}

/**
 * Checks a transfer file (signature, schema, nothing 涉密) and imports it in one transaction: an export id
 * is imported once (a replayed file is refused), an entry version once (a later export that repeats it
 * skips it). A refused file is audited too, with the reason, and changes nothing else.
 */
export async function importZoneCatalog(db: Db, file: Buffer, trustedKeyPem: string, now: Date): Promise<ZoneImportResult> {
  try {
    const { envelope, payload, fileSm3 } = openTransfer(file, trustedKeyPem)
    return await db.transaction().execute(async (trx) => {
      // The export id row is written first and is the primary key: two imports of one file cannot both pass.
      const earlier = await trx.selectFrom('zoneImports').select(['importedAt']).where('exportId', '=', payload.exportId).forUpdate().executeTakeFirst()
      if (earlier)
        throw new TransferRefused(`导出文件（编号 ${payload.exportId}）已于 ${new Date(earlier.importedAt).toISOString()} 导入，不重复导入（可能是重放）`)
      await trx
        .insertInto('zoneImports')
        .values({
          exportId: payload.exportId,
          sourceInstance: payload.sourceInstance,
          keyId: envelope.keyId,
          exportedAt: payload.exportedAt,
          entries: payload.entries.length,
          imported: 0,
          skipped: 0,
          fileSm3,
        })
        .execute()
      let imported = 0
      for (const entry of payload.entries) {
        const inserted = await trx
          .insertInto('zoneCatalogEntries')
          .values({
            sourceInstance: payload.sourceInstance,
            sourceResourceId: entry.resourceId,
            version: entry.version,
            exportId: payload.exportId,
            code: entry.code,
            name: entry.name,
            providerName: entry.providerName,
            content: JSON.stringify(entry),
          })
          .onConflict((oc) => oc.columns(['sourceInstance', 'sourceResourceId', 'version']).doNothing())
          .returning('version')
          .executeTakeFirst()
        if (inserted) imported++
      }
      const skipped = payload.entries.length - imported
      await trx.updateTable('zoneImports').set({ imported, skipped }).where('exportId', '=', payload.exportId).execute()
      await appendAudit(trx, cliSource(now), {
        action: 'exchange.zone.import',
        objectType: 'zone_import',
        objectId: payload.exportId,
        detail: { sourceInstance: payload.sourceInstance, keyId: envelope.keyId, entries: payload.entries.length, imported, skipped, fileSm3 },
      })
      return { exportId: payload.exportId, sourceInstance: payload.sourceInstance, entries: payload.entries.length, imported, skipped }
    })
  } catch (error) {
    if (error instanceof TransferRefused) {
      await appendAudit(db, cliSource(now), { action: 'exchange.zone.import', result: 'denied', objectType: 'zone_import', detail: { reason: error.message } })
    }
    throw error
  }
}
