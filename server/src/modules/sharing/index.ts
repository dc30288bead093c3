export { onGrantsChanged } from './grant-signal.ts'
export { sharingTasks } from './jobs.ts'
export { findGrantForCall, findLatestGrant, findUsableGrant } from './queries.ts'
export { sharingRoutes as sharingModule } from './routes.ts'
