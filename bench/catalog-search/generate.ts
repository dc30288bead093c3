import { randomUUID } from 'node:crypto'
import { sql } from 'kysely'
import { searchTokensOf, toStoredItems, versionContent } from '../../server/src/modules/catalog/content.ts'
import type { CreateResourceBody, ItemInput } from '../../server/src/modules/catalog/schemas.ts'
import type { Actor } from '../../server/src/platform/auth/actor.ts'
import type { Db, Executor } from '../../server/src/platform/db/database.ts'
import { buildClassNode, buildOrg, buildUser } from '../../server/src/testing/factories.ts'
import type { Rng } from './rng.ts'
import { BOOKKEEPING_ITEMS, DEPARTMENTS, DISTRICTS, type Department, ENTITY_ITEMS, NAME_SUFFIXES, PERSON_ITEMS, USAGES } from './vocabulary.ts'

/**
 * Fills a migrated database with a generated catalog, stored exactly as the app stores entries:
 * content through versionContent (search_text) and searchTokensOf + array_to_tsvector
 * (search_vector), with the lifecycle flags the service sets on create / submit / review / withdraw.
 */

export const ITEMS_PER_ENTRY = 10

export interface SeededOrg {
  id: string
  classCode: string
  dept: Department
}

export interface Seed {
  orgs: SeededOrg[]
  actor: Actor
}

/** One org and one 目-level class node per department, plus a requester in one of them. */
export async function seedOrgs(db: Db): Promise<Seed> {
  const orgs: SeededOrg[] = []
  for (const [i, dept] of DEPARTMENTS.entries()) {
    const org = await buildOrg(db, { name: dept.name })
    const classCode = `301${String(i + 1).padStart(3, '0')}`
    await buildClassNode(db, classCode, dept.name.replace(/^市/, ''))
    orgs.push({ id: org.id, classCode, dept })
  }
  // A requester of a department with few entries of its own: nearly everything it finds is
  // another department's published version (the visibility predicate's second branch).
  const home = orgs.find((o) => o.dept.name === '市审计局')!
  const user = await buildUser(db, { orgId: home.id, roles: ['REQUESTER'], name: '检索用户' })
  const actor: Actor = {
    userId: user.id,
    username: user.username,
    name: '检索用户',
    orgId: home.id,
    orgName: home.dept.name,
    orgKind: 'department',
    roles: ['REQUESTER'],
    sessionId: randomUUID(),
  }
  return { orgs, actor }
}

type Lifecycle = 'published' | 'published+draft' | 'superseded+published' | 'draft' | 'pending_review' | 'withdrawn'

/** Shares of entry lifecycles: mostly published, some being edited, some never published. */
const LIFECYCLES: [Lifecycle, number][] = [
  ['published', 83],
  ['published+draft', 5],
  ['superseded+published', 4],
  ['draft', 5],
  ['pending_review', 2],
  ['withdrawn', 1],
]

const DATE_FROM = Date.parse('2019-01-01T00:00:00Z')
const DATE_TO = Date.parse('2026-02-27T00:00:00Z')
const DAY = 86_400_000

function dataTypeOf(name: string): Pick<ItemInput, 'dataType' | 'length' | 'precision'> {
  if (/日期$/.test(name)) return { dataType: 'D' }
  if (/时间$/.test(name)) return { dataType: 'T' }
  if (/(金额|余额|基数|面积|数|量|价格|比例|经费|功率|收入|总值|损失|收益)$/.test(name)) return { dataType: 'N', length: 18, precision: 2 }
  return { dataType: 'C', length: /号码|代码|编号|证号|识别号/.test(name) ? 32 : 200 }
}

function itemInput(name: string, index: number, rng: Rng): ItemInput {
  const conditional = rng.chance(0.2)
  const sensitive = /身份号码|联系电话|现住址|姓名/.test(name)
  return {
    name,
    nameEn: `f${index + 1}`,
    ...dataTypeOf(name),
    shareType: conditional ? 2 : 1,
    shareCondition: conditional ? '仅限履职需要，经提供方审核后使用' : undefined,
    sensitive,
    piCategory: sensitive ? 'personal' : 'none',
    secret: false,
    isPrimaryKey: index === 0,
    isTimestamp: name === '更新时间',
    basicItem: false,
  }
}

