import { type ExpressionBuilder, type Insertable, type Selectable, type SelectQueryBuilder, type Updateable, sql } from 'kysely'
import type { Actor } from '../../platform/auth/actor.ts'
import { scopeOf } from '../../platform/auth/policy.ts'
import type { NetworkZone } from '../../platform/config/config.ts'
import type { Executor } from '../../platform/db/database.ts'
import { containsPattern } from '../../platform/db/like.ts'
import type { Database, ResourceVersionsTable } from '../../platform/db/schema.ts'
import { pageOffset } from '../../platform/http/pagination.ts'
import type { MountSummaryOut, SearchQuery } from './schemas.ts'
import { type ParsedQuery, indexTokens } from './search/text.ts'

export type VersionRow = Selectable<ResourceVersionsTable>
export type NewVersion = Insertable<ResourceVersionsTable>

type VersionScope = ExpressionBuilder<Database & { v: ResourceVersionsTable }, 'v'>

/**
 * The one version of each entry this actor sees, from the policy's `catalog.resource.read` scope: the
 * latest version of the actor's own department's entries, the published version elsewhere. For a
 * scope of all (the authority, which reviews every department's submissions) another department's
 * entry shows its published version, or, never published, its latest version once submitted: a
 * department's unsubmitted draft stays private, and a submitted next version is listed beside the
 * published one (`latestStatus`), not in its place. `pendingReview` (the review queue) picks the
 * submitted versions themselves.
 */
export function visibleVersion(actor: Actor, options: { pendingReview?: boolean } = {}) {
  const scope = scopeOf(actor, 'catalog.resource.read')
  const ownOrgId = 'all' in scope ? actor.orgId : scope.anyOf.find((term) => term.field === 'providerOrgId')?.equals
  if (!('all' in scope) && scope.anyOf.some((term) => term.field !== 'providerOrgId' && term.field !== 'isPublished')) {
    throw new Error('catalog.resource.read: a scope term this query cannot express')
  }
  // Written as CASE, not as (own and latest) or (other and published): the planner turns the OR into a
  // BitmapOr over the partial indexes, ANDed with the search index, which costs more than it saves
  // (bench/catalog-search.ts: about half of a common search's time).
  return (eb: VersionScope) => {
    if (!('all' in scope)) {
      return sql<boolean>`case when ${eb.ref('v.providerOrgId')} = ${ownOrgId ?? null} then ${eb.ref('v.isLatest')} else ${eb.ref('v.isPublished')} end`
    }
    if (options.pendingReview) return eb('v.isLatest', '=', true)
    return sql<boolean>`case when ${eb.ref('v.providerOrgId')} = ${ownOrgId} then ${eb.ref('v.isLatest')}
      else ${eb.ref('v.isPublished')} or (${eb.ref('v.isLatest')} and ${eb.ref('v.status')} <> 'draft'
        and not exists (select 1 from resource_versions p where p.resource_id = ${eb.ref('v.resourceId')} and p.is_published)) end`
  }
}

/**
 * SPEC §5.4 rule 5, §8.1: on the 外网 instance a 涉密 entry, or one holding a 涉密 item, does not exist
 * for anyone: search, detail, export and requests all skip it (its data is refused by the gateway too).
 */
export function visibleInZone(zone: NetworkZone, entry: { secret: boolean; items: readonly { secret: boolean }[] }) {
  return zone !== 'extranet' || !(entry.secret || entry.items.some((item) => item.secret))
}

/** The same rule as a condition on `v` (resource_versions), for lists. */
export const inZone = (zone: NetworkZone) => (eb: VersionScope) =>
  zone === 'extranet'
    ? eb.not(eb.or([eb('v.secret', '=', true), sql<boolean>`jsonb_path_exists(${eb.ref('v.items')}, '$[*] ? (@.secret == true)')`]))
    : sql<boolean>`true`

/** Versions joined to their entry, provider and class (the context a list row shows). */
export const withContext = (db: Executor) =>
  db
    .selectFrom('resourceVersions as v')
    .innerJoin('resources as r', 'r.id', 'v.resourceId')
    .innerJoin('orgs as o', 'o.id', 'v.providerOrgId')
    .innerJoin('classNodes as c', 'c.code', 'v.classCode')

