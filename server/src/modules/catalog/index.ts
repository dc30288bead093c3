import type { FastifyPluginAsync } from 'fastify'
import { catalogExcelRoutes } from './excel/routes.ts'
import { catalogRoutes } from './routes.ts'
import { synonymRoutes } from './synonyms/routes.ts'

/** The catalog module: entries, classes and review tasks, plus Excel import/export (excel/). */
export const catalogModule: FastifyPluginAsync = async (app) => {
  await app.register(catalogRoutes)
  await app.register(catalogExcelRoutes)
  await app.register(synonymRoutes)
}

/** For other modules (sharing, gateway, mounts): an entry's published version, or the version an actor sees. */
export { findPublishedEntry, findVisibleResource, visibleInZone } from './queries.ts'
/** For sharing: a binding coordination decision opens a catalog update task for the provider. */
export { openEntryChangeTask } from './review-tasks.ts'
/** For sharing (grants follow publications) and the gateway (its entry cache). */
export { type PublicationChange, onEntriesChanged, onPublicationChange } from './publication.ts'
/** For the app: the mounts module answers which kinds of mount an entry has (the catalog does not import it). */
export { provideMountKinds } from './mount-kinds.ts'
/** Commands for the demo loader, which compiles, revises, submits and reviews entries as users would. */
export { createResource, reviewResource, submitResource, updateEntry, withdrawResource } from './service.ts'
export { contentOf } from './content.ts'
export { findResourceVersion, findVersion } from './queries.ts'
export { CreateResourceBody, ItemInput, type ResourceOut } from './schemas.ts'
/** Background: warnings and escalation of catalog review and update-task clocks (站内消息). */
export { catalogClockTasks, warnCatalogClocks } from './clock-jobs.ts'
/** For the demand lists: the catalog's Chinese tokens (CJK bigrams, Latin words), for text similarity. */
export { indexTokens } from './search/text.ts'
