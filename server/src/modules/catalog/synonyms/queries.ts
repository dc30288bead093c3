import type { Executor } from '../../../platform/db/database.ts'

export const listSynonymRows = (db: Executor) =>
  db
    .selectFrom('searchSynonyms as s')
    .leftJoin('users as u', 'u.id', 's.updatedBy')
    .select(['s.term', 's.expansions', 's.updatedAt', 'u.name as updatedByName'])
    .orderBy('s.term')
    .execute()

export const findSynonymRow = (db: Executor, term: string) =>
  db
    .selectFrom('searchSynonyms as s')
    .leftJoin('users as u', 'u.id', 's.updatedBy')
    .select(['s.term', 's.expansions', 's.updatedAt', 'u.name as updatedByName'])
    .where('s.term', '=', term)
    .executeTakeFirst()

export const lockSynonym = (db: Executor, term: string) =>
  db.selectFrom('searchSynonyms').select(['term', 'expansions']).where('term', '=', term).forUpdate().executeTakeFirst()

export const upsertSynonym = (db: Executor, row: { term: string; expansions: string[]; updatedBy: string; updatedAt: Date }) =>
  db
    .insertInto('searchSynonyms')
    .values(row)
    .onConflict((oc) => oc.column('term').doUpdateSet({ expansions: row.expansions, updatedBy: row.updatedBy, updatedAt: row.updatedAt }))
    .execute()

export const deleteSynonym = (db: Executor, term: string) => db.deleteFrom('searchSynonyms').where('term', '=', term).execute()

/** The expansions of those of `terms` that are listed (primary-key lookups: one per search). */
export async function expansionsOf(db: Executor, terms: readonly string[]): Promise<Map<string, string[]>> {
  if (terms.length === 0) return new Map()
  const rows = await db
    .selectFrom('searchSynonyms')
    .select(['term', 'expansions'])
    .where('term', 'in', [...terms])
    .execute()
  return new Map(rows.map((row) => [row.term, row.expansions]))
}
