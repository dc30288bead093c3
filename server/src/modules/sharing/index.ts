export { recordUsage } from './grants.ts'
export { sharingTasks } from './jobs.ts'
export { findLatestGrant, findUsableGrant } from './queries.ts'
export { sharingRoutes as sharingModule } from './routes.ts'
