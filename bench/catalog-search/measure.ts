import { CompiledQuery, type KyselyPlugin, PostgresQueryCompiler, type RootOperationNode, sql } from 'kysely'
import { SEARCH_RESULT_CAP, searchResources } from '../../server/src/modules/catalog/search/queries.ts'
import { type ParsedQuery, parseSearch } from '../../server/src/modules/catalog/search/text.ts'
import type { Actor } from '../../server/src/platform/auth/actor.ts'
import type { Db } from '../../server/src/platform/db/database.ts'
import { containsPattern } from '../../server/src/platform/db/like.ts'
import type { Rng } from './rng.ts'

/**
 * The two contenders, timed the same way: the app's searchResources (first page of 20 + total),
 * and the naive baseline a catalog would start with: ILIKE over every published version, its
 * first page and its count(*). Both issue their page and count queries concurrently, as
 * searchResources does (Promise.all): on PostgreSQL on two pool connections, on PGlite in turn.
 */

export const PAGE = { page: 1, pageSize: 20 } as const

const parsedOf = (term: string): ParsedQuery => {
  const parsed = parseSearch(term)
  if ('tooShort' in parsed) throw new Error(`term too short: ${term}`)
  return parsed
}

export async function ours(db: Db, actor: Actor, term: string) {
  const { items, total } = await searchResources(db, actor, PAGE, parsedOf(term), 'intranet')
  return { ids: items.map((row) => row.id), total }
}

const baselinePage = (pattern: string) =>
  sql<{ id: string }>`select v.* from resource_versions v
    where v.is_published and v.search_text ilike ${pattern}
    order by coalesce(v.published_at, v.changed_at) desc, v.id limit 20`
const baselineCount = (pattern: string) =>
  sql<{ n: number }>`select count(*)::int as n from resource_versions v where v.is_published and v.search_text ilike ${pattern}`

export async function baseline(db: Db, term: string) {
  const pattern = containsPattern(term)
  const [page, count] = await Promise.all([baselinePage(pattern).execute(db), baselineCount(pattern).execute(db)])
  return { ids: page.rows.map((row) => row.id), total: count.rows[0].n }
}

/**
 * What searchResources must return, written as plain SQL with no index and no join: the actor's
 * visible version (own latest, others' published), exact substring match, name matches first.
 * Used once per term to check that the measured function still answers correctly.
 */
export async function reference(db: Db, actor: Actor, term: string) {
  const pattern = containsPattern(term)
  const rows = await sql<{ id: string; total: number }>`select v.id, count(*) over ()::int as total from resource_versions v
    where ((v.provider_org_id = ${actor.orgId} and v.is_latest) or (v.provider_org_id <> ${actor.orgId} and v.is_published))
      and v.search_text ilike ${pattern}
    order by (v.name ilike ${pattern}) desc, coalesce(v.published_at, v.changed_at) desc, v.id limit 20`.execute(db)
  return { ids: rows.rows.map((row) => row.id), total: rows.rows[0]?.total ?? 0 }
}

export interface Stats {
  n: number
  p50: number
  p95: number
  p99: number
  mean: number
  max: number
}

/** Nearest-rank percentiles, in milliseconds. */
export function stats(samples: number[]): Stats {
  const sorted = [...samples].sort((a, b) => a - b)
  const at = (q: number) => sorted[Math.max(0, Math.ceil(q * sorted.length) - 1)]
  const round = (x: number) => Math.round(x * 100) / 100
  return {
    n: sorted.length,
    p50: round(at(0.5)),
    p95: round(at(0.95)),
    p99: round(at(0.99)),
    mean: round(sorted.reduce((a, b) => a + b, 0) / sorted.length),
    max: round(sorted[sorted.length - 1]),
  }
}

export interface ClassResult {
  terms: readonly string[]
  iterations: number
  baselineIterations: number
  ours: Stats
  baseline: Stats
  perTerm: { term: string; hits: number; publishedHits: number; runs: number; baselineRuns: number; oursP50: number | null; baselineP50: number | null }[]
}

const timed = async <T>(fn: () => Promise<T>) => {
  const t0 = performance.now()
  const result = await fn()
  return { ms: performance.now() - t0, result }
}

/** `n` terms, each about equally often, in random order. */
const schedule = (terms: readonly string[], n: number, rng: Rng) => rng.shuffle(Array.from({ length: n }, (_, i) => terms[i % terms.length]))

/**
 * Times `iterations` searchResources calls and `baselineIterations` baseline calls over random terms
 * (each term about equally often). The baseline calls are spread evenly among ours, alternately just
 * before and just after one, so both face the same machine load.
 */
