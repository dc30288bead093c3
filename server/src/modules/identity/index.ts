export { identityRoutes as identityModule } from './routes.ts'
