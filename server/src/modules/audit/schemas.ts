import { z } from 'zod'
import { PageQuery } from '../../platform/http/pagination.ts'

export const AuditQuery = PageQuery.extend({
  actorId: z.uuid().optional(),
  action: z.string().max(100).optional(),
  objectType: z.string().max(50).optional(),
  objectId: z.string().max(100).optional(),
  result: z.enum(['success', 'denied', 'error']).optional(),
  from: z.iso.datetime({ offset: true }).optional().describe('起始时间（ISO 8601，含时区）'),
  to: z.iso.datetime({ offset: true }).optional(),
})
export type AuditQuery = z.infer<typeof AuditQuery>

export const AuditEventOut = z.object({
  id: z.number(),
  at: z.date(),
  actorId: z.string().nullable(),
  appId: z.string().nullable(),
  orgId: z.string().nullable(),
  action: z.string(),
  objectType: z.string().nullable(),
  objectId: z.string().nullable(),
  result: z.enum(['success', 'denied', 'error']),
  ip: z.string().nullable(),
  requestId: z.string().nullable(),
  grantId: z.string().nullable(),
  detail: z.record(z.string(), z.unknown()),
  hash: z.string(),
  prevHash: z.string(),
})

export const VerifyOut = z.object({ ok: z.boolean(), count: z.number(), headHash: z.string(), firstBadId: z.number().nullable() })
