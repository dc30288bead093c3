export { findOrg, findOrgByName } from './queries.ts'
export { orgRoutes as orgsModule } from './routes.ts'
export { onOrgsChanged } from './org-signal.ts'
export { insertOrg } from './service.ts'
