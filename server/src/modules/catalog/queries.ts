import { type ExpressionBuilder, type Insertable, type Selectable, type SelectQueryBuilder, type Updateable, sql } from 'kysely'
import type { Actor } from '../../platform/auth/actor.ts'
import { scopeOf } from '../../platform/auth/policy.ts'
import type { NetworkZone } from '../../platform/config/config.ts'
import type { Executor } from '../../platform/db/database.ts'
import { containsPattern } from '../../platform/db/like.ts'
import type { Database, ResourceVersionsTable } from '../../platform/db/schema.ts'
import { pageOffset } from '../../platform/http/pagination.ts'
import type { SearchQuery } from './schemas.ts'
import { type ParsedQuery, indexTokens } from './search-text.ts'

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
  zone === 'extranet' ? eb.not(eb.or([eb('v.secret', '=', true), sql<boolean>`jsonb_path_exists(${eb.ref('v.items')}, '$[*] ? (@.secret == true)')`])) : sql<boolean>`true`

const withContext = (db: Executor) =>
  db
    .selectFrom('resourceVersions as v')
    .innerJoin('resources as r', 'r.id', 'v.resourceId')
    .innerJoin('orgs as o', 'o.id', 'v.providerOrgId')
    .innerJoin('classNodes as c', 'c.code', 'v.classCode')

