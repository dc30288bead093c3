import type { z } from 'zod'
import type { AuditEventOut, AuditQuery, VerifyOut } from '../../../server/src/modules/audit/schemas.ts'
import { type Query, api, saveDownload } from './client.ts'
import type { Json, Page } from './json.ts'

export type AuditEvent = Json<z.infer<typeof AuditEventOut>>
export type AuditFilter = Partial<z.input<typeof AuditQuery>>
export type ChainVerification = z.infer<typeof VerifyOut>

export const listAuditEvents = (query: AuditFilter) => api.get<Page<AuditEvent>>('/audit/events', { query: query as Query })
export const verifyChain = () => api.get<ChainVerification>('/audit/verify')

/** The events matching the filter as a file (CSV with BOM or XLSX); the export itself is audited. */
export async function exportAuditEvents(filter: AuditFilter, format: 'csv' | 'xlsx') {
  const { page: _page, pageSize: _pageSize, ...rest } = filter as AuditFilter & { page?: number; pageSize?: number }
  const response = await api.download('/audit/events/export', { query: { ...rest, format } as Query })
  return saveDownload(response, `审计日志.${format}`)
}
