export { catalogRoutes as catalogModule } from './routes.ts'
