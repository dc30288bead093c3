import assert from 'node:assert/strict'
import { after, before, test } from 'node:test'
import { sql } from 'kysely'
import type { OpenDatabase } from '../../platform/db/database.ts'
import { openTestDatabase } from '../../testing/test-db.ts'
import { GroupCounter } from './rate-limit.ts'

let database: OpenDatabase
before(async () => {
  database = await openTestDatabase()
})
after(() => database.close())

test('grouped counts give every call its own ordinal, in each window, however they are batched', async () => {
  const counter = new GroupCounter(database.db)
  const minute = new Date('2026-03-02T02:00:00Z')
  const day = new Date('2026-03-01T16:00:00Z')
  const counted = await Promise.all(
    Array.from({ length: 40 }, () =>
      counter.count([
        { key: 'grant:g1:minute', windowStart: minute },
        { key: 'grant:g1:day', windowStart: day },
      ]),
    ),
  )
  assert.deepEqual(
    counted.map(([m]) => m).sort((a, b) => a - b),
    Array.from({ length: 40 }, (_, i) => i + 1),
  )
  assert.deepEqual(
    counted.map(([, d]) => d).sort((a, b) => a - b),
    Array.from({ length: 40 }, (_, i) => i + 1),
  )
  const [again] = await counter.count([{ key: 'grant:g1:minute', windowStart: minute }])
  assert.equal(again, 41)
  const stored = await database.db.selectFrom('rateCounters').select(['key', 'count']).orderBy('key').execute()
  assert.deepEqual(stored, [
    { key: 'grant:g1:day', count: 40 },
    { key: 'grant:g1:minute', count: 41 },
  ])
})

test('the counters commit without waiting for the WAL flush, and only their own statement does', async () => {
  await database.db.connection().execute(async (connection) => {
    const inside = await sql<{
      setting: string
    }>`with added as (select * from rate_counters_add('[{"key":"k","window_start":"2026-03-02T02:00:00Z","count":1}]'::json))
      select current_setting('synchronous_commit') as setting from added`.execute(connection)
    assert.equal(inside.rows[0].setting, 'off')
    // The next statement on the same pooled connection is back to the server's setting.
    const afterwards = await sql<{ setting: string }>`select current_setting('synchronous_commit') as setting`.execute(connection)
    assert.equal(afterwards.rows[0].setting, 'on')
  })
})