/** 10 distinct item names: the subject's identity items, department-specific ones, then bookkeeping. */
function itemNames(dept: Department, rng: Rng): string[] {
  const subject = dept.subject === 'mixed' ? (rng.chance(0.5) ? 'person' : 'entity') : dept.subject
  const identity = subject === 'person' ? PERSON_ITEMS : ENTITY_ITEMS
  const names = new Set<string>(identity.slice(0, 2))
  for (const name of rng.sample(identity.slice(2), rng.int(0, 2))) names.add(name)
  for (const name of rng.sample(dept.items, Math.min(dept.items.length, rng.int(4, 6)))) names.add(name)
  const fillers = [...rng.sample(BOOKKEEPING_ITEMS, BOOKKEEPING_ITEMS.length), ...PERSON_ITEMS, ...ENTITY_ITEMS, ...dept.items]
  for (const name of fillers) {
    if (names.size >= ITEMS_PER_ENTRY) break
    names.add(name)
  }
  return [...names].slice(0, ITEMS_PER_ENTRY)
}

/** An entry's API content, as a department would submit it. */
function entryBody(org: SeededOrg, usedNames: Set<string>, rng: Rng): CreateResourceBody {
  const { dept } = org
  const topic = rng.zipf(dept.topics)
  const suffix = rng.zipf(NAME_SUFFIXES)
  const district = rng.chance(0.25) ? rng.pick(DISTRICTS) : ''
  const year = rng.chance(0.4) ? `（${rng.int(2010, 2025)}年）` : ''
  let name = `${district}${topic}${suffix}${year}`
  for (let n = 2; usedNames.has(name); n++) name = `${district}${topic}${suffix}${year}（${n}）`
  usedNames.add(name)
  const items = itemNames(dept, rng).map((item, i) => itemInput(item, i, rng))
  const verb = rng.pick(['采集', '登记', '归集', '维护', '办理'])
  const abstract = `${dept.name}${verb}的${district || '全市'}${topic}${suffix}，包括${items[0].name}、${items[2].name}、${items[4].name}等${items.length}项信息，${rng.pick(USAGES)}。`
  const conditional = items.some((item) => item.shareType !== 1)
  return {
    name,
    classCode: org.classCode,
    abstract,
    formatClass: 3,
    formatType: rng.pick(['PostgreSQL', 'MySQL', 'oracle', 'Dm', 'KingbaseES']),
    shareModeClass: '共享平台方式',
    shareModes: rng.chance(0.5) ? ['api', 'table'] : ['api'],
    openFlag: false,
    updateCycle: rng.int(1, 8),
    shareCondition: conditional ? '仅向履行相关职责的部门提供' : undefined,
    shareBasis: conditional ? '《政务信息资源共享管理暂行办法》第九条' : undefined,
    relatedCodes: [],
    secret: false,
    dataGrade: '一般数据',
    survey: { records10k: rng.int(1, 5000) },
    dutyRefs: [],
    items,
  }
}

interface Generated {
  resources: Record<string, unknown>[]
  versions: Record<string, unknown>[]
  items: number
}

/** One entry's resource row and version rows (1 or 2) for its lifecycle. */
function entryRows(org: SeededOrg, usedNames: Set<string>, nextSeq: (classCode: string) => number, rng: Rng, out: Generated) {
  const lifecycle = rng.weighted(LIFECYCLES)
  const body = entryBody(org, usedNames, rng)
  const { stored } = toStoredItems(body.items, body.openFlag, new Set())
  const content = versionContent(body, stored)
  const resourceId = randomUUID()
  const publishedAt = new Date(DATE_FROM + rng.next() * (DATE_TO - DATE_FROM))
  const changedAt = new Date(publishedAt.getTime() - rng.int(1, 30) * DAY)
  const everPublished = lifecycle !== 'draft' && lifecycle !== 'pending_review'
  const twoVersions = lifecycle === 'published+draft' || lifecycle === 'superseded+published'

  const version = (v: number, fields: Record<string, unknown>, c = content) => {
    out.items += ITEMS_PER_ENTRY
    out.versions.push({
      ...c,
      resourceId,
      version: v,
      providerOrgId: org.id,
      contactName: '编目员',
      changedAt,
      changedFields: [],
      searchVector: sql`array_to_tsvector(${searchTokensOf(c)}::text[])`,
      status: 'draft',
      isLatest: true,
      isPublished: false,
      publishedAt: null,
      submittedAt: null,
      reviewedAt: null,
      ...fields,
    })
  }
  const published = { status: 'published', isPublished: true, publishedAt, submittedAt: changedAt, reviewedAt: publishedAt }
  switch (lifecycle) {
    case 'published':
      version(1, published)
      break
    case 'draft':
      version(1, {})
      break
    case 'pending_review':
      version(1, { status: 'pending_review', submittedAt: changedAt })
      break
    case 'withdrawn':
      version(1, { ...published, status: 'withdrawn', isPublished: false, withdrawnReason: '职能调整，停止提供' })
      break
    case 'published+draft': {
      // An edit of a published entry: v1 stays visible to others, v2 is the provider's working copy.
      version(1, { ...published, isLatest: false })
      const edited = versionContent({ ...body, abstract: `${body.abstract}（修订中）` }, stored)
      version(2, { changedAt: new Date(publishedAt.getTime() + 5 * DAY) }, edited)
      break
    }
    case 'superseded+published': {
      version(1, { ...published, status: 'superseded', isPublished: false, isLatest: false })
      const republishedAt = new Date(publishedAt.getTime() + 30 * DAY)
      const edited = versionContent({ ...body, abstract: `${body.abstract}（第二版）` }, stored)
      version(2, { ...published, publishedAt: republishedAt, reviewedAt: republishedAt, changedAt: publishedAt }, edited)
      break
    }
  }
  out.resources.push({
    id: resourceId,
    providerOrgId: org.id,
    code: everPublished ? `${org.classCode}/${String(nextSeq(org.classCode)).padStart(4, '0')}` : null,
    latestVersion: twoVersions ? 2 : 1,
    publishedVersion: lifecycle === 'published' || lifecycle === 'published+draft' ? 1 : lifecycle === 'superseded+published' ? 2 : null,
    firstPublishedAt: everPublished ? publishedAt : null,
  })
}

