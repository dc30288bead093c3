import type { Insertable } from 'kysely'
import type { Executor } from '../../../platform/db/database.ts'
import type { FileDownloadsTable } from '../../../platform/db/schema.ts'

export const insertDownload = (db: Executor, row: Insertable<FileDownloadsTable>) => db.insertInto('fileDownloads').values(row).execute()

/** Downloads with the names a reader needs (the resource name comes from the version the grant was made on). */
function downloadsWithNames(db: Executor) {
  return db
    .selectFrom('fileDownloads as d')
    .innerJoin('orgs as c', 'c.id', 'd.consumerOrgId')
    .innerJoin('orgs as p', 'p.id', 'd.providerOrgId')
    .leftJoin('users as u', 'u.id', 'd.userId')
    .innerJoin('resourceVersions as v', (join) => join.onRef('v.resourceId', '=', 'd.resourceId').on('v.isLatest', '=', true))
    .select([
      'd.id',
      'd.grantId',
      'd.resourceId',
      'v.name as resourceName',
      'c.name as consumerOrgName',
      'p.name as providerOrgName',
      'd.consumerOrgId',
      'd.providerOrgId',
      'u.name as userName',
      'd.fileName',
      'd.fileVersion',
      'd.purpose',
      'd.businessRef',
      'd.markKind',
      'd.deliveredSm3',
      'd.at',
    ])
}

export const findDownload = (db: Executor, id: string) => downloadsWithNames(db).where('d.id', '=', id).executeTakeFirst()

export const listDownloadsOfGrant = (db: Executor, grantId: string, limit: number) =>
  downloadsWithNames(db).where('d.grantId', '=', grantId).orderBy('d.at', 'desc').orderBy('d.id').limit(limit).execute()
