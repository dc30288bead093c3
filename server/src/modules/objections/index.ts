/** Data objections (数据异议/纠错, SPEC §6.8, §7.8): the HTTP plugin, its tasks, and the flags the gateway shows. */
export { objectionRoutes as objectionsModule } from './routes.ts'
export { objectionTasks } from './jobs.ts'
export { R11_RULE, flaggedKeysOf, flaggedRecordKeys, onObjectionFlagsChanged, recordKeyOf } from './flags.ts'
/** Commands for the demo loader, which raises and handles objections as users would. */
export { acceptObjection, raiseObjection, verifyObjection } from './service.ts'