export async function measureClass(
  db: Db,
  actor: Actor,
  terms: readonly string[],
  iterations: number,
  baselineIterations: number,
  rng: Rng,
): Promise<ClassResult> {
  // Warm-up: every term twice through ours; the baseline scans the whole table whatever the term.
  for (let round = 0; round < 2; round++) for (const term of terms) await ours(db, actor, term)
  for (const term of terms.slice(0, 2)) await baseline(db, term)

  const oursOrder = schedule(terms, iterations, rng)
  const baselineOrder = schedule(terms, baselineIterations, rng)
  const baselineAt = new Map(baselineOrder.map((term, k) => [Math.floor((k * iterations) / baselineIterations), { term, before: k % 2 === 0 }]))
  const samples = { ours: [] as number[], baseline: [] as number[] }
  const byTerm = new Map(terms.map((term) => [term, { ours: [] as number[], baseline: [] as number[], hits: -1, publishedHits: -1 }]))
  const runBaseline = async (term: string) => {
    const { ms, result } = await timed(() => baseline(db, term))
    samples.baseline.push(ms)
    byTerm.get(term)!.baseline.push(ms)
    byTerm.get(term)!.publishedHits = result.total
  }
  for (const [i, term] of oursOrder.entries()) {
    const paired = baselineAt.get(i)
    if (paired?.before) await runBaseline(paired.term)
    const { ms, result } = await timed(() => ours(db, actor, term))
    samples.ours.push(ms)
    byTerm.get(term)!.ours.push(ms)
    if (paired && !paired.before) await runBaseline(paired.term)
  }
  // ours counts no further than SEARCH_RESULT_CAP: the report gives each term's real number of visible hits.
  for (const term of terms) byTerm.get(term)!.hits = (await reference(db, actor, term)).total
  const perTerm = terms.map((term) => {
    const runs = byTerm.get(term)!
    return {
      term,
      hits: runs.hits,
      publishedHits: runs.publishedHits,
      runs: runs.ours.length,
      baselineRuns: runs.baseline.length,
      oursP50: runs.ours.length > 0 ? stats(runs.ours).p50 : null,
      baselineP50: runs.baseline.length > 0 ? stats(runs.baseline).p50 : null,
    }
  })
  return { terms, iterations, baselineIterations, ours: stats(samples.ours), baseline: stats(samples.baseline), perTerm }
}

/** Checks searchResources against `reference` for every term; returns the mismatches. */
export async function verify(db: Db, actor: Actor, terms: readonly string[]) {
  const problems: string[] = []
  for (const term of terms) {
    const [got, want] = [await ours(db, actor, term), await reference(db, actor, term)]
    const wantTotal = Math.min(want.total, SEARCH_RESULT_CAP)
    if (got.total !== wantTotal) problems.push(`${term}: total ${got.total}, expected ${wantTotal}`)
    else if (got.ids.join() !== want.ids.join()) problems.push(`${term}: first page differs from the reference order`)
  }
  return problems
}

/** Captures the SQL Kysely sends (after CamelCasePlugin), so it can be EXPLAINed verbatim. */
class CapturePlugin implements KyselyPlugin {
  readonly nodes: RootOperationNode[] = []
  transformQuery({ node }: { node: RootOperationNode }) {
    this.nodes.push(node)
    return node
  }
  async transformResult<R>(args: { result: R }) {
    return args.result
  }
}

export interface Explained {
  term: string
  query: string
  plan: string
}

const explain = async (db: Db, text: string, parameters: readonly unknown[]) => {
  const result = await db.executeQuery<Record<string, string>>(CompiledQuery.raw(`explain (analyze, buffers) ${text}`, [...parameters]))
  return result.rows.map((row) => Object.values(row)[0]).join('\n')
}

/** EXPLAIN (ANALYZE, BUFFERS) of each statement searchResources sends for a term, then of both baseline queries. */
export async function explainTerm(db: Db, actor: Actor, term: string): Promise<Explained[]> {
  const capture = new CapturePlugin()
  await searchResources(db.withPlugin(capture), actor, PAGE, parsedOf(term), 'intranet')
  const compiler = new PostgresQueryCompiler()
  // Kysely also runs plugins over subqueries: keep only statements that are not part of a longer one.
  const compiled = capture.nodes.map((node) => compiler.compileQuery(node, { queryId: 'explain' }))
  const statements = compiled.filter((q) => !compiled.some((other) => other !== q && other.sql.length > q.sql.length && other.sql.includes(q.sql)))
  const pattern = containsPattern(term)
  const [basePage, baseCount] = [baselinePage(pattern).compile(db), baselineCount(pattern).compile(db)]
  const explained: Explained[] = []
  for (const [k, q] of statements.entries())
    explained.push({ term, query: `ours: statement ${k + 1} of ${statements.length}`, plan: await explain(db, q.sql, q.parameters) })
  explained.push({ term, query: 'baseline: page', plan: await explain(db, basePage.sql, basePage.parameters) })
  explained.push({ term, query: 'baseline: count', plan: await explain(db, baseCount.sql, baseCount.parameters) })
  return explained
}