export const contextColumns = [
  'r.code',
  'r.publishedVersion',
  'r.latestVersion',
  'o.name as providerName',
  'o.code as providerCode',
  'c.name as className',
  // The status of the entry's newest version, which may be a submission waiting beside the published one.
  sql<string>`(select lv.status from resource_versions lv where lv.resource_id = v.resource_id and lv.is_latest)`.as('latestStatus'),
] as const

export type ResourceRow = Awaited<ReturnType<typeof findVisibleResource>> & object

export const findVisibleResource = (db: Executor, id: string, actor: Actor) =>
  withContext(db).selectAll('v').select(contextColumns).where('v.resourceId', '=', id).where(visibleVersion(actor)).executeTakeFirst()

export const findResourceVersion = (db: Executor, id: string, version: number) =>
  withContext(db).selectAll('v').select(contextColumns).where('v.resourceId', '=', id).where('v.version', '=', version).executeTakeFirst()

export const lockResource = (db: Executor, id: string) => db.selectFrom('resources').selectAll().where('id', '=', id).forUpdate().executeTakeFirst()

export const findVersion = (db: Executor, resourceId: string, version: number) =>
  db.selectFrom('resourceVersions').selectAll().where('resourceId', '=', resourceId).where('version', '=', version).executeTakeFirst()

/** The entry's most recent version before `version` that was ever published (superseded or withdrawn since). */
export const findLastPublishedBefore = (db: Executor, resourceId: string, version: number) =>
  db
    .selectFrom('resourceVersions')
    .select(['version', 'items'])
    .where('resourceId', '=', resourceId)
    .where('version', '<', version)
    .where('publishedAt', 'is not', null)
    .orderBy('version', 'desc')
    .limit(1)
    .executeTakeFirst()

export const insertResource = (db: Executor, providerOrgId: string) =>
  db.insertInto('resources').values({ providerOrgId, latestVersion: 1 }).returning('id').executeTakeFirstOrThrow()

/** `tokens` become the version's search vector (see search/text.ts). */
export const insertVersion = (db: Executor, row: Omit<NewVersion, 'searchVector'>, tokens: string[]) =>
  db
    .insertInto('resourceVersions')
    .values({ ...row, searchVector: sql`array_to_tsvector(${tokens}::text[])` })
    .returning('id')
    .executeTakeFirstOrThrow()

export const updateVersion = (db: Executor, id: string, patch: Updateable<ResourceVersionsTable>, tokens?: string[]) =>
  db
    .updateTable('resourceVersions')
    .set({ ...patch, ...(tokens ? { searchVector: sql`array_to_tsvector(${tokens}::text[])` } : {}) })
    .where('id', '=', id)
    .execute()

export const updateResource = (db: Executor, id: string, patch: Updateable<Database['resources']>) =>
  db.updateTable('resources').set(patch).where('id', '=', id).execute()

/** Another live entry of the same provider with this name (names are unique per provider, SPEC §5.1). */
export const findNameClash = (db: Executor, providerOrgId: string, name: string, exceptResourceId?: string) =>
  db
    .selectFrom('resourceVersions')
    .select('resourceId')
    .where('providerOrgId', '=', providerOrgId)
    .where('name', '=', name)
    .where('isLatest', '=', true)
    .where('status', '<>', 'withdrawn')
    .$if(!!exceptResourceId, (qb) => qb.where('resourceId', '<>', exceptResourceId!))
    .executeTakeFirst()

/** Next 顺序码 of a class; counters only grow, so a code is never reused (SPEC §4.2). */
export async function nextSequence(db: Executor, classCode: string): Promise<number> {
  const row = await db
    .insertInto('resourceCodeSequences')
    .values({ classCode, lastSeq: 1 })
    .onConflict((oc) => oc.column('classCode').doUpdateSet({ lastSeq: sql`resource_code_sequences.last_seq + 1` }))
    .returning('lastSeq')
    .executeTakeFirstOrThrow()
  return row.lastSeq
}

