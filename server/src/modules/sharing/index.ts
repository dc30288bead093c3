import type { FastifyPluginAsync } from 'fastify'
import { onPublicationChange } from '../catalog/index.ts'
import { followPublication } from './grant-follow.ts'
import { sharingRoutes } from './routes.ts'

export { onGrantsChanged } from './grant-signal.ts'
export { sharingTasks } from './jobs.ts'
export { findGrantForCall, findGrantView, findLatestGrant, findUsableGrant } from './queries.ts'
export { recordGrantUsage } from './usage.ts'

/** The sharing module: requests, grants, coordination; its grants follow every catalog publication. */
export const sharingModule: FastifyPluginAsync = async (app) => {
  // Registered once per process whatever the number of apps (a Set keeps one follower).
  onPublicationChange(followPublication)
  await app.register(sharingRoutes)
}
