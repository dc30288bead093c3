import type { z } from 'zod'
import type { CreateDemandBody, DemandOut, NegativeOut, SuggestionOut } from '../../../server/src/modules/demands/schemas.ts'
import type { CaseOut as ElementCaseOut, ElementBody, ElementOut } from '../../../server/src/modules/elements/schemas.ts'
import type { ObjectionOut, RaiseBody } from '../../../server/src/modules/objections/schemas.ts'
import { type Query, api } from './client.ts'
import type { Json, Page } from './json.ts'

export type Objection = Json<z.infer<typeof ObjectionOut>>
export type Demand = Json<z.infer<typeof DemandOut>>
export type Suggestion = z.infer<typeof SuggestionOut>
export type NegativeEntry = z.infer<typeof NegativeOut>
export type DataElement = z.infer<typeof ElementOut>
export type ElementCase = Json<z.infer<typeof ElementCaseOut>>

export const listObjections = (query: Query) => api.get<Page<Objection>>('/objections', { query })
export const raiseObjection = (body: z.input<typeof RaiseBody>) => api.post<Objection>('/objections', body, { quiet: true })
export const objectionStep = (id: string, step: 'acceptance' | 'verification' | 'corrected' | 'dispute', body: object) =>
  api.post<Objection>(`/objections/${id}/${step}`, body)

export const listDemands = (query: Query) => api.get<Page<Demand>>('/demands', { query })
export const createDemand = (body: z.input<typeof CreateDemandBody>) => api.post<Demand>('/demands', body, { quiet: true })
export const demandSuggestions = (id: string) => api.get<{ items: Suggestion[] }>(`/demands/${id}/suggestions`)
export const demandStep = (id: string, step: 'triage' | 'response' | 'fulfilment', body: object) => api.post<Demand>(`/demands/${id}/${step}`, body)
export const negativeList = () => api.get<{ items: NegativeEntry[] }>('/demands/negative-list')
export const exportDemandList = (list: 'demand' | 'responsibility' | 'negative') => api.download('/demands/export', { query: { list } })

export const listElements = () => api.get<{ items: DataElement[] }>('/data-elements')
export const createElement = (body: z.input<typeof ElementBody>) => api.post<DataElement>('/data-elements', body, { quiet: true })
export const listElementCases = (query: Query) => api.get<Page<ElementCase>>('/data-element-cases', { query })
export const decideElementCase = (id: string, body: { decision: 'request_instead' | 'exception'; note?: string }) =>
  api.post<ElementCase>(`/data-element-cases/${id}/decision`, body)
