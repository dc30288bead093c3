import { Tag, Tooltip } from 'antd'
import { useEffect, useState } from 'react'
import { formatDate } from '../lib/dates.ts'
import { type Countdown, countdownText, workdayCountdown } from '../lib/workdays.ts'

/** `剩余 N 个工作日` / `今日到期` / `已逾期 N 个工作日`, counted on the platform's working-day calendar. */
export function WorkdayCountdown({ due }: { due: string | null | undefined }) {
  const [countdown, setCountdown] = useState<Countdown | null>(null)
  const [failed, setFailed] = useState(false)
  useEffect(() => {
    if (!due) return
    let live = true
    workdayCountdown(due).then(
      (c) => live && setCountdown(c),
      () => live && setFailed(true),
    )
    return () => {
      live = false
    }
  }, [due])
  if (!due) return <span>—</span>
  if (failed) return <span>{formatDate(due)} 到期</span>
  if (!countdown) return <Tag>计算中…</Tag>
  const color = countdown.overdue ? 'red' : countdown.remaining <= 2 ? 'orange' : 'blue'
  return (
    <Tooltip title={`办理期限：${formatDate(countdown.dueDate)}（按工作日历计算）`}>
      <Tag color={color} data-testid="countdown">
        {countdownText(countdown)}
      </Tag>
    </Tooltip>
  )
}
