import type { Executor } from '../../platform/db/database.ts'
import { containsPattern } from '../../platform/db/like.ts'
import { pageOffset } from '../../platform/http/pagination.ts'
import type { OrgListQuery } from './schemas.ts'

const orgColumns = ['id', 'name', 'shortName', 'code', 'regionCode', 'parentId', 'kind', 'orgType', 'status'] as const

export const findOrg = (db: Executor, id: string) => db.selectFrom('orgs').select(orgColumns).where('id', '=', id).executeTakeFirst()

export const findOrgByName = (db: Executor, name: string) => db.selectFrom('orgs').select(orgColumns).where('name', '=', name).executeTakeFirst()

export async function listOrgs(db: Executor, query: OrgListQuery) {
  const base = db
    .selectFrom('orgs')
    .$if(!!query.kind, (qb) => qb.where('kind', '=', query.kind!))
    .$if(!!query.regionCode, (qb) => qb.where('regionCode', '=', query.regionCode!))
    .$if(!!query.parentId, (qb) => qb.where('parentId', '=', query.parentId!))
    .$if(!!query.q, (qb) => qb.where('name', 'ilike', containsPattern(query.q!)))
  const [items, total] = await Promise.all([
    base.select(orgColumns).orderBy('regionCode').orderBy('kind').orderBy('name').limit(query.pageSize).offset(pageOffset(query)).execute(),
    base.select((eb) => eb.fn.countAll<number>().as('n')).executeTakeFirstOrThrow(),
  ])
  return { items, total: total.n }
}
