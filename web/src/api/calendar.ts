import type { z } from 'zod'
import type { CalendarDay, YearOut } from '../../../server/src/modules/calendar/schemas.ts'
import { api } from './client.ts'

export type Day = z.infer<typeof CalendarDay>
export type Year = z.infer<typeof YearOut>

export const getYear = (year: number) => api.get<Year>('/calendar', { query: { year } })
export const updateDay = (date: string, body: { isWorkday: boolean; note: string }) => api.put<Day>(`/calendar/days/${date}`, body)
export const addWorkdays = (from: string, days: number) => api.get<{ due: string }>('/calendar/add-workdays', { query: { from, days } })
