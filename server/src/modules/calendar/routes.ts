import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod'
import { AddWorkdaysOut, AddWorkdaysQuery, CalendarDay, DayParams, UpdateDayBody, YearOut, YearQuery } from './schemas.ts'
import { computeDue, getYear, updateDay } from './service.ts'

const tags = ['calendar']

export const calendarRoutes: FastifyPluginAsyncZod = async (app) => {
  app.get(
    '/calendar/add-workdays',
    {
      config: { action: 'calendar.workday.compute' },
      schema: { tags, summary: '计算 from 之后第 N 个工作日', querystring: AddWorkdaysQuery, response: { 200: AddWorkdaysOut } },
    },
    (req) => computeDue(req.ctx, req.query.from, req.query.days),
  )

  app.get(
    '/calendar',
    {
      config: { action: 'calendar.year.read' },
      schema: { tags, summary: '全年工作日历', querystring: YearQuery, response: { 200: YearOut } },
    },
    (req) => getYear(req.ctx, req.query.year),
  )

  app.put(
    '/calendar/days/:date',
    {
      config: { action: 'calendar.day.update' },
      schema: { tags, summary: '设置某日是否工作日', params: DayParams, body: UpdateDayBody, response: { 200: CalendarDay } },
    },
    (req) => updateDay(req.ctx, req.params.date, req.body),
  )
}
