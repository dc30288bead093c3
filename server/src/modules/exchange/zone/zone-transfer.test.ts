import assert from 'node:assert/strict'
import { randomBytes } from 'node:crypto'
import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { after, before, describe, test } from 'node:test'
import { sql } from 'kysely'
import { type CheckpointSigner, checkpointSigner } from '../../../platform/audit/checkpoint-signer.ts'
import { buildWorld, publishResource } from '../../../testing/factories.ts'
import { type TestApp, buildTestApp } from '../../../testing/test-app.ts'
import { TRANSFER_FORMAT, type TransferPayload, TransferRefused } from './transfer-file.ts'
import { exportZoneCatalog, importZoneCatalog } from './zone-transfer.ts'

/**
 * Two instances, two databases: the 外网 one exports its published catalog as a signed file, the 内网 one
 * imports it. Tampered, replayed, foreign-signed and 涉密-carrying files are refused and change nothing.
 */
describe('外网 → 内网 catalog transfer', () => {
  let extranet: TestApp
  let intranet: TestApp
  let w: Awaited<ReturnType<typeof buildWorld>>
  let keyDir: string
  let signer: CheckpointSigner
  let stranger: CheckpointSigner
  let plain: any
  let secretEntry: any
  let secretItemEntry: any
  const now = new Date('2026-03-02T02:00:00Z')

  before(async () => {
    extranet = await buildTestApp({ config: { networkZone: 'extranet' } })
    intranet = await buildTestApp({ config: { networkZone: 'intranet' } })
    w = await buildWorld(extranet.db)
    keyDir = await mkdtemp(join(tmpdir(), 'govshare-zone-'))
    signer = (await checkpointSigner({ dir: join(keyDir, 'ours'), dataKey: null, algorithm: 'SM2-SM3', create: true }))!
    stranger = (await checkpointSigner({ dir: join(keyDir, 'theirs'), dataKey: null, algorithm: 'SM2-SM3', create: true }))!
    const tag = randomBytes(3).toString('hex')
    plain = await publishResource(extranet, w.tokens, { name: `外网普通目录${tag}` })
    secretEntry = await publishResource(extranet, w.tokens, { name: `外网涉密目录${tag}` })
    secretItemEntry = await publishResource(extranet, w.tokens, { name: `外网含涉密项目录${tag}` })
    // 涉密 cannot be registered on the 外网 instance; set in the database as carried-over data would be.
    await extranet.db.updateTable('resourceVersions').set({ secret: true }).where('resourceId', '=', secretEntry.id).execute()
    await extranet.db
      .updateTable('resourceVersions')
      .set({ items: sql`jsonb_set(items, '{0,secret}', 'true'::jsonb)` })
      .where('resourceId', '=', secretItemEntry.id)
      .execute()
  })
  after(async () => {
    await extranet.close()
    await intranet.close()
    await rm(keyDir, { recursive: true, force: true })
  })

  const trusted = () => signer.publicKeyPem!
  const fileOf = (envelope: unknown) => Buffer.from(JSON.stringify(envelope))
  const counts = async () => {
    const one = async (table: 'zoneImports' | 'zoneCatalogEntries') =>
      Number(
        (
          await intranet.db
            .selectFrom(table)
            .select((eb) => eb.fn.countAll<number>().as('n'))
            .executeTakeFirstOrThrow()
        ).n,
      )
    return { imports: await one('zoneImports'), entries: await one('zoneCatalogEntries') }
  }
  const deniedAudits = async () =>
    Number(
      (
        await intranet.db
          .selectFrom('auditEvents')
          .select((eb) => eb.fn.countAll<number>().as('n'))
          .where('action', '=', 'exchange.zone.import')
          .where('result', '=', 'denied')
          .executeTakeFirstOrThrow()
      ).n,
    )
  /** Imports and expects a refusal whose message matches, with nothing imported and the refusal audited. */
  async function refused(file: Buffer, message: RegExp, key = trusted()) {
    const before = await counts()
    const denied = await deniedAudits()
    await assert.rejects(importZoneCatalog(intranet.db, file, key, now), (error: unknown) => error instanceof TransferRefused && message.test(error.message))
    assert.deepEqual(await counts(), before)
    assert.equal(await deniedAudits(), denied + 1)
  }
  /** A validly signed file around any payload (an 外网 instance that misbehaves, or a stolen key). */
  const signedFile = (payload: TransferPayload, by = signer) => {
    const text = JSON.stringify(payload)
    return fileOf({ format: TRANSFER_FORMAT, algorithm: 'SM2-SM3', keyId: by.keyId, payload: text, signature: by.sign(Buffer.from(text)) })
  }

  let first: Awaited<ReturnType<typeof exportZoneCatalog>>

  test('the export carries the published catalog without 涉密 entries or 涉密 items, and is audited on the 外网 instance', async () => {
    first = await exportZoneCatalog(extranet.db, signer, { sourceInstance: '测试外网实例', now })
    const ids = first.payload.entries.map((e) => e.resourceId)
    assert.ok(ids.includes(plain.id) && ids.includes(secretItemEntry.id))
    assert.ok(!ids.includes(secretEntry.id), 'a 涉密 entry is not exported')
    const withItem = first.payload.entries.find((e) => e.resourceId === secretItemEntry.id)!
    assert.equal(withItem.items.length, secretItemEntry.items.length - 1, 'its 涉密 item is left out')
    assert.ok(!withItem.items.some((i) => i.id === secretItemEntry.items[0].id))
    assert.equal(JSON.parse(first.envelope.payload).exportId, first.payload.exportId)
    const audit = await extranet.db.selectFrom('auditEvents').select('objectId').where('action', '=', 'exchange.zone.export').execute()
    assert.deepEqual(audit, [{ objectId: first.payload.exportId }])
  })

  test('the 内网 instance imports it once; a replay of the same file is refused', async () => {
    const result = await importZoneCatalog(intranet.db, fileOf(first.envelope), trusted(), now)
    assert.equal(result.imported, first.payload.entries.length)
    assert.equal(result.skipped, 0)
    const stored = await intranet.db
      .selectFrom('zoneCatalogEntries')
      .select(['sourceResourceId', 'name', 'content'])
      .where('sourceResourceId', '=', plain.id)
      .executeTakeFirstOrThrow()
    assert.equal(stored.name, plain.name)
    assert.equal((stored.content as any).items.length, plain.items.length)
    const audit = await intranet.db.selectFrom('auditEvents').select(['objectId', 'result']).where('action', '=', 'exchange.zone.import').execute()
    assert.deepEqual(audit, [{ objectId: first.payload.exportId, result: 'success' }])
    await refused(fileOf(first.envelope), /已于 .* 导入，不重复导入/)
  })

  test('a later export imports only entry versions not imported yet', async () => {
    const added = await publishResource(extranet, w.tokens, { name: `外网新增目录${randomBytes(3).toString('hex')}` })
    const second = await exportZoneCatalog(extranet.db, signer, { sourceInstance: '测试外网实例', now })
    const result = await importZoneCatalog(intranet.db, fileOf(second.envelope), trusted(), now)
    assert.deepEqual([result.imported, result.skipped], [1, second.payload.entries.length - 1])
    assert.ok(await intranet.db.selectFrom('zoneCatalogEntries').select('name').where('sourceResourceId', '=', added.id).executeTakeFirst())
  })

  test('a tampered file (one name changed after signing) is refused: the signature no longer matches', async () => {
    const fresh = await exportZoneCatalog(extranet.db, signer, { sourceInstance: '测试外网实例', now })
    const tampered = { ...fresh.envelope, payload: fresh.envelope.payload.replace(plain.name, `${plain.name}（已改）`) }
    assert.notEqual(tampered.payload, fresh.envelope.payload)
    await refused(fileOf(tampered), /签名校验失败/)
    const cut = { ...fresh.envelope, signature: Buffer.from(fresh.envelope.signature, 'base64').subarray(1).toString('base64') }
    await refused(fileOf(cut), /签名校验失败/)
  })

  test('a 涉密 entry or item smuggled into a signed file is refused by name', async () => {
    const fresh = await exportZoneCatalog(extranet.db, signer, { sourceInstance: '测试外网实例', now })
    const [entry] = fresh.payload.entries
    const secretOne = { ...fresh.payload, exportId: crypto.randomUUID(), entries: [{ ...entry, version: 99, secret: true }] }
    await refused(signedFile(secretOne), new RegExp(`含涉密目录「${entry.name}」`))
    const secretItem = {
      ...fresh.payload,
      exportId: crypto.randomUUID(),
      entries: [{ ...entry, version: 99, items: entry.items.map((i, n) => (n === 0 ? { ...i, secret: true } : i)) }],
    }
    await refused(signedFile(secretItem), new RegExp(`含涉密信息项「${entry.items[0].name}」`))
  })

  test('a file signed by a key the 内网 instance does not trust, or not in the format, is refused', async () => {
    const fresh = await exportZoneCatalog(extranet.db, stranger, { sourceInstance: '冒充的外网实例', now })
    await refused(fileOf(fresh.envelope), /不是本实例信任的外网实例密钥/)
    // Signed by the stranger but claiming our key id: the signature check catches it.
    await refused(fileOf({ ...fresh.envelope, keyId: signer.keyId }), /签名校验失败/)
    await refused(Buffer.from('not json'), /无法解析/)
    await refused(fileOf({ format: 'other/1' }), /格式不符/)
    const oversized = { ...fresh.payload, exportId: crypto.randomUUID(), entries: [{ ...fresh.payload.entries[0], name: '名'.repeat(201) }] }
    await refused(signedFile(oversized), /不符合目录交换格式/)
  })
})
