import type { Selectable } from 'kysely'
import type { Executor } from '../../platform/db/database.ts'
import type { UsersTable } from '../../platform/db/schema.ts'
import { AppError, notFound } from '../../platform/http/errors.ts'

export const accountLocked = (until: Date) =>
  new AppError(
    429,
    'ACCOUNT_LOCKED',
    `连续 5 次登录失败，账号已锁定，请于 ${until.toLocaleTimeString('zh-CN', { timeZone: 'Asia/Shanghai', hour12: false })} 后再试`,
  )

/** The user's row with its password hash (never leaves the server). */
export async function findCredentials(db: Executor, userId: string): Promise<Selectable<UsersTable>> {
  const user = await db.selectFrom('users').selectAll().where('id', '=', userId).executeTakeFirst()
  if (!user) throw notFound('用户')
  return user
}

/** While locked (5 failures), no credential check is even attempted: API.md "Identity". */
export function assertNotLocked(user: Pick<Selectable<UsersTable>, 'lockedUntil'>, now: Date) {
  if (user.lockedUntil && new Date(user.lockedUntil) > now) throw accountLocked(new Date(user.lockedUntil))
}
