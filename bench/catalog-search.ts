/**
 * Catalog search benchmark (not a test): the app's searchResources against a plain ILIKE scan,
 * on a generated catalog of 100,000 entries × 10 items, on PGlite and on PostgreSQL.
 *
 *   npm run bench                                   # both databases, 100,000 entries (~10 min)
 *   npm run bench -- --db=postgres --entries=5000   # a quick run
 *
 * Options: --db=pglite|postgres|both, --entries=N, --pglite-entries=N (PGlite only),
 * --iterations=N (timed searches per term length, default 200), --baseline-iterations=N (ILIKE
 * baseline searches per term length, default 40), --url=postgres://… (server to create the
 * throw-away database on), --out=path (without extension), --keep (keep the PostgreSQL database). Full runs write
 * bench/results/catalog-search.{json,md}; runs with fewer entries write …-quick.{json,md}. A run of one
 * database replaces that database's section of the results and keeps the other's.
 */
import { randomBytes } from 'node:crypto'
import { mkdtempSync, rmSync } from 'node:fs'
import { loadavg, tmpdir } from 'node:os'
import { join } from 'node:path'
import { sql } from 'kysely'
import pg from 'pg'
import { prepareDatabase } from '../server/src/platform/db/bootstrap.ts'
import { type DbKind, type OpenDatabase, openDatabase } from '../server/src/platform/db/database.ts'
import { generateCatalog, seedOrgs } from './catalog-search/generate.ts'
import { type ClassResult, type Explained, explainTerm, measureClass, verify } from './catalog-search/measure.ts'
import { type BenchResults, type DbResult, machineInfo, writeResults } from './catalog-search/report.ts'
import { Rng } from './catalog-search/rng.ts'
import { TERMS_2, TERMS_4, VERIFY_TERMS } from './catalog-search/vocabulary.ts'

const FULL_ENTRIES = 100_000
const SEED = 20_260_302
const TARGET_P95_MS = 30

function parseArgs(argv: string[]) {
  const arg = (name: string) => argv.find((a) => a.startsWith(`--${name}=`))?.slice(name.length + 3)
  const db = arg('db') ?? 'both'
  if (!['pglite', 'postgres', 'both'].includes(db)) throw new Error(`--db must be pglite, postgres or both (got ${db})`)
  const entries = Number(arg('entries') ?? FULL_ENTRIES)
  const pgliteEntries = Number(arg('pglite-entries') ?? entries)
  const iterations = Number(arg('iterations') ?? 200)
  // The ILIKE baseline is a full scan (about a second per search at 100,000 entries), so by default
  // it runs fewer times than ours to keep both databases within ~15 minutes; see the report.
  const baselineIterations = Number(arg('baseline-iterations') ?? Math.min(iterations, 40))
  for (const [name, n] of Object.entries({ entries, pgliteEntries, iterations, baselineIterations })) {
    if (!Number.isInteger(n) || n < 1) throw new Error(`--${name} must be a positive integer`)
  }
  const quick = Math.max(entries, pgliteEntries) < FULL_ENTRIES
  return {
    kinds: (db === 'both' ? ['pglite', 'postgres'] : [db]) as DbKind[],
    entries,
    pgliteEntries,
    iterations,
    baselineIterations,
    url: arg('url') ?? process.env.BENCH_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres',
    /** Keep the PostgreSQL database after the run (for EXPLAIN by hand); drop it yourself. */
    keep: argv.includes('--keep'),
    out: arg('out') ?? join(import.meta.dirname, 'results', quick ? 'catalog-search-quick' : 'catalog-search'),
  }
}

const started = performance.now()
const log = (message: string) => console.log(`${((performance.now() - started) / 1000).toFixed(0).padStart(5)} s  ${message}`)

/** A fresh database of the given kind; close() also deletes it. */
async function freshDatabase(kind: DbKind, url: string, keep: boolean): Promise<OpenDatabase> {
  if (kind === 'pglite') {
    const dir = mkdtempSync(join(tmpdir(), 'govshare-bench-'))
    const database = await openDatabase({ dataDir: dir })
    return {
      ...database,
      async close() {
        await database.close()
        rmSync(dir, { recursive: true, force: true })
      },
    }
  }
  const name = `govshare_bench_${randomBytes(5).toString('hex')}`
  const admin = async (statement: string) => {
    const client = new pg.Client({ connectionString: url })
    await client.connect()
    try {
      await client.query(statement)
    } finally {
      await client.end()
    }
  }
  await admin(`create database ${name}`)
  const target = new URL(url)
  target.pathname = `/${name}`
  const database = await openDatabase({ url: target.toString(), poolSize: 10 })
  return {
    ...database,
    async close() {
      await database.close()
      if (keep) log(`[postgres] kept database ${name}`)
      else await admin(`drop database if exists ${name} with (force)`)
    },
  }
}

