export { auditRoutes as auditModule } from './routes.ts'
