/** Resource mounting (资源挂接, SPEC §6.2, §7.3): the HTTP plugin and the functions other modules may use. */
export { mountsRoutes as mountsModule } from './routes.ts'
export { type ActiveTableMount, type ApiMount, type LatestFile, activeMountKinds, findActiveTableMount, findApiMount, latestFile } from './lookups.ts'
export { type CleanupResult, cleanupStaleBatches } from './cleanup.ts'
// Commands, for loaders outside HTTP (the demo data): each checks the actor like its route does.
export { registerApi, uploadFile, uploadTableCommand } from './service.ts'
export type { LoaderEnv } from './table-upload.ts'
