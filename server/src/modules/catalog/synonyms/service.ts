import { recordAudit } from '../../../platform/audit/record.ts'
import { authorize } from '../../../platform/auth/policy.ts'
import type { Ctx } from '../../../platform/context.ts'
import { fieldError, notFound } from '../../../platform/http/errors.ts'
import { deleteSynonym, findSynonymRow, listSynonymRows, lockSynonym, upsertSynonym } from './queries.ts'
import type { SynonymBody, SynonymOut } from './schemas.ts'

type Row = NonNullable<Awaited<ReturnType<typeof findSynonymRow>>>
const present = (row: Row): SynonymOut => ({ ...row, updatedAt: new Date(row.updatedAt) })

/** GET /catalog/search-synonyms */
export async function listSynonyms(ctx: Ctx): Promise<{ items: SynonymOut[] }> {
  return { items: (await listSynonymRows(ctx.db)).map(present) }
}

/** PUT /catalog/search-synonyms/:term: adds an abbreviation or replaces its expansions, audited with both lists. */
export async function saveSynonym(ctx: Ctx, term: string, body: SynonymBody): Promise<SynonymOut> {
  authorize(ctx.actor, 'catalog.synonym.update')
  const expansions = [...new Set(body.expansions)]
  // Expanding a term to itself adds nothing and hides a typo in the list.
  if (expansions.includes(term)) throw fieldError('expansions', `对应的全称不能与简称「${term}」相同`)
  return ctx.db.transaction().execute(async (trx) => {
    const before = await lockSynonym(trx, term)
    await upsertSynonym(trx, { term, expansions, updatedBy: ctx.actor.userId, updatedAt: ctx.now() })
    await recordAudit(trx, ctx, {
      action: 'catalog.synonym.update',
      objectType: 'search_synonym',
      objectId: term,
      detail: { term, before: before?.expansions ?? null, after: expansions },
    })
    return present((await findSynonymRow(trx, term))!)
  })
}

/** DELETE /catalog/search-synonyms/:term */
export async function removeSynonym(ctx: Ctx, term: string): Promise<SynonymOut> {
  authorize(ctx.actor, 'catalog.synonym.remove')
  return ctx.db.transaction().execute(async (trx) => {
    if (!(await lockSynonym(trx, term))) throw notFound('同义词')
    const row = (await findSynonymRow(trx, term))!
    await deleteSynonym(trx, term)
    await recordAudit(trx, ctx, { action: 'catalog.synonym.remove', objectType: 'search_synonym', objectId: term, detail: { term, before: row.expansions } })
    return present(row)
  })
}
