/** Security policy kept by SEC_ADMIN (SPEC §2.2): the upstream allow-list, and what other modules may use of it. */
export { securityRoutes as securityModule } from './routes.ts'
export { assertUpstreamAllowed, loadUpstreamPolicy } from './service.ts'
// A command, for loaders outside HTTP (the demo data): it checks the actor like its route does.
export { addUpstreamHost } from './service.ts'
export { onUpstreamHostsChanged } from './signal.ts'
export { type UpstreamPolicy, type UpstreamTarget, checkResolvedAddress, checkUpstreamUrl } from './upstream-rules.ts'
