import assert from 'node:assert/strict'
import { test } from 'node:test'
import { sql } from 'kysely'
import { buildTestApp } from '../../testing/test-app.ts'
import { loggableError, redactedUrl } from './request-log.ts'

test('redactedUrl keeps the path and parameter names, never a value', () => {
  assert.equal(redactedUrl('/api/v1/catalog/resources'), '/api/v1/catalog/resources')
  assert.equal(redactedUrl('/api/v1/gateway/resources/x/records?id_no=370702199003071234&limit=5'), '/api/v1/gateway/resources/x/records?id_no=*&limit=*')
  assert.equal(redactedUrl('/a?'), '/a?')
  assert.equal(redactedUrl('/a?flag&&q=%E4%BD%8E'), '/a?*&q=*')
  // A bare value, a "name" that is really data, or a name and value run together is not kept either.
  assert.equal(redactedUrl('/a?370702199003071234'), '/a?*')
  assert.equal(redactedUrl('/a?id_no370702199003071234'), '/a?*')
  assert.equal(redactedUrl('/a?%E5%BC%A0%E4%B8%89=1'), '/a?*')
})

test('loggableError keeps the SQLSTATE and object names of a database error, never the value', async (t) => {
  const app = await buildTestApp()
  t.after(() => app.close())
  const raw = (text: string) =>
    sql
      .raw(text)
      .execute(app.db)
      .then(
        () => null,
        (error: unknown) => error,
      )

  const badUuid = (await raw(`select '370702199003071234'::uuid`)) as Error
  assert.match(badUuid.message, /370702199003071234/, 'the database quotes the value')
  const logged = loggableError(badUuid) as Error & { code: string }
  assert.equal(logged.code, '22P02')
  assert.equal(JSON.stringify({ ...logged, message: logged.message, stack: logged.stack }).includes('370702199003071234'), false)
  assert.match(logged.stack!, /^DatabaseError: SQLSTATE 22P02/)

  // (A plain table: a temporary one lives on one pooled connection only.)
  await raw('create table log_probe (id_no text primary key)')
  await raw(`insert into log_probe values ('370702199003071234')`)
  const duplicate = (await raw(`insert into log_probe values ('370702199003071234')`)) as Error & { detail?: string }
  assert.match(String(duplicate.detail), /370702199003071234/, 'the database puts the key in detail')
  const kept = loggableError(duplicate) as Error & Record<string, unknown>
  assert.deepEqual([kept.code, kept.table, kept.constraint, kept.detail], ['23505', 'log_probe', 'log_probe_pkey', undefined])
  assert.match(kept.message, /log_probe_pkey/)
  await raw('drop table log_probe')

  // Anything else is logged as it is.
  const plain = new Error('x')
  assert.equal(loggableError(plain), plain)
})