// PostgreSQL's bind-message limit is 65,535 parameters.
const MAX_PARAMS = 60_000

async function insertChunked(db: Executor, table: 'resources' | 'resourceVersions', rows: Record<string, unknown>[]) {
  const perRow = Object.keys(rows[0]).length
  const size = Math.floor(MAX_PARAMS / perRow)
  for (let i = 0; i < rows.length; i += size) {
    await db
      .insertInto(table)
      .values(rows.slice(i, i + size) as never)
      .execute()
  }
}

export interface GenerateResult {
  entries: number
  versionRows: number
  /** Items across all version rows. */
  storedItems: number
  /** Items of each entry's latest version (entries × 10). */
  entryItems: number
  seconds: { build: number; insert: number; vacuumAnalyze: number; total: number }
}

/**
 * Generates `entries` entries in batches of `batchSize` (one transaction per batch, multi-row
 * INSERTs), then VACUUM ANALYZE so plans and the GIN pending list reflect a settled database.
 */
export async function generateCatalog(db: Db, seed: Seed, entries: number, rng: Rng, batchSize = 1000, log = (_: string) => {}): Promise<GenerateResult> {
  const start = performance.now()
  const weights = seed.orgs.map((org): [SeededOrg, number] => [org, org.dept.weight])
  const names = new Map(seed.orgs.map((org) => [org.id, new Set<string>()]))
  const sequences = new Map<string, number>()
  const nextSeq = (classCode: string) => {
    const n = (sequences.get(classCode) ?? 0) + 1
    sequences.set(classCode, n)
    return n
  }
  let build = 0
  let insert = 0
  let versionRows = 0
  let storedItems = 0
  for (let done = 0; done < entries; done += batchSize) {
    const t0 = performance.now()
    const batch: Generated = { resources: [], versions: [], items: 0 }
    for (let i = 0; i < Math.min(batchSize, entries - done); i++) {
      const org = rng.weighted(weights)
      entryRows(org, names.get(org.id)!, nextSeq, rng, batch)
    }
    const t1 = performance.now()
    await db.transaction().execute(async (trx) => {
      // A bigger GIN pending list for the batch: entries reach the index in one merge (at the
      // latest at VACUUM) rather than in many small ones. The final index is the same.
      await sql`set local gin_pending_list_limit = '64MB'`.execute(trx)
      await insertChunked(trx, 'resources', batch.resources)
      await insertChunked(trx, 'resourceVersions', batch.versions)
    })
    build += t1 - t0
    insert += performance.now() - t1
    versionRows += batch.versions.length
    storedItems += batch.items
    if ((done / batchSize) % 10 === 9) log(`  ${done + batchSize} entries (${((performance.now() - start) / 1000).toFixed(1)} s)`)
  }
  await db
    .insertInto('resourceCodeSequences')
    .values([...sequences].map(([classCode, lastSeq]) => ({ classCode, lastSeq })))
    .execute()
  const t2 = performance.now()
  for (const table of ['resources', 'resource_versions', 'orgs', 'class_nodes']) await sql.raw(`vacuum analyze ${table}`).execute(db)
  const vacuumAnalyze = performance.now() - t2
  return {
    entries,
    versionRows,
    storedItems,
    entryItems: entries * ITEMS_PER_ENTRY,
    seconds: { build: build / 1000, insert: insert / 1000, vacuumAnalyze: vacuumAnalyze / 1000, total: (performance.now() - start) / 1000 },
  }
}
