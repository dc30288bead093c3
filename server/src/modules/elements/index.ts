/** 一数一源: the data element registry, its warnings for the catalog and the authority's worklist. */
export { elementRoutes as elementsModule } from './routes.ts'
export { type OneSourceWarning, oneSourceWarnings, recordOneSourceCases } from './registry.ts'
export { createElement } from './service.ts'
