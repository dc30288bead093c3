import { randomBytes } from 'node:crypto'
import { cpSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import pg from 'pg'
import { type OpenDatabase, openDatabase } from '../platform/db/database.ts'
import { prepareTemplates } from './prepare.ts'
import { hasPgliteTemplate, pgliteTemplatePath, postgresTemplateName, testDatabaseUrl, withDatabase } from './template.ts'

/**
 * A fresh database cloned from the template: PGlite by default, PostgreSQL when TEST_DATABASE_URL
 * is set (a new database per call, dropped on close).
 */
export async function openTestDatabase(): Promise<OpenDatabase> {
  const url = testDatabaseUrl()
  if (!url) {
    if (!hasPgliteTemplate()) await prepareTemplates()
    // A copy of the template's data directory: the file copy is the kernel's work, where unpacking a
    // dump into PGlite's in-memory file system cost about a CPU-second per test database.
    const dataDir = join(tmpdir(), `govshare-test-pglite-${randomBytes(6).toString('hex')}`)
    cpSync(pgliteTemplatePath(), dataDir, { recursive: true })
    const database = await openDatabase({ dataDir })
    return {
      ...database,
      async close() {
        await database.close()
        rmSync(dataDir, { recursive: true, force: true })
      },
    }
  }
  await prepareTemplates()
  const name = `govshare_t_${randomBytes(6).toString('hex')}`
  const admin = new pg.Client({ connectionString: url })
  await admin.connect()
  await admin.query(`create database ${name} template ${postgresTemplateName()}`)
  await admin.end()
  const database = await openDatabase({ url: withDatabase(url, name), poolSize: 10 })
  return {
    ...database,
    async close() {
      await database.close()
      const dropper = new pg.Client({ connectionString: url })
      await dropper.connect()
      await dropper.query(`drop database if exists ${name} with (force)`)
      await dropper.end()
    },
  }
}
