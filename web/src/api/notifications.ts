import type { z } from 'zod'
import type { NotificationPage } from '../../../server/src/modules/notifications/schemas.ts'
import type { Json } from './json.ts'
import { api } from './client.ts'

export type NotificationList = Json<z.infer<typeof NotificationPage>>
export type Notification = NotificationList['items'][number]

export const listNotifications = (query: { unread?: boolean; page?: number; pageSize?: number } = {}) =>
  api.get<NotificationList>('/notifications', { query: { ...query, unread: query.unread === undefined ? undefined : String(query.unread) } })
export const markRead = (id: string) => api.post<{ id: string; read: true }>(`/notifications/${id}/read`)
export const markAllRead = () => api.post<{ marked: number }>('/notifications/read-all')
