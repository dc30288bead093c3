import { sql } from 'kysely'
import type { Executor } from '../../platform/db/database.ts'

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i

interface Named {
  objectType: string | null
  objectId: string | null
  detail: Record<string, unknown>
}

type Lookup = (db: Executor, ids: string[]) => Promise<{ id: string; name: string }[]>

/** The entry's newest name (an auditor reads events of drafts as well as of published versions). */
const resourceNames: Lookup = (db, ids) =>
  db.selectFrom('resourceVersions').select(['resourceId as id', 'name']).where('resourceId', 'in', ids).where('isLatest', '=', true).execute()

/** How each object type is named to a person reading the audit log. */
const LOOKUPS: Record<string, Lookup> = {
  resource: resourceNames,
  user: (db, ids) =>
    db
      .selectFrom('users')
      .select(['id', sql<string>`name || '（' || username || '）'`.as('name')])
      .where('id', 'in', ids)
      .execute(),
  org: (db, ids) => db.selectFrom('orgs').select(['id', 'name']).where('id', 'in', ids).execute(),
  app: (db, ids) => db.selectFrom('apps').select(['id', 'name']).where('id', 'in', ids).execute(),
  share_request: (db, ids) =>
    db
      .selectFrom('shareRequests as s')
      .innerJoin('resourceVersions as v', (j) => j.onRef('v.resourceId', '=', 's.resourceId').on('v.isLatest', '=', true))
      .select(['s.id', sql<string>`s.no || ' ' || v.name`.as('name')])
      .where('s.id', 'in', ids)
      .execute(),
  grant: (db, ids) =>
    db
      .selectFrom('grants as g')
      .innerJoin('resourceVersions as v', (j) => j.onRef('v.resourceId', '=', 'g.resourceId').on('v.isLatest', '=', true))
      .innerJoin('orgs as o', 'o.id', 'g.consumerOrgId')
      .select(['g.id', sql<string>`v.name || ' → ' || o.name`.as('name')])
      .where('g.id', 'in', ids)
      .execute(),
  coordination_case: (db, ids) =>
    db
      .selectFrom('coordinationCases as c')
      .leftJoin('resourceVersions as v', (j) => j.onRef('v.resourceId', '=', 'c.resourceId').on('v.isLatest', '=', true))
      .innerJoin('orgs as o', 'o.id', 'c.applicantOrgId')
      .select(['c.id', sql<string>`coalesce(v.name, '') || '（' || o.name || ' 申请协调）'`.as('name')])
      .where('c.id', 'in', ids)
      .execute(),
}

/**
 * Names of the objects a page of audit events points at, keyed `type:id`, in one query per type.
 * Objects whose id already reads as a name (a date, a parameter key, a class code) and upstream hosts
 * (named in the event itself) need no lookup.
 */
export async function objectNames(db: Executor, events: Named[]): Promise<Map<string, string>> {
  const names = new Map<string, string>()
  const byType = new Map<string, Set<string>>()
  for (const event of events) {
    if (!event.objectType || !event.objectId) continue
    if (event.objectType === 'upstream_host' && typeof event.detail.host === 'string') {
      names.set(`${event.objectType}:${event.objectId}`, event.detail.host)
    } else if (LOOKUPS[event.objectType] && UUID.test(event.objectId)) {
      byType.set(event.objectType, (byType.get(event.objectType) ?? new Set()).add(event.objectId))
    } else if (!UUID.test(event.objectId)) {
      names.set(`${event.objectType}:${event.objectId}`, event.objectId)
    }
  }
  await Promise.all(
    [...byType].map(async ([type, ids]) => {
      for (const row of await LOOKUPS[type](db, [...ids])) names.set(`${type}:${row.id}`, row.name)
    }),
  )
  return names
}
