import type { z } from 'zod'
import type {
  CreateNodeBody,
  JobControlsBody,
  JobOut,
  JobsQuery,
  NodeCreatedOut,
  NodeOut,
  NodesQuery,
  RecentRunOut,
  RecentRunsQuery,
} from '../../../server/src/modules/exchange/schemas.ts'
import type { DownloadOut, GrantFileOut } from '../../../server/src/modules/exchange/files/schemas.ts'
import { type Query, api, saveDownload } from './client.ts'
import type { Json, Page } from './json.ts'

export type ExchangeNode = Json<z.infer<typeof NodeOut>>
export type CreatedNode = Json<z.infer<typeof NodeCreatedOut>>
export type ExchangeJob = Json<z.infer<typeof JobOut>>
export type ExchangeRun = Json<z.infer<typeof RecentRunOut>>
export type JobControls = z.input<typeof JobControlsBody>

export const listNodes = (query: Partial<z.input<typeof NodesQuery>> = {}) => api.get<{ items: ExchangeNode[] }>('/exchange/nodes', { query: query as Query })
export const createNode = (body: z.input<typeof CreateNodeBody>) => api.post<CreatedNode>('/exchange/nodes', body, { quiet: true })
export const reissueEnrolment = (id: string) => api.post<CreatedNode>(`/exchange/nodes/${id}/enrolment`, {})
export const revokeNode = (id: string) => api.post<null>(`/exchange/nodes/${id}/revoke`, {})

export const listJobs = (query: Partial<z.input<typeof JobsQuery>> = {}) => api.get<{ items: ExchangeJob[] }>('/exchange/jobs', { query: query as Query })
export const updateJobControls = (id: string, body: JobControls) => api.patch<null>(`/exchange/jobs/${id}`, body, { quiet: true })
export const runJobNow = (id: string, full: boolean) => api.post<null>(`/exchange/jobs/${id}/run`, { full })
export const pauseJob = (id: string) => api.post<null>(`/exchange/jobs/${id}/pause`, {})
export const resumeJob = (id: string) => api.post<null>(`/exchange/jobs/${id}/resume`, {})
export const stopJob = (id: string, reason: string) => api.post<null>(`/exchange/jobs/${id}/stop`, { reason })

export const listRuns = (query: Partial<z.input<typeof RecentRunsQuery>> = {}) => api.get<Page<ExchangeRun>>('/exchange/runs', { query: query as Query })

export type GrantFile = Json<GrantFileOut>
export type FileDownload = Json<DownloadOut>

export const listGrantFiles = (grantId: string) => api.get<{ items: GrantFile[] }>(`/grants/${grantId}/files`, { quiet: true })
export const listFileDownloads = (grantId: string) => api.get<{ items: FileDownload[] }>(`/grants/${grantId}/file-downloads`, { quiet: true })

/** Downloads one version of a 文件 grant's file (a marked copy); returns the download id the server assigned. */
export async function downloadGrantFile(grantId: string, file: GrantFile, purpose: string, businessRef: string) {
  const query = { purpose, ...(businessRef.trim() ? { businessRef } : {}) }
  const response = await api.download(`/grants/${grantId}/files/${file.id}/download`, { query })
  const downloadId = response.headers.get('x-download-id')
  await saveDownload(response, file.fileName)
  return downloadId
}
