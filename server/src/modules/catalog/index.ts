export { catalogRoutes as catalogModule } from './routes.ts'

/** For other modules (sharing, gateway): the published version of an entry. */
export { findPublishedEntry } from './queries.ts'
