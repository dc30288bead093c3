import { seedWorkCalendar } from '../calendar/seed.ts'
import type { Db } from './database.ts'
import { migrate } from './migrator.ts'

/** Everything a database needs before the app serves it: schema, then reference data (idempotent). */
export async function prepareDatabase(db: Db) {
  const applied = await migrate(db)
  const calendarDays = await seedWorkCalendar(db)
  return { applied, calendarDays }
}

/** True when no user exists yet (a fresh deployment). */
export const isEmptyDeployment = async (db: Db) => !(await db.selectFrom('users').select('id').limit(1).executeTakeFirst())
