import type { z } from 'zod'
import type { AddUpstreamHostBody, UpstreamHostOut } from '../../../server/src/modules/security/schemas.ts'
import { api } from './client.ts'
import type { Json } from './json.ts'

export type UpstreamHost = Json<z.infer<typeof UpstreamHostOut>>
export type NewUpstreamHost = z.input<typeof AddUpstreamHostBody>

export const listUpstreamHosts = () => api.get<{ items: UpstreamHost[] }>('/security/upstream-hosts')
export const addUpstreamHost = (body: NewUpstreamHost) => api.post<UpstreamHost>('/security/upstream-hosts', body)
export const removeUpstreamHost = (id: string) => api.delete<UpstreamHost>(`/security/upstream-hosts/${encodeURIComponent(id)}`)
