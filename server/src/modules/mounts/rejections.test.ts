import assert from 'node:assert/strict'
import { after, before, describe, test } from 'node:test'
import { buildWorld } from '../../testing/factories.ts'
import { type TestApp, buildTestApp } from '../../testing/test-app.ts'
import { createEntry, publishEntry, uploadForm, uploadTablePath } from './test-helpers.ts'

// A value typed into the wrong column: the refusal's reason quotes it.
const LEAKED = '370702199001011234'
const CSV = [
  'uscc,org_name,legal_rep_id,updated_at',
  '91370700MA3C000001,潍坊市甲社会组织,370702199001011235,2026-01-05 08:30:00',
  `91370700MA3C000002,潍坊市乙协会,,${LEAKED}`,
].join('\n')

/** Issue 13 §8: rejected cell values are shown to the provider and the authority, never to other departments. */
describe('refused rows of an upload', () => {
  let t: TestApp
  let world: Awaited<ReturnType<typeof buildWorld>>
  let resourceId: string
  before(async () => {
    t = await buildTestApp()
    world = await buildWorld(t.db)
    resourceId = await createEntry(t, world.tokens.cataloger)
    const uploaded = await t.request('POST', uploadTablePath(resourceId), {
      token: world.tokens.cataloger,
      body: uploadForm(CSV, 'orgs.csv', { skipInvalidRows: 'true' }),
    })
    assert.equal(uploaded.status, 201, JSON.stringify(uploaded.body))
    assert.equal(uploaded.body.rejectedTotal, 1)
    assert.ok(uploaded.body.rejectedRows[0].reason.includes(LEAKED), 'the uploader is told which value was refused')
    await publishEntry(t, resourceId, world.tokens.cataloger, world.tokens.authAdmin)
  })
  after(() => t.close())

  const mountsAs = (token: string) => t.request('GET', `/api/v1/catalog/resources/${resourceId}/mounts`, { token })

  test("the provider's cataloger and department administrator and the authority see the refused rows", async () => {
    for (const who of ['cataloger', 'deptAdmin', 'authAdmin'] as const) {
      const res = await mountsAs(world.tokens[who])
      assert.equal(res.status, 200, who)
      const [batch] = res.body.items[0].batches
      assert.equal(batch.rowsRejected, 1, who)
      assert.equal(batch.rejectedSample.length, 1, who)
      assert.ok(batch.rejectedSample[0].reason.includes(LEAKED), who)
    }
  })

  test('other departments, and other roles of the provider, see the count but never the values', async () => {
    for (const who of ['requester', 'catalogerB', 'approver'] as const) {
      const res = await mountsAs(world.tokens[who])
      assert.equal(res.status, 200, who)
      const [batch] = res.body.items[0].batches
      assert.equal(batch.rowsRejected, 1, who)
      assert.equal(batch.rejectedSample, undefined, who)
      assert.ok(!JSON.stringify(res.body).includes(LEAKED), `${who} must not see the refused value`)
    }
  })
})
