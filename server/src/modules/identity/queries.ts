import type { Scope } from '../../../../common/policy/index.ts'
import { scopeWhere } from '../../platform/db/scope.ts'
import { sql } from 'kysely'
import type { Executor } from '../../platform/db/database.ts'
import { containsPattern } from '../../platform/db/like.ts'
import { pageOffset } from '../../platform/http/pagination.ts'
import type { UserListQuery } from './schemas.ts'

const userColumns = ['u.id', 'u.username', 'u.name', 'u.orgId', 'o.name as orgName', 'u.roles', 'u.status', 'u.mobile', 'u.lastLoginAt'] as const

const usersWithOrg = (db: Executor) => db.selectFrom('users as u').innerJoin('orgs as o', 'o.id', 'u.orgId')

/** The user's row with its organisation's status: an account of a disabled organisation may not log in. */
export const findUserForLogin = (db: Executor, username: string) =>
  db
    .selectFrom('users as u')
    .innerJoin('orgs as o', 'o.id', 'u.orgId')
    .selectAll('u')
    .select('o.status as orgStatus')
    .where('u.username', '=', username)
    .executeTakeFirst()

export const findUserById = (db: Executor, id: string) => usersWithOrg(db).select(userColumns).where('u.id', '=', id).executeTakeFirst()

export const lockUserForUpdate = (db: Executor, id: string) => db.selectFrom('users').selectAll().where('id', '=', id).forUpdate().executeTakeFirst()

/**
 * Counts one failed login atomically; the 5th failure in a row locks the account for 15 minutes
 * (API.md "Identity"). A lock that has run out starts the count again.
 */
export const recordFailedLogin = (db: Executor, id: string, now: Date) =>
  db
    .updateTable('users')
    .set({
      failedLogins: sql`case when locked_until is not null and locked_until <= ${now} then 1 else failed_logins + 1 end`,
      lockedUntil: sql`case
        when locked_until is not null and locked_until <= ${now} then null
        when failed_logins + 1 >= 5 then ${now}::timestamptz + interval '15 minutes'
        else locked_until end`,
    })
    .where('id', '=', id)
    .returning(['failedLogins', 'lockedUntil'])
    .executeTakeFirstOrThrow()

export const recordSuccessfulLogin = (db: Executor, id: string, now: Date) =>
  db.updateTable('users').set({ failedLogins: 0, lockedUntil: null, lastLoginAt: now }).where('id', '=', id).execute()

/** Accounts within the actor's scope (policy `identity.user.read`), filtered by the query. */
export async function listUsers(db: Executor, scope: Scope, query: UserListQuery) {
  const base = usersWithOrg(db)
    .where(scopeWhere(scope, { orgId: sql.ref('u.orgId') }))
    .$if(!!query.orgId, (qb) => qb.where('u.orgId', '=', query.orgId!))
    .$if(!!query.q, (qb) => qb.where((eb) => eb.or([eb('u.username', 'ilike', containsPattern(query.q!)), eb('u.name', 'ilike', containsPattern(query.q!))])))
  const [items, total] = await Promise.all([
    base
      .select(userColumns)
      // Whether the user signs in with a one-time code: administrators see who still has to enroll.
      .select((eb) =>
        eb
          .exists(eb.selectFrom('userTotp as t').whereRef('t.userId', '=', 'u.id').where('t.confirmedAt', 'is not', null))
          .$castTo<boolean>()
          .as('totpEnabled'),
      )
      .orderBy('o.name')
      .orderBy('u.username')
      .limit(query.pageSize)
      .offset(pageOffset(query))
      .execute(),
    base.select((eb) => eb.fn.countAll<number>().as('n')).executeTakeFirstOrThrow(),
  ])
  return { items, total: total.n }
}

export const findUserTotp = (db: Executor, userId: string) => db.selectFrom('userTotp').selectAll().where('userId', '=', userId).executeTakeFirst()

export const lockUserTotp = (db: Executor, userId: string) => db.selectFrom('userTotp').selectAll().where('userId', '=', userId).forUpdate().executeTakeFirst()

/**
 * Marks a TOTP step as used. Only a step newer than the last one accepted is taken, in one
 * statement, so a code replayed (even by another server process at the same moment) is refused.
 */
export async function consumeTotpStep(db: Executor, userId: string, step: number): Promise<boolean> {
  const row = await db
    .updateTable('userTotp')
    .set({ lastUsedStep: step })
    .where('userId', '=', userId)
    .where('confirmedAt', 'is not', null)
    .where('lastUsedStep', '<', step)
    .returning('userId')
    .executeTakeFirst()
  return row !== undefined
}
