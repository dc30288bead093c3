/** Demand lists (供需对接, SPEC §6.9, §7.9): the HTTP plugin and its clock tasks. */
export { demandRoutes as demandsModule } from './routes.ts'
export { demandTasks } from './jobs.ts'
/** Commands for the demo loader, which registers and handles demands as users would. */
export { createDemand, fulfilDemand, respondDemand, triageDemand } from './service.ts'
