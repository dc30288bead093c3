/** 站内消息 centre (SPEC §6.11): list, unread count, mark read. Writing a message is `platform/notify`. */
export { notificationsRoutes as notificationsModule } from './routes.ts'
