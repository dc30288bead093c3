import assert from 'node:assert/strict'
import { readFileSync } from 'node:fs'
import { join } from 'node:path'
import { test } from 'node:test'
import { PROJECT_ROOT } from '../platform/project-root.ts'
import { SLOW_TESTS, findTests, isSlowTest } from './suites.ts'

test('the fast suite spawns no process and loads no demo; every slow entry names existing tests', () => {
  const files = findTests()
  assert.ok(files.length > 50, `only ${files.length} test files found`)
  for (const prefix of SLOW_TESTS)
    assert.ok(
      files.some((f) => f.startsWith(prefix)),
      `${prefix} names no test file`,
    )
  // What makes a test slow: child processes (servers, the CLI, npm) and the whole demo.
  const slowMarks = /\b(spawn|spawnSync|execFile|execFileSync|fork|startServer)\(|\bloadDemo\(/
  const misplaced = files.filter((f) => !isSlowTest(f) && slowMarks.test(readFileSync(join(PROJECT_ROOT, f), 'utf8')))
  // The audit checkpoint test runs `openssl dgst` once to check a signature: a short tool, not a server.
  assert.deepEqual(
    misplaced.filter((f) => f !== 'server/src/platform/audit/checkpoint.test.ts'),
    [],
  )
  assert.ok(isSlowTest('server/src/reliability/production-install.test.ts'))
  assert.ok(!isSlowTest('server/src/modules/catalog/routes.test.ts'))
})
