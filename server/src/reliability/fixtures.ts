import assert from 'node:assert/strict'
import { buildWorld, publishResource, tokenFor } from '../testing/factories.ts'
import type { Db } from '../platform/db/database.ts'
import { clientOf, http } from './harness.ts'

export type World = Awaited<ReturnType<typeof buildWorld>>

/** A world whose login tokens are valid on servers running at `now` (the real clock plus any offset). */
export async function worldAt(db: Db, now: Date): Promise<World> {
  const world = await buildWorld(db)
  for (const [key, user] of Object.entries(world.users)) world.tokens[key as keyof World['tokens']] = await tokenFor(db, user, now)
  return world
}

export async function refreshTokensAt(db: Db, world: World, now: Date) {
  for (const [key, user] of Object.entries(world.users)) world.tokens[key as keyof World['tokens']] = await tokenFor(db, user, now)
}

/** A published 有条件 entry of department A with an API mode and `rows` mounted rows. */
export async function conditionalResource(baseUrl: string, world: World, rows = 20) {
  const resource = await publishResource(clientOf(baseUrl), world.tokens, { name: `可靠性测试资源${Date.now()}`, shareModes: ['api', 'table'] })
  const header = 'uscc,org_name,legal_rep_id,updated_at'
  const lines = Array.from(
    { length: rows },
    (_, i) => `91370700MA3C${String(i).padStart(6, '0')},可靠性测试组织${i},37070219900101${String(1000 + i)},2026-01-01 08:00:00`,
  )
  const form = new FormData()
  // publishResource mounted a placeholder row: replacing it with these rows is a confirmed swing.
  form.append('confirm', 'true')
  form.append('file', new Blob([Buffer.from([header, ...lines].join('\n'))]), 'rows.csv')
  const uploaded = await http(baseUrl, 'POST', `/api/v1/catalog/resources/${resource.id}/mounts/table`, { token: world.tokens.cataloger, form })
  assert.equal(uploaded.status, 201, JSON.stringify(uploaded.body))
  // legal_rep_id is 有条件: a request for 无条件 items alone would be granted at once (R-4, share type per item).
  const itemIds = ['uscc', 'org_name', 'legal_rep_id'].map((nameEn) => resource.items.find((i: { nameEn: string }) => i.nameEn === nameEn).id as string)
  return { id: resource.id as string, itemIds }
}

// One business system of department B per world, named by requests that do not call the gateway.
const defaultApps = new WeakMap<World, Promise<string>>()

function defaultApp(baseUrl: string, world: World) {
  let app = defaultApps.get(world)
  if (!app) {
    app = http(baseUrl, 'POST', '/api/v1/apps', { token: world.tokens.requester, body: { name: `可靠性测试业务系统${Date.now()}`, ipAllowList: [] } }).then(
      (res) => {
        assert.equal(res.status, 201, JSON.stringify(res.body))
        return res.body.id as string
      },
    )
    defaultApps.set(world, app)
  }
  return app
}

/** A pending conditional share request of department B, for the apps named (else the world's business system). */
export async function pendingRequest(baseUrl: string, world: World, resource: { id: string; itemIds: string[] }, appIds?: string[]) {
  appIds ??= [await defaultApp(baseUrl, world)]
  const res = await http(baseUrl, 'POST', '/api/v1/share-requests', {
    token: world.tokens.requester,
    body: { resourceId: resource.id, itemIds: resource.itemIds, purpose: '行政依据', dutyBasis: '可靠性测试：企业登记核验', mode: 'api', appIds },
  })
  assert.equal(res.status, 201, JSON.stringify(res.body))
  assert.equal(res.body.status, 'pending')
  return res.body.id as string
}

/** An app of department B and an access token for it. */
export async function appToken(baseUrl: string, world: World, name: string) {
  const created = await http(baseUrl, 'POST', '/api/v1/apps', { token: world.tokens.requester, body: { name, ipAllowList: [] } })
  assert.equal(created.status, 201, JSON.stringify(created.body))
  const issued = await http(baseUrl, 'POST', '/api/v1/gateway/token', { body: { appKey: created.body.appKey, appSecret: created.body.appSecret } })
  assert.equal(issued.status, 200, JSON.stringify(issued.body))
  return { appId: created.body.id as string, token: issued.body.accessToken as string }
}

export const approve = (baseUrl: string, world: World, requestId: string, extra: Record<string, unknown> = {}) =>
  http(baseUrl, 'POST', `/api/v1/share-requests/${requestId}/decision`, { token: world.tokens.approver, body: { decision: 'approve', ...extra } })

export const readRecords = (baseUrl: string, resourceId: string, token: string) =>
  http(baseUrl, 'GET', `/api/v1/gateway/resources/${resourceId}/records?limit=5`, { token })
