import { spawnSync } from 'node:child_process'
import { prepareTemplates } from './prepare.ts'
import { findTests, isSlowTest } from './suites.ts'
import { PROJECT_ROOT } from './template.ts'

/**
 * `npm test`: builds the template database(s), then runs the fast suite (every *.test.ts beside the code
 * but the slow ones, see suites.ts) with node's test runner. `npm run test:slow` (`--slow`) runs the slow
 * suite. Extra arguments filter files by substring.
 */
const slow = process.argv.includes('--slow')
const filters = process.argv.slice(2).filter((arg) => arg !== '--slow')
const matching = findTests()
  .filter((file) => filters.length === 0 || filters.some((f) => file.includes(f)))
  .sort()
const files = matching.filter((file) => isSlowTest(file) === slow)
if (files.length === 0) {
  // A filter that names only tests of the other suite must not pass silently.
  const other = matching.filter((file) => isSlowTest(file) !== slow)
  console.error(
    `no ${slow ? 'slow' : 'fast'} test file matches ${filters.join(' ')}${other.length ? `; run them with npm run ${slow ? 'test' : 'test:slow'} -- …: ${other.join(', ')}` : ''}`,
  )
  process.exit(1)
}
await prepareTemplates()
console.log(`running ${files.length} ${slow ? 'slow' : 'fast'} test files on ${process.env.TEST_DATABASE_URL ? 'PostgreSQL' : 'PGlite'}`)
// The fast suite hashes passwords with a cheap argon2id profile (platform/auth/passwords.ts); the slow
// suite's spawned servers keep the production one.
const env = slow ? process.env : { ...process.env, GOVSHARE_TEST_FAST_HASH: '1' }
const result = spawnSync(process.execPath, ['--import', 'tsx', '--test', '--test-concurrency=2', ...files], {
  cwd: PROJECT_ROOT,
  stdio: 'inherit',
  env,
})
process.exit(result.status ?? 1)
