import { type Insertable, type Selectable, type Updateable, sql } from 'kysely'
import type { Scope } from '../../../../common/policy/index.ts'
import type { Executor } from '../../platform/db/database.ts'
import { scopeWhere } from '../../platform/db/scope.ts'
import type { GrantsTable, ShareRequestEventsTable, ShareRequestsTable } from '../../platform/db/schema.ts'
import { pageOffset } from '../../platform/http/pagination.ts'
import type { GrantListQuery, RequestListQuery } from './schemas.ts'

export type ShareRequestRow = Selectable<ShareRequestsTable>
export type GrantRow = Selectable<GrantsTable>

const requestsWithNames = (db: Executor) =>
  db
    .selectFrom('shareRequests as s')
    .innerJoin('resourceVersions as v', (join) => join.onRef('v.resourceId', '=', 's.resourceId').onRef('v.version', '=', 's.resourceVersion'))
    .innerJoin('orgs as p', 'p.id', 's.providerOrgId')
    .innerJoin('orgs as q', 'q.id', 's.requesterOrgId')

const requestColumns = ['v.name as resourceName', 'v.items as versionItems', 'p.name as providerName', 'q.name as requesterOrgName'] as const

export type ShareRequestView = ShareRequestRow & {
  resourceName: string
  versionItems: { id: string; name: string; nameEn: string | null; shareType: number }[]
  providerName: string
  requesterOrgName: string
}

export const findRequestView = (db: Executor, id: string) =>
  requestsWithNames(db).selectAll('s').select(requestColumns).where('s.id', '=', id).executeTakeFirst() as Promise<ShareRequestView | undefined>

export const lockRequest = (db: Executor, id: string) => db.selectFrom('shareRequests').selectAll().where('id', '=', id).forUpdate().executeTakeFirst()

export const insertRequest = (db: Executor, row: Insertable<ShareRequestsTable>) =>
  db.insertInto('shareRequests').values(row).returning('id').executeTakeFirstOrThrow()

export const updateRequest = (db: Executor, id: string, patch: Updateable<ShareRequestsTable>) =>
  db
    .updateTable('shareRequests')
    .set({ ...patch, updatedAt: sql`now()` })
    .where('id', '=', id)
    .execute()

export const insertRequestEvent = (db: Executor, row: Insertable<ShareRequestEventsTable>) => db.insertInto('shareRequestEvents').values(row).execute()

export const listRequestEvents = (db: Executor, requestId: string) =>
  db
    .selectFrom('shareRequestEvents as e')
    .leftJoin('users as u', 'u.id', 'e.actorId')
    .select(['e.at', 'e.actorId', 'u.name as actorName', 'e.action', 'e.fromStatus', 'e.toStatus', 'e.comment'])
    .where('e.requestId', '=', requestId)
    .orderBy('e.id')
    .execute()

/** Next request number of a Beijing day: SQ{yyyyMMdd}{0001}. Serialized per day by an advisory lock. */
export async function nextRequestNo(db: Executor, day: string): Promise<string> {
  const prefix = `SQ${day.replaceAll('-', '')}`
  await sql`select pg_advisory_xact_lock(hashtext(${prefix}))`.execute(db)
  const row = await db
    .selectFrom('shareRequests')
    .select((eb) => eb.fn.countAll<number>().as('n'))
    .where('no', 'like', `${prefix}%`)
    .executeTakeFirstOrThrow()
  return `${prefix}${String(row.n + 1).padStart(4, '0')}`
}

/** Requests within the actor's scope (policy `sharing.request.read`), narrowed by the box: mine, incoming or all I see. */
export async function listRequests(db: Executor, orgId: string, scope: Scope, query: RequestListQuery) {
  const base = requestsWithNames(db)
    .where(scopeWhere(scope, { requesterOrgId: sql.ref('s.requesterOrgId'), providerOrgId: sql.ref('s.providerOrgId') }))
    .$if(query.box === 'mine', (qb) => qb.where('s.requesterOrgId', '=', orgId))
    .$if(query.box === 'incoming', (qb) => qb.where('s.providerOrgId', '=', orgId))
    .$if(!!query.status, (qb) => qb.where('s.status', '=', query.status!))
    .$if(!!query.resourceId, (qb) => qb.where('s.resourceId', '=', query.resourceId!))
  const [items, total] = await Promise.all([
    base.selectAll('s').select(requestColumns).orderBy('s.createdAt', 'desc').orderBy('s.id').limit(query.pageSize).offset(pageOffset(query)).execute(),
    base.select((eb) => eb.fn.countAll<number>().as('n')).executeTakeFirstOrThrow(),
  ])
  return { items: items as ShareRequestView[], total: total.n }
}

const grantsWithNames = (db: Executor) =>
  db
    .selectFrom('grants as g')
    .innerJoin('resources as r', 'r.id', 'g.resourceId')
    .innerJoin('resourceVersions as v', (join) => join.onRef('v.resourceId', '=', 'g.resourceId').on('v.isLatest', '=', true))
    .innerJoin('orgs as p', 'p.id', 'g.providerOrgId')
    .innerJoin('orgs as c', 'c.id', 'g.consumerOrgId')