async function serverInfo(database: OpenDatabase) {
  const one = async (query: string) => Object.values((await sql.raw<Record<string, string>>(query).execute(database.db)).rows[0])[0]
  const settings: Record<string, string> = {}
  for (const name of ['shared_buffers', 'work_mem', 'effective_cache_size', 'jit', 'max_parallel_workers_per_gather', 'random_page_cost']) {
    settings[name] = await one(`select current_setting('${name}', true)`)
  }
  return {
    version: await one('select version()'),
    settings,
    sizes: {
      resourceVersions: await one(`select pg_size_pretty(pg_total_relation_size('resource_versions'))`),
      resourceVersionsHeap: await one(`select pg_size_pretty(pg_relation_size('resource_versions'))`),
      searchIndex: await one(`select pg_size_pretty(pg_relation_size('resource_versions_search_idx'))`),
    },
  }
}

/** The term of a class whose searches were slowest (by median), for EXPLAIN. */
const slowestTerm = (result: ClassResult) => [...result.perTerm].sort((a, b) => (b.oursP50 ?? 0) - (a.oursP50 ?? 0))[0].term

async function runOne(kind: DbKind, options: ReturnType<typeof parseArgs>): Promise<DbResult> {
  const startedAt = new Date()
  const entries = kind === 'pglite' ? options.pgliteEntries : options.entries
  const tag = `[${kind}]`
  log(`${tag} creating a fresh database`)
  const database = await freshDatabase(kind, options.url, options.keep)
  try {
    await prepareDatabase(database.db)
    const seed = await seedOrgs(database.db)
    log(`${tag} generating ${entries.toLocaleString('en')} entries × 10 items`)
    const generation = await generateCatalog(database.db, seed, entries, new Rng(SEED), 1000, log)
    log(
      `${tag} generated in ${generation.seconds.total.toFixed(1)} s (insert ${generation.seconds.insert.toFixed(1)} s, vacuum analyze ${generation.seconds.vacuumAnalyze.toFixed(1)} s)`,
    )

    const problems = await verify(database.db, seed.actor, VERIFY_TERMS)
    log(problems.length === 0 ? `${tag} searchResources matches the reference for ${VERIFY_TERMS.join(' ')}` : `${tag} MISMATCH:\n  ${problems.join('\n  ')}`)

    const rng = new Rng(SEED + 1)
    const loadBefore = loadavg()[0]
    const measure = (length: number, terms: readonly string[]) => {
      log(`${tag} measuring ${length}-character terms (${options.iterations} searches, ${options.baselineIterations} ILIKE baseline searches)`)
      return measureClass(database.db, seed.actor, terms, options.iterations, options.baselineIterations, rng)
    }
    const two = await measure(2, TERMS_2)
    const four = await measure(4, TERMS_4)
    const load = { before: loadBefore, after: loadavg()[0] }

    const explainTerms = [...new Set(['户籍', slowestTerm(two), '婚姻登记', slowestTerm(four)])]
    const explained: Explained[] = []
    for (const term of explainTerms) explained.push(...(await explainTerm(database.db, seed.actor, term)))
    const run = {
      date: startedAt.toISOString(),
      command: `npm run bench -- ${process.argv.slice(2).join(' ')}`.trim(),
      seconds: (Date.now() - startedAt.getTime()) / 1000,
      iterations: options.iterations,
      baselineIterations: options.baselineIterations,
    }
    return {
      kind,
      run,
      entries,
      generation,
      verification: problems,
      verifiedTerms: VERIFY_TERMS,
      load,
      classes: { 2: two, 4: four },
      explained,
      ...(await serverInfo(database)),
    }
  } finally {
    await database.close()
  }
}

const options = parseArgs(process.argv.slice(2))
const databases: DbResult[] = []
for (const kind of options.kinds) databases.push(await runOne(kind, options))
const results: BenchResults = { machine: machineInfo(), targetP95Ms: TARGET_P95_MS, databases }
const { table, kept } = writeResults(results, options.out)
if (kept.length > 0) log(`(kept the earlier ${kept.join(', ')} results in ${options.out}.json)`)
log(`\n${table}\nwrote ${options.out}.json and ${options.out}.md`)
