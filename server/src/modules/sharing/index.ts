import type { FastifyPluginAsync } from 'fastify'
import { onPublicationChange } from '../catalog/index.ts'
import { followPublication } from './grant-follow.ts'
import { sharingRoutes } from './routes.ts'

export { onGrantsChanged } from './grant-signal.ts'
export { escalateOverdueRequests, sharingTasks } from './jobs.ts'
/** Commands for the demo loader, which files, decides and coordinates requests as users would. */
export { addCaseNote, decideCase, escalateCase, openCase } from './coordination.ts'
export { createShareRequest, decideShareRequest, requestMoreInfo, withdrawShareRequest } from './requests.ts'
export { type GrantView, findGrantForCall, findGrantView, findLatestGrant, findUsableGrant } from './queries.ts'
/** For the supervision modules: a disputed objection or a declined demand opens a case; a fulfilled demand a request. */
export { type NewCase, insertCase } from './coordination.ts'
export { submitShareRequest } from './requests.ts'
export { recordGrantUsage } from './usage.ts'

/** The sharing module: requests, grants, coordination; its grants follow every catalog publication. */
export const sharingModule: FastifyPluginAsync = async (app) => {
  // Registered once per process whatever the number of apps (a Set keeps one follower).
  onPublicationChange(followPublication)
  await app.register(sharingRoutes)
}
