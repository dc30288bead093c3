import type { z } from 'zod'
import type {
  AuthorityDecisionBody,
  ComplianceReviewBody,
  CaseDecisionBody,
  CaseListQuery,
  CaseOut,
  CreateRequestBody,
  DecisionBody,
  DecisionPreviewBody,
  DecisionPreviewOut,
  GrantListQuery,
  GrantOut,
  RequestListQuery,
  ResubmitBody,
  ShareRequestOut,
  UsageOut,
} from '../../../server/src/modules/sharing/schemas.ts'
import type { MaskingRule } from '../../../server/src/platform/db/schema.ts'
import { type Query, api, saveDownload } from './client.ts'
import type { Json, Page } from './json.ts'

export type ShareRequest = Json<ShareRequestOut>
export type HistoryEntry = NonNullable<ShareRequest['history']>[number]
export type NewShareRequest = z.input<typeof CreateRequestBody>
export type Decision = z.input<typeof DecisionBody>
export type AuthorityDecision = z.input<typeof AuthorityDecisionBody>
export type DecisionPreview = Json<z.infer<typeof DecisionPreviewOut>>
export type RequestFilter = Partial<z.input<typeof RequestListQuery>>
export type Grant = Json<GrantOut>
export type GrantFilter = Partial<z.input<typeof GrantListQuery>>
export type Usage = Json<z.infer<typeof UsageOut>>
export type CoordinationCase = Json<z.infer<typeof CaseOut>>
export type CaseFilter = Partial<z.input<typeof CaseListQuery>>
export type CaseDecision = z.input<typeof CaseDecisionBody>
export type { MaskingRule }

export const createShareRequest = (body: NewShareRequest) => api.post<ShareRequest>('/share-requests', body, { quiet: true })
export const listShareRequests = (query: RequestFilter, quiet = false) => api.get<Page<ShareRequest>>('/share-requests', { query: query as Query, quiet })
export const getShareRequest = (id: string) => api.get<ShareRequest>(`/share-requests/${id}`, { quiet: true })
export const decideShareRequest = (id: string, body: Decision) => api.post<ShareRequest>(`/share-requests/${id}/decision`, body, { quiet: true })
/** The masking a decision would apply and its re-identification warnings; changes nothing. */
export const previewDecision = (id: string, body: z.input<typeof DecisionPreviewBody>) =>
  api.post<DecisionPreview>(`/share-requests/${id}/decision-preview`, body, { quiet: true })
export const requestMoreInfo = (id: string, comment: string) => api.post<ShareRequest>(`/share-requests/${id}/request-info`, { comment })
export const resubmitShareRequest = (id: string, body: z.input<typeof ResubmitBody>) => api.post<ShareRequest>(`/share-requests/${id}/resubmit`, body)
export const withdrawShareRequest = (id: string, reason: string) => api.post<ShareRequest>(`/share-requests/${id}/withdraw`, reason ? { reason } : {})
export const reviewCompliance = (id: string, body: z.input<typeof ComplianceReviewBody>) =>
  api.post<ShareRequest>(`/share-requests/${id}/compliance-review`, body, { quiet: true })
export const authorityDecide = (id: string, body: AuthorityDecision) =>
  api.post<ShareRequest>(`/share-requests/${id}/authority-decision`, body, { quiet: true })

export const listGrants = (query: GrantFilter, quiet = false) => api.get<Page<Grant>>('/grants', { query: query as Query, quiet })
export const getGrant = (id: string) => api.get<Grant>(`/grants/${id}`, { quiet: true })
export const revokeGrant = (id: string, reason: string) => api.post<Grant>(`/grants/${id}/revoke`, { reason })
export const suspendGrant = (id: string, reason: string) => api.post<Grant>(`/grants/${id}/suspend`, { reason })
export const resumeGrant = (id: string, reason: string) => api.post<Grant>(`/grants/${id}/resume`, { reason })
export const reconfirmGrant = (id: string, comment?: string) => api.post<Grant>(`/grants/${id}/reconfirm`, comment ? { comment } : {})
/** The grant's own OpenAPI document (what this grant lets the consumer call), saved as a JSON file. */
export async function downloadGrantOpenApi(id: string, resourceName: string) {
  return saveDownload(await api.download(`/grants/${id}/openapi.json`), `${resourceName}-接口文档-openapi.json`)
}
export const listUsage = (id: string, page = 1) => api.get<Page<Usage>>(`/grants/${id}/usage`, { query: { page, pageSize: 20 }, quiet: true })

export const previewMasking = (rule: MaskingRule, values: (string | number | null)[]) =>
  api.post<{ rule: string; values: unknown[] }>('/masking/preview', { rule, values }, { quiet: true })

export const openCase = (body: { requestId?: string; resourceId?: string; statement: string }) => api.post<CoordinationCase>('/coordination-cases', body)
export const listCases = (query: CaseFilter) => api.get<Page<CoordinationCase>>('/coordination-cases', { query: query as Query })
export const getCase = (id: string) => api.get<CoordinationCase>(`/coordination-cases/${id}`, { quiet: true })
export const addCaseNote = (id: string, text: string) => api.post<CoordinationCase>(`/coordination-cases/${id}/notes`, { text })
export const escalateCase = (id: string, text: string) => api.post<CoordinationCase>(`/coordination-cases/${id}/escalate`, { text })
export const decideCase = (id: string, body: CaseDecision) => api.post<CoordinationCase>(`/coordination-cases/${id}/decision`, body)

/** 申请台账 / 授权台账: the list's filters (no paging), as an Excel download. */
export const exportShareRequests = async ({ page: _p, pageSize: _s, ...filters }: RequestFilter) =>
  saveDownload(await api.download('/share-requests/export', { query: filters as Query }), '申请台账.xlsx')
export const exportGrants = async ({ page: _p, pageSize: _s, ...filters }: GrantFilter) =>
  saveDownload(await api.download('/grants/export', { query: filters as Query }), '授权台账.xlsx')
