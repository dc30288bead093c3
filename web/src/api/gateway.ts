import type { z } from 'zod'
import type { AppCreatedOut, AppOut, CallListQuery, CallOut, CreateAppBody, SampleOut } from '../../../server/src/modules/gateway/schemas.ts'
import { type Query, api, saveDownload } from './client.ts'
import type { Json, Page } from './json.ts'

export type GatewayApp = Json<z.infer<typeof AppOut>>
export type AppWithSecret = Json<z.infer<typeof AppCreatedOut>>
export type NewApp = z.input<typeof CreateAppBody>
export type Call = Json<z.infer<typeof CallOut>>
export type CallFilter = Partial<z.input<typeof CallListQuery>>
export type Sample = Json<z.infer<typeof SampleOut>>

/** Up to 5 masked rows of an 无条件共享 entry's mounted table; 409 NO_SAMPLE when none is mounted. */
export const getSample = (resourceId: string) => api.get<Sample>(`/catalog/resources/${resourceId}/sample`, { quiet: true })
/** For the reviewer: masked rows of a submitted version's mounted table (403 once nothing waits for review). */
export const getReviewSample = (resourceId: string) => api.get<Sample & { version: number }>(`/catalog/resources/${resourceId}/review-sample`, { quiet: true })

export const listApps = () => api.get<{ items: GatewayApp[] }>('/apps', { quiet: true })
export const createApp = (body: NewApp) => api.post<AppWithSecret>('/apps', body, { quiet: true })
export const disableApp = (id: string) => api.post<GatewayApp>(`/apps/${id}/disable`)
export const rotateSecret = (id: string) => api.post<AppWithSecret>(`/apps/${id}/rotate-secret`)
export const listCalls = (query: CallFilter) => api.get<Page<Call>>('/gateway/calls', { query: query as Query })

/** 调用台账: the call list's filters (no paging), as an Excel download. */
export const exportCalls = async ({ page: _p, pageSize: _s, ...filters }: CallFilter) =>
  saveDownload(await api.download('/gateway/calls/export', { query: filters as Query }), '调用台账.xlsx')
