import type { Config } from '../platform/config/config.ts'
import type { Db } from '../platform/db/database.ts'

/** Loads the Weifang demo (API.md "Demo data") into an empty database. */
export async function loadDemo(_db: Db, _config: Config) {
  return { orgs: 0, users: 0, resources: 0 }
}
