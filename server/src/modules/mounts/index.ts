/** Resource mounting (资源挂接, SPEC §6.2, §7.3): the HTTP plugin and the functions other modules may use. */
import type { Task } from '../../platform/jobs/scheduler.ts'
import { cleanupStaleBatches } from './storage/cleanup.ts'

export { mountsRoutes as mountsModule } from './routes.ts'
export {
  type ActiveTableMount,
  type ApiMount,
  type LatestFile,
  activeMountKinds,
  fileVersions,
  findActiveTableMount,
  findApiMount,
  findDataSource,
  latestFile,
} from './lookups.ts'
export { onMountsChanged } from './mount-signal.ts'
export { type CleanupResult, cleanupStaleBatches } from './storage/cleanup.ts'

// Replaced batches are kept for restoring a few days (parameter mounts.restoreDays), then dropped here.
export const mountTasks: readonly Task[] = [
  { name: 'mounts.purge-replaced', intervalMs: 60 * 60_000, run: async (db, now) => (await cleanupStaleBatches(db, () => now)).droppedTables.length },
]
// Commands, for loaders outside HTTP (the demo data): each checks the actor like its route does.
export { loadFedTable, registerApi, uploadFile, uploadTableCommand } from './service.ts'
export { type FeedOptions, FULL_LOAD_NEEDED, type LoaderEnv } from './table-upload.ts'
// SM4 at rest: what the gateway needs to look up, filter and decrypt sealed columns.
export { canonicalLookup, dataKeyUnavailable, digestValue, formatOf, openSealedValue, sealerFor } from './storage/sealed-columns.ts'
/** For the freshness and quality checks (modules/freshness): the schema-qualified name of a batch's table. */
export { qualifiedName as managedTableName } from './storage/managed-table.ts'
