/** Tenant parameters (SPEC §7.1): the deadlines and clocks the system administrator may set. */
export { parametersRoutes as parametersModule } from './routes.ts'
