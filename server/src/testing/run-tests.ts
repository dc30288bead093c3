import { spawnSync } from 'node:child_process'
import { readdirSync } from 'node:fs'
import { join, relative } from 'node:path'
import { prepareTemplates } from './prepare.ts'
import { PROJECT_ROOT } from './template.ts'

/**
 * `npm test`: builds the template database(s), then runs every *.test.ts beside the code with
 * node's test runner (Node 20 has no glob for --test). Extra arguments filter files by substring.
 */
function findTests(dir: string, found: string[] = []): string[] {
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name)
    if (entry.isDirectory()) findTests(path, found)
    else if (entry.name.endsWith('.test.ts')) found.push(relative(PROJECT_ROOT, path))
  }
  return found
}

await prepareTemplates()
const filters = process.argv.slice(2)
const files = findTests(join(PROJECT_ROOT, 'server/src'))
  .filter((file) => filters.length === 0 || filters.some((f) => file.includes(f)))
  .sort()
console.log(`running ${files.length} test files on ${process.env.TEST_DATABASE_URL ? 'PostgreSQL' : 'PGlite'}`)
const result = spawnSync(process.execPath, ['--import', 'tsx', '--test', '--test-concurrency=2', ...files], {
  cwd: PROJECT_ROOT,
  stdio: 'inherit',
})
process.exit(result.status ?? 1)
