import assert from 'node:assert/strict'
import { randomBytes } from 'node:crypto'
import type { buildWorld } from './factories.ts'
import { itemInput, publishResource } from './factories.ts'
import type { TestApp } from './test-app.ts'

type World = Awaited<ReturnType<typeof buildWorld>>

const item = itemInput
/** A small register of persons: a masked-by-default 身份证号 and 姓名, and a plain 区县. */
export const PERSON_ITEMS = [
  item('公民身份号码', 'id_no', {
    length: 18,
    isPrimaryKey: true,
    sensitive: true,
    piCategory: 'sensitive_personal',
    shareType: 2,
    shareCondition: '用于身份核验',
  }),
  item('姓名', 'full_name', { sensitive: true, piCategory: 'personal', shareType: 2, shareCondition: '用于身份核验' }),
  item('所属区县', 'county', { length: 20 }),
]
export const PERSON_CSV = [
  'id_no,full_name,county',
  '370702199003071234,张三,潍城区',
  '370705198512120021,欧阳娜娜,奎文区',
  '370783200101015678,李四,寿光市',
].join('\n')

/**
 * A published entry with mounted rows, a request of all its items (api) approved with `terms` (which may
 * depend on the item ids, in catalog order) and a new app with its access token.
 */
export async function grantWithApp(
  t: TestApp,
  w: World,
  terms: Record<string, unknown> | ((itemIds: string[]) => Record<string, unknown>) = {},
  { items = PERSON_ITEMS, csv = PERSON_CSV }: { items?: unknown[]; csv?: string } = {},
) {
  const resource = await publishResource(t, w.tokens, {
    name: `救助对象${randomBytes(3).toString('hex')}`,
    shareModes: ['api', 'table'],
    items: items as never,
  })
  const form = new FormData()
  // publishResource mounted a placeholder row: replacing it with these rows is a confirmed swing.
  form.append('confirm', 'true')
  form.append('file', new Blob([Buffer.from(csv)]), 'p.csv')
  const uploaded = await t.request('POST', `/api/v1/catalog/resources/${resource.id}/mounts/table`, { token: w.tokens.cataloger, body: form })
  assert.equal(uploaded.status, 201, JSON.stringify(uploaded.body))
  const itemIds = resource.items.map((i: { id: string }) => i.id)
  const decision = typeof terms === 'function' ? terms(itemIds) : terms
  // The grant belongs to the app the request names (SPEC §7.6).
  const app = await t.request('POST', '/api/v1/apps', { token: w.tokens.requester, body: { name: `应用${randomBytes(3).toString('hex')}` } })
  const request = await t.request('POST', '/api/v1/share-requests', {
    token: w.tokens.requester,
    body: { resourceId: resource.id, itemIds, purpose: '数据校核', dutyBasis: '社会救助核对', mode: 'api', appIds: [app.body.id], validUntil: '2026-12-31' },
  })
  const decided = await t.request('POST', `/api/v1/share-requests/${request.body.id}/decision`, {
    token: w.tokens.approver,
    body: { decision: 'approve', masking: { [itemIds[1]]: 'name' }, ...decision },
  })
  assert.equal(decided.body.status, 'granted', JSON.stringify(decided.body))
  const issued = await t.request('POST', '/api/v1/gateway/token', { body: { appKey: app.body.appKey, appSecret: app.body.appSecret } })
  const token = issued.body.accessToken as string
  const records = (query = '') =>
    t.request('GET', `/api/v1/gateway/resources/${resource.id}/records${query}`, { headers: { authorization: `Bearer ${token}` } })
  return { resource, requestId: request.body.id as string, grantId: decided.body.grantId as string, appId: app.body.id as string, token, records }
}
