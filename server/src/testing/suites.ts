import { readdirSync } from 'node:fs'
import { join, relative } from 'node:path'
import { PROJECT_ROOT } from '../platform/project-root.ts'

/**
 * The slow suite (`npm run test:slow`): tests that spawn server or CLI processes, kill them, build a
 * production install or load the whole demo. They take most of the suite's time, so `npm test` keeps
 * the unit and route tests only.
 */
export const SLOW_TESTS = [
  'server/src/reliability/',
  'server/src/cli/',
  'server/src/demo/load-demo.test.ts',
  'server/src/modules/mounts/crash.test.ts',
  'server/src/modules/mounts/upload-memory.test.ts',
  'server/src/platform/db/data-dir-lock.test.ts',
  // Spawns node agents next to real PostgreSQL and MariaDB databases, and kills one mid-run.
  'server/src/modules/exchange/exchange.test.ts',
]

export const isSlowTest = (file: string) => SLOW_TESTS.some((prefix) => file.startsWith(prefix))

/** Every *.test.ts under server/src, as paths from the project root (Node 20's --test has no glob). */
export function findTests(dir = join(PROJECT_ROOT, 'server/src'), found: string[] = []): string[] {
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name)
    if (entry.isDirectory()) findTests(path, found)
    else if (entry.name.endsWith('.test.ts')) found.push(relative(PROJECT_ROOT, path).split('\\').join('/'))
  }
  return found
}
