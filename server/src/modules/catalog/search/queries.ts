import { type SelectQueryBuilder, sql } from 'kysely'
import type { Actor } from '../../../platform/auth/actor.ts'
import type { NetworkZone } from '../../../platform/config/config.ts'
import type { Executor } from '../../../platform/db/database.ts'
import { containsPattern } from '../../../platform/db/like.ts'
import { pageOffset } from '../../../platform/http/pagination.ts'
import { type ResourceRow, contextColumns, inZone, visibleVersion, withContext } from '../queries.ts'
import type { SearchQuery } from '../schemas.ts'
import { type ParsedQuery, indexTokens } from './text.ts'

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
  // A term matches when the text holds it or one of its synonyms (search/text.ts `groups`).
  const containsAny = (column: 'name' | 'search_text', group: readonly string[]) =>
    group.length === 1
      ? contains(column, group[0])
      : sql<boolean>`(${sql.join(
          group.map((term) => contains(column, term)),
          sql` or `,
        )})`
  const everyGroup = (column: 'name' | 'search_text', groups: readonly (readonly string[])[]) =>
    sql<boolean>`(${sql.join(
      groups.map((group) => containsAny(column, group)),
      sql` and `,
    )})`
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
    return {
      items: await rowsInOrder(
        db,
        ids.map((r) => r.id),
      ),
      total: Number(total.n),
      totalCapped: false,
      beyondCap: false,
    }
  }

  const recheck = parsed.groups.filter((group) => !parsed.tsquery || !group.every(answeredByIndex))
  const matching = filtered
    .$if(!!parsed.tsquery, (qb) => qb.where(sql<boolean>`v.search_vector @@ ${parsed.tsquery}::tsquery`))
    .$if(recheck.length > 0, (qb) => qb.where(everyGroup('search_text', recheck)))
  const nameFirst = containsAny('name', parsed.groups[0])
  // A common term proves itself past the cap among the first rows of the table, read in storage order
  // with a substring test: cheaper than intersecting the long GIN posting lists of its bigrams. How many
  // rows to read follows from the term's estimated frequency; a term too rare to prove itself in
  // FIRST_ROWS_MAX rows goes straight to the index, which then has short lists to intersect.
  const frequency = estimatedFrequency(await tokenFrequencies(db), parsed.groups)
  const window = frequency === null ? 3 * (cap + 1) : Math.ceil((1.5 * (cap + 1)) / Math.max(frequency, 1e-6))
  const firstRows = db.selectFrom(filtered.select('v.searchText').limit(window).as('v')).where(everyGroup('search_text', parsed.groups))
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
    return {
      items: await rowsInOrder(
        db,
        ids.map((r) => r.id),
      ),
      total,
      totalCapped: false,
      beyondCap: false,
    }
  }

  const capped = { total: cap, totalCapped: true }
  if (offset + query.pageSize > cap) return { items: [], ...capped, beyondCap: true }
  // The walk tests every term as a substring (no index predicate), so the planner reads rows in recency order.
  const walked = filtered.where(everyGroup('search_text', parsed.groups))
  // Name matches of the first term, through the stored name bigrams: a two-character term is one bigram,
  // exact without a re-check; the planner then reads a common one by a short scan and a rare one by the
  // GIN index. (Joined with the search index, a common term made the planner AND three large bitmaps.)
  const [first, ...rest] = parsed.groups
  const nameHits = filtered
    .where(
      sql<boolean>`(${sql.join(
        first.map((term) => sql`v.name_bigrams @> catalog_bigrams(${term})`),
        sql` or `,
      )})`,
    )
    .$if(
      first.some((term) => [...term].length > 2),
      (qb) => qb.where(nameFirst),
    )
    .$if(rest.length > 0, (qb) => qb.where(everyGroup('search_text', rest)))
  const nameCount = await countUpTo(db, nameHits, cap + 1)
  const inRecencyOrder = <Q extends typeof filtered>(qb: Q, skip: number, take: number) =>
    qb.select('v.id').orderBy(byRecency, 'desc').orderBy('v.id').offset(skip).limit(take).execute()
  const ids: { id: string }[] = []
  if (offset < nameCount) ids.push(...(await inRecencyOrder(nameCount <= cap ? nameHits : walked.where(nameFirst), offset, query.pageSize)))
  if (ids.length < query.pageSize && nameCount <= cap) {
    const others = walked.where(sql<boolean>`not ${nameFirst}`)
    ids.push(...(await inRecencyOrder(others, Math.max(0, offset - nameCount), query.pageSize - ids.length)))
  }
  return {
    items: await rowsInOrder(
      db,
      ids.map((r) => r.id),
    ),
    ...capped,
    beyondCap: false,
  }
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
 * rarest token (for Chinese words, usually about as common), a term with synonyms no more common than
 * its alternatives together. Null without statistics.
 */
function estimatedFrequency(stats: TokenStats | null, groups: readonly (readonly string[])[]): number | null {
  if (!stats) return null
  const termFrequency = (term: string) => Math.min(1, ...indexTokens(term).map((token) => stats.frequencies.get(token) ?? stats.floor))
  let frequency = 1
  for (const group of groups)
    frequency = Math.min(
      frequency,
      group.reduce((sum, term) => sum + termFrequency(term), 0),
    )
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
