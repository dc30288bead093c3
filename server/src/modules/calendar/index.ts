export { calendarRoutes as calendarModule } from './routes.ts'
