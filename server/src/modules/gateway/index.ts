export { gatewayRoutes as gatewayModule } from './routes.ts'
