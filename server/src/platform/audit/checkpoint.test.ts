import assert from 'node:assert/strict'
import { spawnSync } from 'node:child_process'
import { randomBytes, randomUUID } from 'node:crypto'
import { mkdtempSync, readFileSync, readdirSync, rmSync, statSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { after, before, describe, test } from 'node:test'
import { sql } from 'kysely'
import { auditVerifyCommand } from '../../cli/audit-commands.ts'
import { CallJournal } from './call-journal.ts'
import { buildWorld } from '../../testing/factories.ts'
import { asDba } from '../../testing/insider.ts'
import { type TestApp, buildTestApp } from '../../testing/test-app.ts'
import { GENESIS_HASH, appendAudit, canonicalJson, chainHash, chainedFieldsOf, verifyAuditChain } from './chain.ts'
import { checkpointSigner, sm2Supported } from './checkpoint-signer.ts'
import { checkChainAgainstCheckpoint, checkpointSettingsOf, checkpointTask, writeCheckpoint } from './checkpoint.ts'

const source = () => ({ actorId: null, orgId: null, roles: ['SYSTEM'], ip: null, requestId: null, at: new Date() })
const newestFile = (dir: string) =>
  join(
    dir,
    readdirSync(dir)
      .filter((n) => n.startsWith('checkpoint-'))
      .sort()
      .at(-1)!,
  )

describe('checkpoint signing keys', () => {
  const dirs: string[] = []
  const tempDir = () => {
    const dir = mkdtempSync(join(tmpdir(), 'govshare-cp-keys-'))
    dirs.push(dir)
    return dir
  }
  after(() => dirs.forEach((dir) => rmSync(dir, { recursive: true, force: true })))

  test('Node 20 signs with SM2 (SM3 digest), checked against a signature made by the openssl command line', () => {
    assert.equal(sm2Supported(), true)
  })

  test('a key derived from the data key is the same in every process and differs per data key; SM2 and HMAC-SM3 both verify', async () => {
    const dataKey = randomBytes(32)
    const data = Buffer.from('head')
    for (const algorithm of ['SM2-SM3', 'HMAC-SM3'] as const) {
      const one = (await checkpointSigner({ dir: tempDir(), dataKey, algorithm }))!
      const two = (await checkpointSigner({ dir: tempDir(), dataKey, algorithm }))!
      const other = (await checkpointSigner({ dir: tempDir(), dataKey: randomBytes(32), algorithm }))!
      assert.equal(one.keyId, two.keyId)
      assert.notEqual(one.keyId, other.keyId)
      const signature = one.sign(data)
      assert.equal(two.verify(data, signature), true)
      assert.equal(other.verify(data, signature), false)
      assert.equal(two.verify(Buffer.from('head2'), signature), false)
    }
  })

  test('without a data key the key is a file only the server account can read, created once', async () => {
    const dir = tempDir()
    assert.equal(await checkpointSigner({ dir, dataKey: null }), null, 'no key file, nothing created when reading')
    const signer = (await checkpointSigner({ dir, dataKey: null, create: true }))!
    assert.equal(signer.algorithm, 'SM2-SM3')
    assert.equal(statSync(join(dir, 'signing-key.pem')).mode & 0o777, 0o600)
    const again = (await checkpointSigner({ dir, dataKey: null, create: true }))!
    assert.equal(again.keyId, signer.keyId)
  })
})

for (const withDataKey of [true, false]) {
  describe(`audit checkpoints outside the database (${withDataKey ? 'key derived from the data key' : 'key file, no data key'})`, () => {
    let t: TestApp
    let auditor: string
    before(async () => {
      t = await buildTestApp({ config: withDataKey ? { dataKey: randomBytes(32) } : {} })
      auditor = (await buildWorld(t.db)).tokens.auditor
    })
    after(() => t.close())

    const settings = () => checkpointSettingsOf(t.config)
    const verify = async () => {
      const res = await t.request('GET', '/api/v1/audit/verify', { token: auditor })
      assert.equal(res.status, 200, JSON.stringify(res.body))
      return res.body
    }
    /** Gateway calls written and sealed the way the gateway does it. */
    const sealedCalls = async (n: number) => {
      const journal = new CallJournal(t.db)
      const at = new Date()
      await Promise.all(
        Array.from({ length: n }, (_, i) =>
          journal.record({
            requestInAt: at,
            responseOutAt: at,
            appId: randomUUID(),
            resourceId: randomUUID(),
            requestId: `cp-${i}`,
            requestBytes: 0,
            responseBytes: 10,
            rowsReturned: 1,
            result: 'success',
          }),
        ),
      )
      await journal.idle()
    }

    test('the scheduled task writes a signed checkpoint of the head, and none while the chain has not moved', async (t2) => {
      await appendAudit(t.db, source(), { action: 'test.checkpoint.before' })
      const task = checkpointTask(settings(), 5)
      assert.equal(task.intervalMs, 5 * 60_000)
      assert.equal(await task.run(t.db, new Date()), 1)
      assert.equal(await task.run(t.db, new Date()), 0)
      const head = await t.db.selectFrom('auditEvents').select(['id', 'hash']).orderBy('id', 'desc').limit(1).executeTakeFirstOrThrow()
      const written = JSON.parse(readFileSync(newestFile(t.config.auditCheckpointDir), 'utf8'))
      assert.equal(written.eventId, Number(head.id))
      assert.equal(written.hash, head.hash)
      assert.equal(written.algorithm, 'SM2-SM3')
      const body = await verify()
      assert.equal(body.ok, true)
      assert.equal(body.checkpoint.code, 'CHECKPOINT_MATCHED')
      assert.equal(body.checkpoint.checkpoint.eventId, Number(head.id))

      // An independent SM2 implementation accepts the signature, with the public key written beside it.
      const { signature, ...fields } = written
      const dir = mkdtempSync(join(tmpdir(), 'govshare-cp-openssl-'))
      try {
        writeFileSync(join(dir, 'signed'), `govshare-audit-checkpoint\n${canonicalJson(fields)}`)
        writeFileSync(join(dir, 'signature'), Buffer.from(signature, 'base64'))
        const openssl = spawnSync(
          'openssl',
          ['dgst', '-sm3', '-verify', join(t.config.auditCheckpointDir, 'signing-key.pub.pem'), '-signature', join(dir, 'signature'), join(dir, 'signed')],
          { encoding: 'utf8' },
        )
        if (openssl.error) t2.diagnostic('openssl not found: the signature was not checked independently')
        else assert.match(openssl.stdout, /Verified OK/, openssl.stderr)
      } finally {
        rmSync(dir, { recursive: true, force: true })
      }
    })

    test('deleting the tail of the chain and the call logs it sealed is reported as truncation, by the route and the command line', async () => {
      await sealedCalls(6)
      await appendAudit(t.db, source(), { action: 'test.checkpoint.pinned' })
      assert.equal(await writeCheckpoint(t.db, settings(), new Date()), 1)
      const pinned = JSON.parse(readFileSync(newestFile(t.config.auditCheckpointDir), 'utf8'))
      assert.equal((await verify()).ok, true)

      // The insider deletes everything since before the calls, seals and sealed call logs included: what
      // is left links and its seals hold, so only the checkpoint can tell.
      const first = await t.db
        .selectFrom('auditEvents')
        .select('id')
        .where('action', '=', 'gateway.records.read')
        .orderBy('id')
        .limit(1)
        .executeTakeFirstOrThrow()
      await asDba(t.db, sql`delete from call_logs where request_id like 'cp-%'`, sql`delete from audit_events where id >= ${first.id}`)
      assert.equal((await verifyAuditChain(t.db)).ok, true)
      let body = await verify()
      assert.equal(body.firstBadId, null)
      assert.equal(body.callLogs.ok, true)
      assert.equal(body.ok, false)
      assert.equal(body.checkpoint.code, 'CHAIN_TRUNCATED')
      assert.match(body.checkpoint.message, new RegExp(`哈希链被截断.*事件 ${pinned.eventId}`))
      await assert.rejects(auditVerifyCommand(t.db, { archiveDir: join(tmpdir(), 'govshare-no-archive') }, t.config), /CHAIN_TRUNCATED/)

      // Appending again does not hide it: ids move past the checkpoint, its event stays missing.
      for (let i = 0; i < 3; i++) await appendAudit(t.db, source(), { action: 'test.checkpoint.after' })
      body = await verify()
      assert.equal(body.checkpoint.code, 'CHAIN_TRUNCATED')
    })

    test('a chain rewritten and re-hashed from genesis links, and the checkpoint shows it', async () => {
      await appendAudit(t.db, source(), { action: 'test.checkpoint.rewrite' })
      await writeCheckpoint(t.db, settings(), new Date())
      const rows = await t.db.selectFrom('auditEvents').selectAll().orderBy('id').execute()
      // Start over from the first online event: drop everything, then insert every event again with one
      // detail changed and every hash recomputed.
      let prevHash = GENESIS_HASH
      const statements = [sql`delete from audit_events`]
      for (const row of rows) {
        const fields = chainedFieldsOf(row)
        if (row.action === 'test.checkpoint.before') fields.detail = { changed: true }
        const hash = chainHash(prevHash, fields)
        statements.push(sql`insert into audit_events (id, at, actor_id, app_id, org_id, roles, action, object_type, object_id, result, ip, request_id, grant_id, detail, prev_hash, hash)
          values (${row.id}, ${fields.at}, ${fields.actorId}, ${fields.appId}, ${fields.orgId}, ${[...fields.roles]}, ${fields.action}, ${fields.objectType}, ${fields.objectId}, ${fields.result}, ${fields.ip}, ${fields.requestId}, ${fields.grantId}, ${JSON.stringify(fields.detail)}::jsonb, ${prevHash}, ${hash})`)
        prevHash = hash
      }
      await asDba(t.db, ...statements)
      assert.equal((await verifyAuditChain(t.db)).ok, true)
      const body = await verify()
      assert.equal(body.ok, false)
      assert.equal(body.checkpoint.code, 'CHAIN_REWRITTEN')
      assert.match(body.checkpoint.message, /哈希链被改写/)
    })

    test('a checkpoint file whose signature or content was changed is refused', async () => {
      await appendAudit(t.db, source(), { action: 'test.checkpoint.file' })
      await writeCheckpoint(t.db, settings(), new Date())
      const file = newestFile(t.config.auditCheckpointDir)
      const original = readFileSync(file, 'utf8')
      assert.equal((await checkChainAgainstCheckpoint(t.db, settings())).code, 'CHECKPOINT_MATCHED')
      const checkpoint = JSON.parse(original)

      const flipped = Buffer.from(checkpoint.signature, 'base64')
      flipped[flipped.length - 3] ^= 1
      writeFileSync(file, JSON.stringify({ ...checkpoint, signature: flipped.toString('base64') }))
      let body = await verify()
      assert.equal(body.ok, false)
      assert.equal(body.checkpoint.code, 'CHECKPOINT_INVALID')
      assert.match(body.checkpoint.message, /签名校验失败/)

      // A checkpoint moved to match a truncated chain, with the old signature: refused too.
      writeFileSync(file, JSON.stringify({ ...checkpoint, hash: 'f'.repeat(64) }))
      body = await verify()
      assert.equal(body.checkpoint.code, 'CHECKPOINT_INVALID')

      writeFileSync(file, '{ not json')
      assert.equal((await verify()).checkpoint.code, 'CHECKPOINT_INVALID')

      writeFileSync(file, original)
      assert.equal((await verify()).checkpoint.code, 'CHECKPOINT_MATCHED')
      if (!withDataKey) {
        // Without the key the checkpoints cannot be checked: said, not passed.
        rmSync(join(t.config.auditCheckpointDir, 'signing-key.pem'))
        body = await verify()
        assert.equal(body.checkpoint.code, 'CHECKPOINT_INVALID')
        assert.match(body.checkpoint.message, /密钥不可用/)
      }
    })
  })
}

describe('no checkpoint yet', () => {
  test('a new deployment without checkpoints verifies, and says the tail is not covered yet', async () => {
    const t = await buildTestApp()
    try {
      const { tokens } = await buildWorld(t.db)
      const res = await t.request('GET', '/api/v1/audit/verify', { token: tokens.auditor })
      assert.equal(res.body.ok, true)
      assert.equal(res.body.checkpoint.code, 'NO_CHECKPOINT')
      assert.equal(res.body.checkpoint.checkpoint, null)
    } finally {
      await t.close()
    }
  })
})
