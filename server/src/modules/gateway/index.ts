export { gatewayRoutes as gatewayModule } from './routes.ts'
// For the exchange's table delivery: the same items, masks and row filter as the gateway's records.
export { type Granted, columnMasks, grantFilterSql, grantedItems, maskRow, maskedFilterOf, pseudonymKeyOf } from './grant-view.ts'
