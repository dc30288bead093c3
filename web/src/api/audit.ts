import type { z } from 'zod'
import type { AuditEventOut, AuditQuery, VerifyOut } from '../../../server/src/modules/audit/schemas.ts'
import { type Query, api } from './client.ts'
import type { Json, Page } from './json.ts'

export type AuditEvent = Json<z.infer<typeof AuditEventOut>>
export type AuditFilter = Partial<z.input<typeof AuditQuery>>
export type ChainVerification = z.infer<typeof VerifyOut>

export const listAuditEvents = (query: AuditFilter) => api.get<Page<AuditEvent>>('/audit/events', { query: query as Query })
export const verifyChain = () => api.get<ChainVerification>('/audit/verify')
