import { z } from 'zod'
import { PageQuery } from '../../platform/http/pagination.ts'

export const NotificationListQuery = PageQuery.extend({
  unread: z
    .enum(['true', 'false'])
    .optional()
    .transform((v) => (v === undefined ? undefined : v === 'true'))
    .describe('true：只看未读'),
})
export type NotificationListQuery = z.infer<typeof NotificationListQuery>

export const NotificationOut = z.object({
  id: z.string(),
  kind: z.string(),
  title: z.string(),
  objectType: z.string(),
  objectId: z.string(),
  dueAt: z.date().nullable(),
  createdAt: z.date(),
  readAt: z.date().nullable(),
})

export const NotificationPage = z.object({
  items: z.array(NotificationOut),
  total: z.number().int(),
  unread: z.number().int(),
  page: z.number().int(),
  pageSize: z.number().int(),
})
