import { sql } from 'kysely'
import type { Task } from '../jobs/scheduler.ts'
import type { DbKind } from './database.ts'

/**
 * PGlite has no autovacuum, so nothing would ever gather planner statistics in an embedded
 * deployment: plans would stay those of an empty database, and the catalog search could not size
 * its first-rows proof from token frequencies (catalog/queries.ts). This task runs ANALYZE soon after
 * start-up (after the demo load) and every six hours. PostgreSQL's autovacuum does this itself.
 */
export function maintenanceTasks(kind: DbKind): Task[] {
  if (kind !== 'pglite') return []
  return [
    {
      name: 'db.analyze',
      intervalMs: 6 * 3_600_000,
      run: async (db) => {
        await sql`analyze`.execute(db)
        return 0
      },
    },
  ]
}
