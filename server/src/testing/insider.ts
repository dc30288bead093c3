import { type RawBuilder, sql } from 'kysely'
import type { Db } from '../platform/db/database.ts'

/**
 * Runs statements as a database administrator with superuser rights would: with triggers switched off
 * (session_replication_role), so the append-only guards do not stop them. The tampering the audit chain,
 * its call-log seals and its checkpoints must reveal.
 */
export const asDba = (db: Db, ...statements: RawBuilder<unknown>[]) =>
  db.transaction().execute(async (trx) => {
    await sql`set local session_replication_role = replica`.execute(trx)
    for (const statement of statements) await statement.execute(trx)
  })
