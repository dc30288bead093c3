import type { z } from 'zod'
import type { EvidencePage, IndicatorOut, NoticeOut, RunOut, ScoresOut } from '../../../server/src/modules/evaluation/schemas.ts'
import type { Json } from './json.ts'
import { api } from './client.ts'

export type Run = Json<z.infer<typeof RunOut>>
export type Scores = Json<z.infer<typeof ScoresOut>>
export type ScoreRow = Scores['items'][number]
export type IndicatorLine = ScoreRow['indicators'][number]
export type Evidence = Json<z.infer<typeof EvidencePage>>
export type Notice = Json<z.infer<typeof NoticeOut>>
export type Indicator = z.infer<typeof IndicatorOut>

export const listIndicators = (regionCode?: string) => api.get<{ items: Indicator[] }>('/evaluation/indicators', { query: { regionCode } })
export const listRuns = () => api.get<{ items: Run[] }>('/evaluation/runs')
export const createRun = (body: { from: string; to: string; label?: string }) => api.post<Run>('/evaluation/runs', body)
export const getScores = (runId: string, regionCode?: string) => api.get<Scores>(`/evaluation/runs/${runId}/scores`, { query: { regionCode } })
export const getEvidence = (runId: string, orgId: string, indicatorId: string, query: { page: number; pageSize: number; ok?: boolean }) =>
  api.get<Evidence>(`/evaluation/runs/${runId}/scores/${orgId}/indicators/${indicatorId}/evidence`, { query })
export const issueNotices = (runId: string) => api.post<{ items: Notice[] }>(`/evaluation/runs/${runId}/notices`)
export const listNotices = (query: { runId?: string; status?: string; page?: number; pageSize?: number }) =>
  api.get<{ items: Notice[]; total: number }>('/notices', { query })
export const respondNotice = (id: string, measures: string) => api.post<Notice>(`/notices/${id}/respond`, { measures })
export const closeNotice = (id: string, accept: boolean, comment: string) => api.post<Notice>(`/notices/${id}/close`, { accept, comment })
export const downloadReport = (runId: string, format: 'docx' | 'xlsx', orgId?: string) =>
  api.download(`/evaluation/runs/${runId}/report`, { query: { format, orgId } })
