import { LeftOutlined, RightOutlined } from '@ant-design/icons'
import { Alert, App, Button, Card, Col, Form, Input, Modal, Radio, Row, Space, Statistic, Tag } from 'antd'
import { useMemo, useState } from 'react'
import { useSearchParams } from 'react-router-dom'
import { type Day, getYear, updateDay } from '../../api/calendar.ts'
import { useAuth } from '../../auth/AuthProvider.tsx'
import { allowedByRole } from '../../auth/permissions.ts'
import { PageContainer } from '../../components/PageContainer.tsx'
import { LoadError, Loading } from '../../components/States.tsx'
import { useAsync } from '../../hooks/useAsync.ts'
import { dayjs, todayInBeijing } from '../../lib/dates.ts'
import { forgetCalendarYear } from '../../lib/workdays.ts'

const WEEK_HEAD = ['一', '二', '三', '四', '五', '六', '日']
const isWeekend = (date: string) => [0, 6].includes(dayjs(date).day())

/** rest = ordinary weekend, holiday = a weekday off (法定节假日), makeup = a weekend worked (调休上班). */
function kindOf(day: Day): 'work' | 'rest' | 'holiday' | 'makeup' {
  if (day.isWorkday) return isWeekend(day.date) ? 'makeup' : 'work'
  return isWeekend(day.date) && !day.note ? 'rest' : 'holiday'
}

/** Holiday runs (consecutive days off with one note) and make-up working days, for the summary list. */
function holidaySummary(days: Day[]) {
  const runs: { note: string; from: string; to: string; makeup: boolean }[] = []
  for (const day of days) {
    if (!day.note) continue
    const makeup = day.isWorkday
    const last = runs[runs.length - 1]
    if (last && last.note === day.note && last.makeup === makeup && dayjs(last.to).add(1, 'day').format('YYYY-MM-DD') === day.date) last.to = day.date
    else runs.push({ note: day.note, from: day.date, to: day.date, makeup })
  }
  return runs
}

const md = (date: string) => dayjs(date).format('M月D日')

