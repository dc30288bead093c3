import type { z } from 'zod'
import type { FreshnessOut } from '../../../server/src/modules/freshness/schemas.ts'
import { api } from './client.ts'
import type { Json } from './json.ts'

export type FreshnessList = Json<z.infer<typeof FreshnessOut>>

/** Mounts flagged 未按时更新 (the provider's own; the authority's: all), with each mount's latest quality report. */
export const listStaleMounts = () => api.get<FreshnessList>('/freshness/mounts', { query: { staleOnly: 'true' }, quiet: true })
