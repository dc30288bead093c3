/**
 * Channels beyond the platform (SPEC §6.11: 短信, 政务微信/钉钉). Each is one implementation of this
 * interface; none is wired yet, because each needs the city's gateway account and a reviewed template.
 * An outbox job would read new `notifications` rows after commit and call `send` (never inside a
 * transaction: STYLE §5).
 */
export interface NotificationChannel {
  readonly name: 'site' | 'sms' | 'gov_wechat'
  readonly label: string
  /** True when the channel is configured and may be called. */
  readonly enabled: boolean
  send(message: { to: { userId: string; mobile: string | null }; title: string; link: string | null }): Promise<void>
}

const notWired = (name: 'sms' | 'gov_wechat', label: string): NotificationChannel =>
  Object.freeze({
    name,
    label,
    enabled: false,
    async send() {
      throw new Error(`${label}通道未接入`)
    },
  })

/** The in-platform channel is the table itself: nothing to send. */
const site: NotificationChannel = Object.freeze({ name: 'site', label: '站内消息', enabled: true, async send() {} })

export const CHANNELS: readonly NotificationChannel[] = Object.freeze([site, notWired('sms', '短信'), notWired('gov_wechat', '政务微信')])