export const listVersions = (db: Executor, resourceId: string, includeUnpublished: boolean) =>
  db
    .selectFrom('resourceVersions as v')
    .leftJoin('users as u', 'u.id', 'v.changedBy')
    .select([
      'v.version',
      'v.status',
      'v.name',
      'v.changedBy',
      'u.name as changedByName',
      'v.changedAt',
      'v.changedFields',
      'v.reviewedBy',
      'v.reviewedAt',
      'v.reviewComment',
      'v.publishedAt',
    ])
    .where('v.resourceId', '=', resourceId)
    .$if(!includeUnpublished, (qb) => qb.where('v.publishedAt', 'is not', null))
    .orderBy('v.version', 'desc')
    .execute()

export const findClassNode = (db: Executor, code: string) => db.selectFrom('classNodes').selectAll().where('code', '=', code).executeTakeFirst()

export const hasChildClass = async (db: Executor, code: string) =>
  !!(await db.selectFrom('classNodes').select('code').where('parentCode', '=', code).limit(1).executeTakeFirst())

/** The lead department of a class: the nearest ancestor (or the node itself) that names one. */
export async function leadOrgOfClass(db: Executor, code: string): Promise<string | null> {
  const rows = await db
    .selectFrom('classNodes')
    .select(['code', 'leadOrgId'])
    .where(
      'code',
      'in',
      Array.from({ length: code.length }, (_, i) => code.slice(0, i + 1)),
    )
    .execute()
  const withLead = rows.filter((r) => r.leadOrgId).sort((a, b) => b.code.length - a.code.length)
  return withLead[0]?.leadOrgId ?? null
}

export const listClassNodes = (db: Executor) =>
  db.selectFrom('classNodes').select(['code', 'name', 'parentCode', 'leadOrgId', 'depth', 'sort']).orderBy('depth').orderBy('sort').orderBy('code').execute()

/** The published version of an entry with its provider, or undefined (for other modules: sharing, gateway). */
export const findPublishedEntry = (db: Executor, resourceId: string) =>
  withContext(db).selectAll('v').select(contextColumns).where('v.resourceId', '=', resourceId).where('v.isPublished', '=', true).executeTakeFirst()

/**
 * The mounts of these entries, for the resource object (read from the mounts table: catalog does not
 * depend on the mounts module). `live` is the mounts module's rule (mounts/queries.ts activeKinds).
 */
export async function mountSummaries(db: Executor, resourceIds: readonly string[]): Promise<Map<string, MountSummaryOut[]>> {
  const byResource = new Map<string, MountSummaryOut[]>()
  if (resourceIds.length === 0) return byResource
  const rows = await db
    .selectFrom('mounts as m')
    .select((eb) => [
      'm.id',
      'm.resourceId',
      'm.kind',
      'm.status',
      'm.rowCount',
      'm.lastDataTime',
      'm.staleSince',
      eb
        .and([
          eb('m.status', '=', 'active'),
          eb.or([
            eb.and([eb('m.kind', '=', 'table'), eb('m.activeBatchId', 'is not', null)]),
            eb.and([eb('m.kind', '=', 'file'), eb.exists(eb.selectFrom('mountFiles as f').select('f.id').whereRef('f.mountId', '=', 'm.id'))]),
            eb.and([eb('m.kind', '=', 'api'), eb('m.upstreamUrl', 'is not', null)]),
          ]),
        ])
        .as('live'),
    ])
    .where('m.resourceId', 'in', resourceIds)
    .orderBy('m.createdAt')
    .execute()
  for (const row of rows) {
    const list = byResource.get(row.resourceId) ?? []
    list.push({
      id: row.id,
      kind: row.kind,
      status: row.status,
      live: !!row.live,
      rowCount: Number(row.rowCount),
      lastDataTime: row.lastDataTime ? new Date(row.lastDataTime) : null,
      staleSince: row.staleSince ? new Date(row.staleSince) : null,
    })
    byResource.set(row.resourceId, list)
  }
  return byResource
}
