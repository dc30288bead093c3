import { createHash } from 'node:crypto'
import { existsSync, readFileSync, readdirSync } from 'node:fs'
import { join } from 'node:path'
import { MIGRATIONS_DIR } from '../platform/db/migrator.ts'
import { PROJECT_ROOT } from '../platform/project-root.ts'

export { PROJECT_ROOT }

/** Where test databases come from: a migrated, seeded template, rebuilt when migrations or seeds change. */
export const CACHE_DIR = join(PROJECT_ROOT, '.cache')

export function templateKey(): string {
  const hash = createHash('sha1')
  for (const file of readdirSync(MIGRATIONS_DIR).sort()) hash.update(file).update(readFileSync(join(MIGRATIONS_DIR, file)))
  for (const file of ['../platform/calendar/seed.ts', '../platform/db/bootstrap.ts']) {
    hash.update(readFileSync(join(import.meta.dirname, file)))
  }
  return hash.digest('hex').slice(0, 12)
}

export const pgliteTemplatePath = () => join(CACHE_DIR, `pglite-template-${templateKey()}`)
export const postgresTemplateName = () => `govshare_tpl_${templateKey()}`
export const testDatabaseUrl = () => process.env.TEST_DATABASE_URL || null

export const hasPgliteTemplate = () => existsSync(join(pgliteTemplatePath(), 'PG_VERSION'))

/** The URL of another database on the same server. */
export function withDatabase(url: string, database: string) {
  const parsed = new URL(url)
  parsed.pathname = `/${database}`
  return parsed.toString()
}

/**
 * A digest of every non-test .ts file under `dirs` (recursively, in a stable order) below `root`: what
 * a cache built by running that code (the e2e demo database) depends on.
 */
export function sourceKey(dirs: readonly string[], root = PROJECT_ROOT): string {
  const hash = createHash('sha1')
  const walk = (dir: string) => {
    for (const entry of readdirSync(join(root, dir), { withFileTypes: true }).sort((a, b) => (a.name < b.name ? -1 : 1))) {
      const path = `${dir}/${entry.name}`
      if (entry.isDirectory()) walk(path)
      else if (/\.tsx?$/.test(entry.name) && !entry.name.endsWith('.test.ts')) hash.update(path).update(readFileSync(join(root, path)))
    }
  }
  for (const dir of dirs) walk(dir)
  return hash.digest('hex').slice(0, 12)
}
