import type { Insertable } from 'kysely'
import type { Executor } from '../../platform/db/database.ts'
import type { UpstreamHostsTable } from '../../platform/db/schema.ts'

const withCreator = (db: Executor) =>
  db
    .selectFrom('upstreamHosts as h')
    .leftJoin('users as u', 'u.id', 'h.createdBy')
    .select(['h.id', 'h.host', 'h.port', 'h.note', 'h.createdAt', 'u.name as createdByName'])

export const listUpstreamHostRows = (db: Executor) => withCreator(db).orderBy('h.host').orderBy('h.port').execute()

export const findUpstreamHostRow = (db: Executor, id: string) => withCreator(db).where('h.id', '=', id).executeTakeFirst()

/** The entries as the rules read them. */
export const listUpstreamHostEntries = (db: Executor) => db.selectFrom('upstreamHosts').select(['host', 'port']).execute()

/** Inserts an entry; undefined when the same host and port is already listed. */
export const insertUpstreamHost = (db: Executor, row: Insertable<UpstreamHostsTable>) =>
  db
    .insertInto('upstreamHosts')
    .values(row)
    .onConflict((oc) => oc.doNothing())
    .returning('id')
    .executeTakeFirst()

export const lockUpstreamHost = (db: Executor, id: string) => db.selectFrom('upstreamHosts').selectAll().where('id', '=', id).forUpdate().executeTakeFirst()

export const deleteUpstreamHost = (db: Executor, id: string) => db.deleteFrom('upstreamHosts').where('id', '=', id).execute()
