import { randomBytes } from 'node:crypto'
import type { Executor } from '../db/database.ts'

const KEY = 'masking.pseudonymSecret'
// Per database handle: a process may serve several databases (tests).
const cache = new WeakMap<object, Promise<string>>()

/**
 * The deployment's secret for SM3 pseudonyms, created once per database (so pseudonyms stay stable
 * across restarts and processes, and differ between deployments).
 */
export function pseudonymSecret(db: Executor): Promise<string> {
  let cached = cache.get(db)
  if (cached) return cached
  cached = (async () => {
    await db
      .insertInto('parameters')
      .values({ key: KEY, value: JSON.stringify(randomBytes(32).toString('hex')) })
      .onConflict((oc) => oc.column('key').doNothing())
      .execute()
    const row = await db.selectFrom('parameters').select('value').where('key', '=', KEY).executeTakeFirstOrThrow()
    return String(row.value)
  })().catch((error) => {
    cache.delete(db)
    throw error
  })
  cache.set(db, cached)
  return cached
}
