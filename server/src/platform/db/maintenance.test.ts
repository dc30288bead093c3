import assert from 'node:assert/strict'
import { after, before, test } from 'node:test'
import { sql } from 'kysely'
import { buildWorld, publishResource } from '../../testing/factories.ts'
import { buildTestApp, type TestApp } from '../../testing/test-app.ts'
import { maintenanceTasks } from './maintenance.ts'

let t: TestApp
before(async () => {
  t = await buildTestApp()
})
after(() => t.close())

test('the embedded database gathers planner statistics itself; PostgreSQL leaves it to autovacuum', async () => {
  const tasks = maintenanceTasks(t.dbKind)
  if (t.dbKind === 'postgres') {
    assert.deepEqual(tasks, [])
    assert.deepEqual(
      maintenanceTasks('pglite').map((task) => task.name),
      ['db.analyze'],
    )
    return
  }
  const world = await buildWorld(t.db)
  await publishResource(t, world.tokens, { name: '婚姻登记信息', abstract: '结婚、离婚登记记录' })
  const tokens = () =>
    sql<{ n: number }>`select coalesce(array_length(most_common_elems::text::text[], 1), 0) as n from pg_stats
      where tablename = 'resource_versions' and attname = 'search_vector'`.execute(t.db)
  assert.equal((await tokens()).rows[0]?.n ?? 0, 0, 'no statistics before the task runs')
  assert.deepEqual(
    tasks.map((task) => task.name),
    ['db.analyze'],
  )
  await tasks[0].run(t.db, new Date())
  assert.ok((await tokens()).rows[0].n > 0, 'ANALYZE gave the search vectors their most common tokens')
})
