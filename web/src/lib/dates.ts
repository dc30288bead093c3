import dayjs from 'dayjs'
import 'dayjs/locale/zh-cn'
import utc from 'dayjs/plugin/utc'

dayjs.extend(utc)
dayjs.locale('zh-cn')

/** The platform's clocks run on Beijing time (API.md: `+08:00` for display), whatever the browser's zone. */
export const BEIJING_OFFSET_MINUTES = 8 * 60

export const beijing = (value?: string | number | Date | dayjs.Dayjs) => dayjs(value).utcOffset(BEIJING_OFFSET_MINUTES)

/** Today's date in Beijing, `YYYY-MM-DD`. */
export const todayInBeijing = () => beijing().format('YYYY-MM-DD')

/** `2026年11月26日` */
export const formatDate = (value: string | null | undefined) => {
  if (!value) return '—'
  // A bare date names a calendar day: no timezone shift.
  return /^\d{4}-\d{2}-\d{2}$/.test(value) ? dayjs(value).format('YYYY年M月D日') : beijing(value).format('YYYY年M月D日')
}

/** `2026年11月26日 14:05` */
export const formatDateTime = (value: string | null | undefined) => (value ? beijing(value).format('YYYY年M月D日 HH:mm') : '—')

/** `2026年11月26日 14:05:09` (audit records) */
export const formatDateTimeSeconds = (value: string | null | undefined) => (value ? beijing(value).format('YYYY年M月D日 HH:mm:ss') : '—')

/** `星期四` */
export const weekdayName = (date: string) => dayjs(date).format('dddd')

/** The Beijing calendar date of an instant, `YYYY-MM-DD`. */
export const beijingDateOf = (value: string) => beijing(value).format('YYYY-MM-DD')

export { dayjs }