const grantColumns = ['v.name as resourceName', 'v.items as versionItems', 'p.name as providerName', 'c.name as consumerName'] as const

export type GrantView = GrantRow & {
  resourceName: string
  versionItems: { id: string; name: string; nameEn: string | null }[]
  providerName: string
  consumerName: string
}

export const findGrantView = (db: Executor, id: string) =>
  grantsWithNames(db).selectAll('g').select(grantColumns).where('g.id', '=', id).executeTakeFirst() as Promise<GrantView | undefined>

export const lockGrant = (db: Executor, id: string) => db.selectFrom('grants').selectAll().where('id', '=', id).forUpdate().executeTakeFirst()

export const insertGrant = (db: Executor, row: Insertable<GrantsTable>) => db.insertInto('grants').values(row).returning('id').executeTakeFirstOrThrow()

export const updateGrant = (db: Executor, id: string, patch: Updateable<GrantsTable>) =>
  db
    .updateTable('grants')
    .set({ ...patch, updatedAt: sql`now()` })
    .where('id', '=', id)
    .execute()

export const listGrantEvents = (db: Executor, grantId: string) =>
  db.selectFrom('grantEvents').select(['at', 'kind', 'resourceVersion', 'itemIds', 'text']).where('grantId', '=', grantId).orderBy('id').execute()

export const findOpenReconfirmation = (db: Executor, grantId: string) =>
  db
    .selectFrom('grantReconfirmations')
    .select(['id', 'itemIds', 'dueDate', 'resourceVersion'])
    .where('grantId', '=', grantId)
    .where('status', '=', 'open')
    .executeTakeFirst()

/** Grants within the actor's scope (policy `sharing.grant.read`), narrowed by the box: mine, provided or all I see. */
export async function listGrants(db: Executor, orgId: string, scope: Scope, query: GrantListQuery) {
  const base = grantsWithNames(db)
    .where(scopeWhere(scope, { consumerOrgId: sql.ref('g.consumerOrgId'), providerOrgId: sql.ref('g.providerOrgId') }))
    .$if(query.box === 'mine', (qb) => qb.where('g.consumerOrgId', '=', orgId))
    .$if(query.box === 'provided', (qb) => qb.where('g.providerOrgId', '=', orgId))
    .$if(!!query.status, (qb) => qb.where('g.status', '=', query.status!))
    .$if(!!query.resourceId, (qb) => qb.where('g.resourceId', '=', query.resourceId!))
  const [items, total] = await Promise.all([
    base.selectAll('g').select(grantColumns).orderBy('g.createdAt', 'desc').orderBy('g.id').limit(query.pageSize).offset(pageOffset(query)).execute(),
    base.select((eb) => eb.fn.countAll<number>().as('n')).executeTakeFirstOrThrow(),
  ])
  return { items: items as GrantView[], total: total.n }
}

/** The consumer's usable grant for a resource on a day: active and within its validity. Newest first. */
export const findUsableGrant = (db: Executor, consumerOrgId: string, resourceId: string, today: string) =>
  db
    .selectFrom('grants')
    .selectAll()
    .where('consumerOrgId', '=', consumerOrgId)
    .where('resourceId', '=', resourceId)
    .where('status', '=', 'active')
    .where('validFrom', '<=', today)
    .where('validUntil', '>=', today)
    .orderBy('createdAt', 'desc')
    .limit(1)
    .executeTakeFirst()

/** The consumer's most recent grant for a resource whatever its state (to tell NO_GRANT from GRANT_INACTIVE). */
export const findLatestGrant = (db: Executor, consumerOrgId: string, resourceId: string) =>
  db
    .selectFrom('grants')
    .selectAll()
    .where('consumerOrgId', '=', consumerOrgId)
    .where('resourceId', '=', resourceId)
    .orderBy('createdAt', 'desc')
    .limit(1)
    .executeTakeFirst()

/**
 * One query for a gateway call by an app: the usable grant for the resource on `today` that names the
 * app (SPEC §7.6) when there is one; else the grant that explains the refusal: a usable grant of
 * another app of the organisation (APP_NOT_GRANTED), or the most recent grant whatever its state
 * (GRANT_INACTIVE), or none (NO_GRANT).
 */
export async function findGrantForCall(db: Executor, consumerOrgId: string, resourceId: string, today: string, appId: string) {
  const usableSql = sql<boolean>`status = 'active' and valid_from <= ${today} and valid_until >= ${today}`
  const row = await db
    .selectFrom('grants')
    .selectAll()
    .select(usableSql.as('usable'))
    .select(sql<boolean>`${appId}::uuid = any(app_ids)`.as('forApp'))
    .where('consumerOrgId', '=', consumerOrgId)
    .where('resourceId', '=', resourceId)
    .orderBy(sql`${usableSql} and ${appId}::uuid = any(app_ids)`, 'desc')
    .orderBy('usable', 'desc')
    .orderBy('createdAt', 'desc')
    .limit(1)
    .executeTakeFirst()
  if (!row) return { usable: undefined, latest: undefined, otherApp: false }
  const { usable, forApp, ...grant } = row
  if (usable && forApp) return { usable: grant, latest: grant, otherApp: false }
  return { usable: undefined, latest: grant, otherApp: usable }
}
