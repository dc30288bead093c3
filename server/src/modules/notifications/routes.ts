import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod'
import { z } from 'zod'
import { IdParams } from '../../platform/http/params.ts'
import { NotificationListQuery, NotificationPage } from './schemas.ts'
import { listNotifications, markAllNotificationsRead, markNotificationRead } from './service.ts'

const tags = ['notifications']

export const notificationsRoutes: FastifyPluginAsyncZod = async (app) => {
  app.get(
    '/notifications',
    {
      config: { action: 'notification.list' },
      schema: { tags, summary: '站内消息（本人与本单位的），含未读数', querystring: NotificationListQuery, response: { 200: NotificationPage } },
    },
    (req) => listNotifications(req.ctx, req.query),
  )

  app.post(
    '/notifications/:id/read',
    {
      config: { action: 'notification.mark-read' },
      schema: { tags, summary: '标为已读', params: IdParams, response: { 200: z.object({ id: z.string(), read: z.literal(true) }) } },
    },
    (req) => markNotificationRead(req.ctx, req.params.id),
  )

  app.post(
    '/notifications/read-all',
    {
      config: { action: 'notification.mark-read' },
      schema: { tags, summary: '全部标为已读', response: { 200: z.object({ marked: z.number().int() }) } },
    },
    (req) => markAllNotificationsRead(req.ctx),
  )
}
