import type { z } from 'zod'
import type {
  ClassNodeOut,
  CreateResourceBody,
  ResourceOut,
  ReviewTaskOut,
  ReviewTaskQuery,
  SearchPage,
  SearchQuery,
  VersionOut,
} from '../../../server/src/modules/catalog/schemas.ts'
import type { ImportResultOut, RejectedRow } from '../../../server/src/modules/catalog/excel/schemas.ts'
import type { SynonymOut } from '../../../server/src/modules/catalog/synonyms/schemas.ts'
import { ApiError, type FieldProblem, type Query, api, saveDownload } from './client.ts'
import type { Json, Page } from './json.ts'

export type Resource = Json<ResourceOut>
export type Item = Resource['items'][number]
export type ResourceInput = z.input<typeof CreateResourceBody>
export type ItemInputValue = NonNullable<ResourceInput['items']>[number]
export type SearchFilter = Partial<z.input<typeof SearchQuery>>
export type Version = Json<z.infer<typeof VersionOut>>
export type ClassNode = z.infer<typeof ClassNodeOut>
export type ReviewTask = Json<z.infer<typeof ReviewTaskOut>>
export type ReviewTaskFilter = Partial<z.input<typeof ReviewTaskQuery>>
export type SearchResult = Json<z.infer<typeof SearchPage>>
export type OneSourceWarning = NonNullable<Resource['oneSourceWarnings']>[number]

export const searchResources = (query: SearchFilter, options: { quiet?: boolean; signal?: AbortSignal } = {}) =>
  api.get<SearchResult>('/catalog/resources', { query: query as Query, ...options })
export const getResource = (id: string, version?: number) => api.get<Resource>(`/catalog/resources/${id}`, { query: { version }, quiet: true })
export const listVersions = (id: string) => api.get<{ items: Version[] }>(`/catalog/resources/${id}/versions`)
export const createResource = (body: ResourceInput) => api.post<Resource>('/catalog/resources', body)
export const updateResource = (id: string, body: Partial<ResourceInput>) => api.patch<Resource>(`/catalog/resources/${id}`, body)
export const submitResource = (id: string) => api.post<Resource>(`/catalog/resources/${id}/submit`)
export const reviewResource = (id: string, decision: 'approve' | 'return', comment?: string) =>
  api.post<Resource>(`/catalog/resources/${id}/review`, { decision, ...(comment ? { comment } : {}) })
export const withdrawResource = (id: string, reason: string) => api.post<Resource>(`/catalog/resources/${id}/withdraw`, { reason })

let classTree: Promise<ClassNode[]> | null = null
/** The classification tree changes rarely: loaded once per session. */
export function getClassTree(): Promise<ClassNode[]> {
  classTree ??= api.get<ClassNode[]>('/catalog/classes').catch((error) => {
    classTree = null
    throw error
  })
  return classTree
}

/** Sets, changes or (null) clears the lead department of a class node (AUTH_ADMIN); the cached tree is dropped. */
export async function setClassLead(code: string, leadOrgId: string | null) {
  const node = await api.patch<Omit<ClassNode, 'children'>>(`/catalog/classes/${code}`, { leadOrgId })
  classTree = null
  return node
}

export const listReviewTasks = (query: ReviewTaskFilter) => api.get<Page<ReviewTask>>('/catalog/review-tasks', { query: query as Query })
export const completeReviewTask = (id: string, resolution: string) =>
  api.post<{ id: string; status: 'done'; resolution: string }>(`/catalog/review-tasks/${id}/complete`, { resolution })

/** One problem of an Excel import, located in the workbook (sheet, Excel line, column). */
export type ImportProblem = z.infer<typeof RejectedRow> | { sheet: null; line: null; column: string; message: string }
export type ImportResult = z.infer<typeof ImportResultOut>

export interface ImportOutcome {
  /** Something was imported (201); false when the whole file was refused (400). */
  ok: boolean
  created: number
  ids: string[]
  problems: ImportProblem[]
  ignoredColumns: string[]
  message: string
}

// `信息资源!第3行.共享条件` (the import's details[].field: sheet, Excel line, column).
const SHEET_FIELD = /^(.+?)!第(\d+)行(?:\.(.+))?$/

/** The per-row report of an import refused as a whole: its 400 envelope's details, located. */
export function problemsOfDetails(details: readonly FieldProblem[]): ImportProblem[] {
  return details.map((d) => {
    const m = SHEET_FIELD.exec(d.field)
    return m ? { sheet: m[1], line: Number(m[2]), column: m[3] ?? '', message: d.message } : { sheet: null, line: null, column: d.field, message: d.message }
  })
}

/**
 * POST /catalog/import (multipart `file`, `loadValid`): all-or-nothing by default (400 listing every
 * problem), or with loadValid the valid entries become drafts and the rest are listed in `rejected`.
 */
export async function importCatalog(file: File, loadValid: boolean): Promise<ImportOutcome> {
  const form = new FormData()
  form.append('loadValid', String(loadValid))
  form.append('file', file)
  try {
    const result = await api.post<ImportResult>('/catalog/import', form, { quiet: true })
    return { ok: true, created: result.created, ids: result.ids, problems: result.rejected, ignoredColumns: result.ignoredColumns, message: '' }
  } catch (error) {
    if (error instanceof ApiError && error.status === 400 && error.details.length > 0) {
      return { ok: false, created: 0, ids: [], problems: problemsOfDetails(error.details), ignoredColumns: [], message: error.message }
    }
    throw error
  }
}

export async function exportCatalog(query: SearchFilter) {
  const { page: _page, pageSize: _pageSize, ...filters } = query
  const response = await api.download('/catalog/export', { query: filters as Query })
  return saveDownload(response, '信息资源目录.xlsx')
}

export type Synonym = Json<z.infer<typeof SynonymOut>>
export const listSynonyms = () => api.get<{ items: Synonym[] }>('/catalog/search-synonyms')
export const saveSynonym = (term: string, expansions: string[]) => api.put<Synonym>(`/catalog/search-synonyms/${encodeURIComponent(term)}`, { expansions })
export const removeSynonym = (term: string) => api.delete<Synonym>(`/catalog/search-synonyms/${encodeURIComponent(term)}`)