const contextColumns = [
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

export const lockResource = (db: Executor, id: string) =>
  db.selectFrom('resources').selectAll().where('id', '=', id).forUpdate().executeTakeFirst()

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

/** `tokens` become the version's search vector (see search-text.ts). */
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

/** A text search counts and pages through at most this many matches (like GitHub's search): see searchResources. */
export const SEARCH_RESULT_CAP = 1000

export interface SearchResult {
  items: ResourceRow[]
  total: number
  /** More than SEARCH_RESULT_CAP entries match: `total` is the cap and only the first pages can be read. */
  totalCapped: boolean
  /** The page asked for lies beyond the first SEARCH_RESULT_CAP matches of a capped search. */
  beyondCap: boolean
}

/**
 * One page of the entries this actor sees, matching `parsed` and the filters, with the total.
 * Name matches come first, then the most recently published or changed.
 *
 * Cost grows with the number of matches, each a heap row of resource_versions, so the query does
 * as little as possible per match:
 * - A term of exactly two Chinese characters is one index token, present in a text's vector exactly
 *   when the text contains the term, so the index alone answers it and it is not re-checked.
 * - Other terms are re-checked. One without cased characters (Chinese, digits) uses strpos, a byte
 *   search: ILIKE lower-cases every candidate text first (about 4× the cost on Chinese text), and for
 *   such a term both accept the same texts. Terms with cased letters keep ILIKE.
 * - A text search counts at most SEARCH_RESULT_CAP + 1 matches. Up to the cap, the matches come from
 *   the GIN index and are sorted. Past it, the term is common (≥ 1 % of a 100,000-entry catalog), so
 *   the page is read by walking the recency index and testing each row, which finds 20 hits after a
 *   few dozen rows, instead of sorting tens of thousands; name matches and the rest are walked
 *   separately to keep the name-first order, the name matches counted first through the name-bigram
 *   index (migrations/0016). An exact count of 90,000 matches cannot be made in 30 ms (each is a heap
 *   row), and nobody reads past page 50 of a search: they add a term or a filter.
 * - Pages are chosen on resource_versions alone and only their rows are joined to their context.
 * Measured in bench/catalog-search.ts; findings in bench/README.md.
 */
export async function searchResources(
  db: Executor,
  actor: Actor,
  query: SearchQuery,
  parsed: ParsedQuery | null,
  zone: NetworkZone,
  cap = SEARCH_RESULT_CAP,
): Promise<SearchResult> {
  const caseless = (term: string) => term.toLowerCase() === term && term.toUpperCase() === term
  const contains = (column: 'name' | 'search_text', term: string) =>
    caseless(term) ? sql<boolean>`strpos(${sql.ref(`v.${column}`)}, ${term}) > 0` : sql<boolean>`${sql.ref(`v.${column}`)} ilike ${containsPattern(term)}`
  const answeredByIndex = (term: string) => {
    const tokens = indexTokens(term)
    return tokens.length === 1 && tokens[0] === term && !/[a-z0-9]/i.test(term)
  }
  const filtered = db
    .selectFrom('resourceVersions as v')
    .where(visibleVersion(actor, { pendingReview: query.status === 'pending_review' }))
    .$if(zone === 'extranet', (qb) => qb.where(inZone(zone)))
    .$if(!!query.classCode, (qb) => qb.where('v.classCode', 'like', `${query.classCode}%`))
    .$if(!!query.providerOrgId, (qb) => qb.where('v.providerOrgId', '=', query.providerOrgId!))
    .$if(!!query.shareType, (qb) => qb.where('v.shareType', '=', query.shareType!))
    .$if(!!query.status, (qb) => qb.where('v.status', '=', query.status!))
    .$if(!!query.updateCycle, (qb) => qb.where('v.updateCycle', '=', query.updateCycle!))
    .$if(!!query.formatClass, (qb) => qb.where('v.formatClass', '=', query.formatClass!))
    .$if(!!query.shareMode, (qb) => qb.where(sql<boolean>`${query.shareMode} = any(v.share_modes)`))
    .$if(query.mine === 'true', (qb) => qb.where('v.providerOrgId', '=', actor.orgId))
  const byRecency = sql`coalesce(v.published_at, v.changed_at)`
  const offset = pageOffset(query)

  if (!parsed) {
    const page = filtered.select('v.id').orderBy(byRecency, 'desc').orderBy('v.id').limit(query.pageSize).offset(offset)
    const [ids, total] = await Promise.all([page.execute(), filtered.select((eb) => eb.fn.countAll<number>().as('n')).executeTakeFirstOrThrow()])
    return { items: await rowsInOrder(db, ids.map((r) => r.id)), total: Number(total.n), totalCapped: false, beyondCap: false }
  }

  const recheck = parsed.terms.filter((term) => !parsed.tsquery || !answeredByIndex(term))
  const matching = filtered
    .$if(!!parsed.tsquery, (qb) => qb.where(sql<boolean>`v.search_vector @@ ${parsed.tsquery}::tsquery`))
    .$if(recheck.length > 0, (qb) => qb.where((eb) => eb.and(recheck.map((term) => contains('search_text', term)))))
  const nameFirst = contains('name', parsed.terms[0])
  // A common term proves itself past the cap among the first rows of the table, read in storage order
  // with a substring test: cheaper than intersecting the long GIN posting lists of its bigrams. How many
  // rows to read follows from the term's estimated frequency; a term too rare to prove itself in
  // FIRST_ROWS_MAX rows goes straight to the index, which then has short lists to intersect.
  const frequency = estimatedFrequency(await tokenFrequencies(db), parsed.terms)
  const window = frequency === null ? 3 * (cap + 1) : Math.ceil((1.5 * (cap + 1)) / Math.max(frequency, 1e-6))
  const firstRows = db
    .selectFrom(filtered.select('v.searchText').limit(window).as('v'))
    .where((eb) => eb.and(parsed.terms.map((term) => contains('search_text', term))))
  const provenCommon = window <= FIRST_ROWS_MAX && (await countUpTo(db, firstRows, cap + 1)) > cap
  const total = provenCommon ? cap + 1 : await countUpTo(db, matching, cap + 1)

  if (total <= cap) {
    const ids = await matching
      .select('v.id')
      .orderBy(nameFirst, 'desc')
      .orderBy(byRecency, 'desc')
      .orderBy('v.id')
      .limit(query.pageSize)
      .offset(offset)
      .execute()
    return { items: await rowsInOrder(db, ids.map((r) => r.id)), total, totalCapped: false, beyondCap: false }
  }

  const capped = { total: cap, totalCapped: true }
  if (offset + query.pageSize > cap) return { items: [], ...capped, beyondCap: true }
  // The walk tests every term as a substring (no index predicate), so the planner reads rows in recency order.
  const walked = filtered.where((eb) => eb.and(parsed.terms.map((term) => contains('search_text', term))))
  // Name matches of the first term, through the stored name bigrams: a two-character term is one bigram,
  // exact without a re-check; the planner then reads a common one by a short scan and a rare one by the
  // GIN index. (Joined with the search index, a common term made the planner AND three large bitmaps.)
  const [first, ...rest] = parsed.terms
  const nameHits = filtered
    .where(sql<boolean>`v.name_bigrams @> catalog_bigrams(${first})`)
    .$if([...first].length > 2, (qb) => qb.where(nameFirst))
    .$if(rest.length > 0, (qb) => qb.where((eb) => eb.and(rest.map((term) => contains('search_text', term)))))
  const nameCount = await countUpTo(db, nameHits, cap + 1)
  const inRecencyOrder = <Q extends typeof filtered>(qb: Q, skip: number, take: number) =>
    qb.select('v.id').orderBy(byRecency, 'desc').orderBy('v.id').offset(skip).limit(take).execute()
  const ids: { id: string }[] = []
  if (offset < nameCount) ids.push(...(await inRecencyOrder(nameCount <= cap ? nameHits : walked.where(nameFirst), offset, query.pageSize)))
  if (ids.length < query.pageSize && nameCount <= cap) {
    const others = walked.where(sql<boolean>`not ${nameFirst}`)
    ids.push(...(await inRecencyOrder(others, Math.max(0, offset - nameCount), query.pageSize - ids.length)))
  }
  return { items: await rowsInOrder(db, ids.map((r) => r.id)), ...capped, beyondCap: false }
}

// Rows read in storage order at most to prove a term common (~1.3 µs each on PostgreSQL 15 here):
// beyond this the GIN count is cheaper.
const FIRST_ROWS_MAX = 8000
const TOKEN_STATS_TTL_MS = 10 * 60_000

interface TokenStats {
  /** Fraction of version rows whose search vector holds the token, for the tokens ANALYZE found most common. */
  frequencies: Map<string, number>
  /** The lowest listed fraction: a token not listed is at most this common. */
  floor: number
}

const tokenStatsCache = new WeakMap<object, { at: number; stats: Promise<TokenStats | null> }>()

/**
 * The search vectors' most common tokens and their frequencies, from pg_stats (kept by ANALYZE and
 * autovacuum on PostgreSQL), cached for ten minutes per database; null without statistics.
 */
function tokenFrequencies(db: Executor): Promise<TokenStats | null> {
  const cached = tokenStatsCache.get(db)
  if (cached && Date.now() - cached.at < TOKEN_STATS_TTL_MS) return cached.stats
  const stats = sql<{ elems: string[] | null; freqs: number[] | null }>`
      select most_common_elems::text::text[] as elems, most_common_elem_freqs as freqs from pg_stats
      where schemaname = current_schema() and tablename = 'resource_versions' and attname = 'search_vector'`
    .execute(db)
    .then(({ rows: [row] }) => {
      if (!row?.elems || !row.freqs || row.elems.length === 0) return null
      // The frequencies array ends with three summary numbers (minimum, maximum, empty fraction).
      const frequencies = new Map(row.elems.map((token, i) => [token, Number(row.freqs![i])]))
      return { frequencies, floor: Math.min(...frequencies.values()) }
    })
    .catch(() => null)
  tokenStatsCache.set(db, { at: Date.now(), stats })
  return stats
}

/**
 * An upper estimate of the fraction of rows matching every term: a term is no more common than its
 * rarest token (for Chinese words, usually about as common). Null without statistics.
 */
function estimatedFrequency(stats: TokenStats | null, terms: readonly string[]): number | null {
  if (!stats) return null
  let frequency = 1
  for (const term of terms) {
    for (const token of indexTokens(term)) frequency = Math.min(frequency, stats.frequencies.get(token) ?? stats.floor)
  }
  return frequency
}

/** How many rows `query` yields, counting no further than `limit`. */
async function countUpTo(db: Executor, query: SelectQueryBuilder<any, any, object>, limit: number) {
  const { n } = await db
    .selectFrom(query.select(sql<number>`1`.as('one')).limit(limit).as('hits'))
    .select((eb) => eb.fn.countAll<number>().as('n'))
    .executeTakeFirstOrThrow()
  return Number(n)
}

/** The versions with these ids, with their context, in the order given. */
async function rowsInOrder(db: Executor, ids: string[]) {
  if (ids.length === 0) return []
  const rows = await withContext(db).selectAll('v').select(contextColumns).where('v.id', 'in', ids).execute()
  const byId = new Map(rows.map((row) => [row.id, row]))
  return ids.map((id) => byId.get(id)!)
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

export const findClassNode = (db: Executor, code: string) =>
  db.selectFrom('classNodes').selectAll().where('code', '=', code).executeTakeFirst()

export const hasChildClass = async (db: Executor, code: string) =>
  !!(await db.selectFrom('classNodes').select('code').where('parentCode', '=', code).limit(1).executeTakeFirst())

/** The lead department of a class: the nearest ancestor (or the node itself) that names one. */
export async function leadOrgOfClass(db: Executor, code: string): Promise<string | null> {
  const rows = await db
    .selectFrom('classNodes')
    .select(['code', 'leadOrgId'])
    .where('code', 'in', Array.from({ length: code.length }, (_, i) => code.slice(0, i + 1)))
    .execute()
  const withLead = rows.filter((r) => r.leadOrgId).sort((a, b) => b.code.length - a.code.length)
  return withLead[0]?.leadOrgId ?? null
}

export const listClassNodes = (db: Executor) =>
  db.selectFrom('classNodes').select(['code', 'name', 'parentCode', 'leadOrgId', 'depth', 'sort']).orderBy('depth').orderBy('sort').orderBy('code').execute()

/** The published version of an entry with its provider, or undefined (for other modules: sharing, gateway). */
export const findPublishedEntry = (db: Executor, resourceId: string) =>
  withContext(db).selectAll('v').select(contextColumns).where('v.resourceId', '=', resourceId).where('v.isPublished', '=', true).executeTakeFirst()
