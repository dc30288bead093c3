import { addUpstreamHost } from '../modules/security/index.ts'
import type { Config } from '../platform/config/config.ts'
import { makeCtx } from '../platform/context.ts'
import type { Db } from '../platform/db/database.ts'
import { type DemoProgress, loadCatalog } from './catalog-loader.ts'
import { DEMO_ENTRIES } from './catalog-entries.ts'
import { loadDirectory } from './directory.ts'
import { loadActivity } from './activity-demo.ts'
import { loadSharing } from './sharing-demo.ts'
import { loadDataElements, loadSupervision } from './supervision-demo.ts'

/** When the demo city "went live": orgs and accounts are dated from then. */
const DIRECTORY_CREATED_AT = new Date('2026-03-02T08:30:00+08:00')

export interface DemoSummary {
  orgs: number
  users: number
  classNodes: number
  resources: number
  /** Latest versions per status (an entry edited after publication counts as a draft here). */
  byStatus: Record<string, number>
  /** Entries whose published version other departments see. */
  published: number
  byClass: Record<string, number>
  /** Share requests created, by the state they were left in. */
  requests: Record<string, number>
  /** The year of recorded activity behind the evaluation page (activity-demo.ts). */
  activity: Awaited<ReturnType<typeof loadActivity>>
  /** 一数一源 data elements registered. */
  dataElements: number
  /** Objections, demands and coordination decisions created, by state. */
  supervision: Record<string, number>
  ms: number
}

/** Where the demo's upstream APIs live (placeholders: no department system answers in a demo). */
export const DEMO_UPSTREAM_RANGE = '10.37.0.0/16'

/** Loads the Weifang demo (API.md "Demo data") into an empty database. */
export async function loadDemo(db: Db, config: Config, progress: DemoProgress = () => undefined): Promise<DemoSummary> {
  const started = performance.now()
  if (await db.selectFrom('orgs').select('id').limit(1).executeTakeFirst()) {
    throw new Error('the demo loads only into an empty database (orgs already exist)')
  }
  const directory = await loadDirectory(db, DIRECTORY_CREATED_AT)
  progress('directory', { classNodes: directory.classNodes })
  // The security administrator allows the city's data centre before departments register upstream APIs.
  const asSecAdmin = makeCtx({ db, actor: directory.actor('secadmin'), config, now: () => DIRECTORY_CREATED_AT })
  await addUpstreamHost(asSecAdmin, { host: DEMO_UPSTREAM_RANGE, port: null, note: '潍坊市电子政务外网数据中心（演示）' })
  // The 一数一源 registry comes first: each catalog submission is checked against it.
  const dataElements = await loadDataElements(db, config, directory, DIRECTORY_CREATED_AT)
  progress('catalog', { done: 0, entries: DEMO_ENTRIES.length })
  await loadCatalog(db, config, directory, DEMO_ENTRIES, progress)
  progress('sharing', { entries: DEMO_ENTRIES.length })
  const requests = await loadSharing(db, config, directory)
  const activity = await loadActivity(db, config, directory)
  const supervision = await loadSupervision(db, config, directory)
  return {
    ...(await countCatalog(db)),
    requests,
    activity,
    dataElements,
    supervision,
    classNodes: directory.classNodes,
    ms: Math.round(performance.now() - started),
  }
}

async function countCatalog(db: Db) {
  const [orgs, users, latest, published] = await Promise.all([
    db
      .selectFrom('orgs')
      .select((eb) => eb.fn.countAll<number>().as('n'))
      .executeTakeFirstOrThrow(),
    db
      .selectFrom('users')
      .select((eb) => eb.fn.countAll<number>().as('n'))
      .executeTakeFirstOrThrow(),
    db.selectFrom('resourceVersions').select(['status', 'classCode']).where('isLatest', '=', true).execute(),
    db
      .selectFrom('resourceVersions')
      .select((eb) => eb.fn.countAll<number>().as('n'))
      .where('isPublished', '=', true)
      .executeTakeFirstOrThrow(),
  ])
  const tally = (keys: string[]) => keys.reduce<Record<string, number>>((acc, key) => ({ ...acc, [key]: (acc[key] ?? 0) + 1 }), {})
  return {
    orgs: Number(orgs.n),
    users: Number(users.n),
    resources: latest.length,
    byStatus: tally(latest.map((v) => v.status)),
    published: Number(published.n),
    byClass: tally(latest.map((v) => v.classCode[0])),
  }
}