/** 工作日历: the working-day calendar every deadline counts on; SYS_ADMIN edits days of years the seed does not cover. */
export default function CalendarPage() {
  const { user } = useAuth()
  const { message } = App.useApp()
  const [params, setParams] = useSearchParams()
  const year = Number(params.get('year') ?? todayInBeijing().slice(0, 4))
  const { data, error, loading, reload } = useAsync(() => getYear(year), [year])
  const canEdit = !!user && allowedByRole(user.roles, 'calendar.day.update')
  const [editing, setEditing] = useState<Day | null>(null)
  const [saving, setSaving] = useState(false)
  const [form] = Form.useForm<{ isWorkday: boolean; note: string }>()
  const today = todayInBeijing()

  const months = useMemo(() => {
    if (!data) return []
    return Array.from({ length: 12 }, (_, m) => data.days.filter((d) => Number(d.date.slice(5, 7)) === m + 1))
  }, [data])
  const workdays = data?.days.filter((d) => d.isWorkday).length ?? 0
  const summary = data ? holidaySummary(data.days) : []
  const maintained = summary.length > 0

  const edit = (day: Day) => {
    if (!canEdit) return
    setEditing(day)
  }

  const save = async () => {
    if (!editing) return
    setSaving(true)
    try {
      const v = form.getFieldsValue()
      await updateDay(editing.date, { isWorkday: v.isWorkday, note: v.note?.trim() ?? '' })
      forgetCalendarYear(year)
      message.success(`${md(editing.date)}已设为${v.isWorkday ? '工作日' : '休息日'}`)
      setEditing(null)
      reload()
    } catch {
      // the client showed the message
    } finally {
      setSaving(false)
    }
  }

  return (
    <PageContainer
      title="工作日历"
      description="共享申请答复、目录审核等所有期限均按此日历计算工作日。"
      extra={
        <Space>
          <Button icon={<LeftOutlined />} onClick={() => setParams({ year: String(year - 1) })} aria-label="上一年" />
          <span style={{ fontSize: 16, fontWeight: 500, minWidth: 72, textAlign: 'center', display: 'inline-block' }} data-testid="calendar-year">
            {year} 年
          </span>
          <Button icon={<RightOutlined />} onClick={() => setParams({ year: String(year + 1) })} aria-label="下一年" />
        </Space>
      }
    >
      {error ? (
        <LoadError error={error} onRetry={reload} />
      ) : loading && !data ? (
        <Loading />
      ) : (
        <>
          {!maintained ? (
            <Alert
              type="warning"
              showIcon
              style={{ marginBottom: 12 }}
              message={`${year} 年的节假日与调休安排尚未录入，目前按周一至周五上班计算。`}
              description={canEdit ? '国务院办公厅发布放假通知后，请点击日期逐日设置休息日和调休上班日。' : undefined}
            />
          ) : null}
          <Row gutter={16} style={{ marginBottom: 12 }}>
            <Col>
              <Card size="small">
                <Statistic title="全年工作日" value={workdays} suffix="天" />
              </Card>
            </Col>
            <Col>
              <Card size="small">
                <Statistic title="休息日" value={(data?.days.length ?? 0) - workdays} suffix="天" />
              </Card>
            </Col>
            <Col flex="auto">
              <Card size="small" title="节假日与调休" styles={{ body: { maxHeight: 110, overflow: 'auto' } }}>
                {summary.length === 0 ? (
                  <span className="muted">暂无</span>
                ) : (
                  <Space wrap size={[6, 6]}>
                    {summary.map((r) => (
                      <Tag key={r.from} color={r.makeup ? 'orange' : 'red'}>
                        {r.note}：{r.from === r.to ? md(r.from) : `${md(r.from)}—${md(r.to)}`}
                        {r.makeup ? '（上班）' : ''}
                      </Tag>
                    ))}
                  </Space>
                )}
              </Card>
            </Col>
          </Row>
          <div className="cal-legend" style={{ marginBottom: 12 }}>
            <span>
              <span className="cal-swatch" style={{ background: '#fff' }} />
              工作日
            </span>
            <span>
              <span className="cal-swatch" style={{ background: '#f5f5f5' }} />
              周末
            </span>
            <span>
              <span className="cal-swatch" style={{ background: '#fff1f0' }} />
              法定节假日
            </span>
            <span>
              <span className="cal-swatch" style={{ background: '#fff7e6' }} />
              调休上班
            </span>
            {canEdit ? <span className="muted">点击日期可修改</span> : null}
          </div>
          <div className="cal-grid" data-testid="calendar-grid">
            {months.map((days, m) => {
              const lead = days.length ? (dayjs(days[0].date).day() + 6) % 7 : 0
              return (
                <div className="cal-month" key={m}>
                  <h4>{m + 1} 月</h4>
                  <div className="cal-days">
                    {WEEK_HEAD.map((w) => (
                      <div className="cal-head" key={w}>
                        {w}
                      </div>
                    ))}
                    {Array.from({ length: lead }, (_, i) => (
                      <div key={`lead-${i}`} />
                    ))}
                    {days.map((day) => {
                      const kind = kindOf(day)
                      return (
                        <button
                          type="button"
                          key={day.date}
                          className={`cal-day ${kind} ${canEdit ? 'editable' : ''} ${day.date === today ? 'today' : ''}`}
                          title={`${dayjs(day.date).format('YYYY年M月D日 dddd')}：${day.isWorkday ? '工作日' : '休息日'}${day.note ? `（${day.note}）` : ''}`}
                          onClick={() => edit(day)}
                          data-date={day.date}
                        >
                          {Number(day.date.slice(8))}
                        </button>
                      )
                    })}
                  </div>
                </div>
              )
            })}
          </div>
        </>
      )}
      <Modal
        title={editing ? `设置 ${dayjs(editing.date).format('YYYY年M月D日 dddd')}` : ''}
        open={!!editing}
        onCancel={() => setEditing(null)}
        onOk={save}
        okText="保存"
        confirmLoading={saving}
        destroyOnHidden
      >
        <Form
          form={form}
          layout="vertical"
          key={editing?.date}
          initialValues={editing ? { isWorkday: editing.isWorkday, note: editing.note } : undefined}
          preserve={false}
        >
          <Form.Item name="isWorkday" label="这一天">
            <Radio.Group
              options={[
                { value: true, label: '工作日' },
                { value: false, label: '休息日' },
              ]}
            />
          </Form.Item>
          <Form.Item name="note" label="说明" tooltip="如：春节、春节调休上班；周末正常休息可不填">
            <Input maxLength={50} placeholder="如：元旦" />
          </Form.Item>
        </Form>
      </Modal>
    </PageContainer>
  )
}
