import type { z } from 'zod'
import type { CreateOrgBody, OrgListQuery, OrgOut } from '../../../server/src/modules/orgs/schemas.ts'
import { type Query, api } from './client.ts'
import type { Json, Page } from './json.ts'

export type Org = Json<z.infer<typeof OrgOut>>
export type NewOrg = z.input<typeof CreateOrgBody>
export type OrgQuery = Partial<z.input<typeof OrgListQuery>>

export const listOrgs = (query: OrgQuery = {}) => api.get<Page<Org>>('/orgs', { query: { pageSize: 200, ...query } as Query })
export const createOrg = (body: NewOrg) => api.post<Org>('/orgs', body)

export const ORG_KIND_LABELS: Record<Org['kind'], string> = { authority: '主管部门', department: '部门', region: '区县（市）' }

let allOrgs: Promise<Org[]> | null = null
/** Every organisation (a few hundred at most), loaded once per session for pickers and name lookups. */
export function allOrganisations(): Promise<Org[]> {
  allOrgs ??= (async () => {
    const first = await listOrgs({ page: 1, pageSize: 200 })
    const items = [...first.items]
    for (let page = 2; items.length < first.total && page <= 20; page++) items.push(...(await listOrgs({ page, pageSize: 200 })).items)
    return items
  })().catch((error) => {
    allOrgs = null
    throw error
  })
  return allOrgs
}
export const forgetOrganisations = () => {
  allOrgs = null
}
