import type { Role } from '../../../../common/roles.ts'
import { randomToken, sm3Hex } from '../crypto/sm3.ts'
import type { Executor } from '../db/database.ts'
import type { Actor } from './actor.ts'

// Refresh last_seen_at at most once a minute: enough precision for a 30-minute idle timeout, far fewer writes.
const TOUCH_INTERVAL_MS = 60_000

export const tokenDigest = (token: string) => sm3Hex(`govshare-session:${token}`)

/** Creates a session and returns the bearer token (only its digest is stored). */
export async function createSession(db: Executor, userId: string, now: Date, ip: string | null, scope: 'full' | 'totp_enrollment' = 'full') {
  const token = randomToken(32)
  await db
    .insertInto('sessions')
    .values({ tokenHash: tokenDigest(token), userId, lastSeenAt: now, ip, scope })
    .execute()
  return token
}

/** A session restricted to TOTP enrollment becomes a full one once the second factor is confirmed. */
export async function widenSession(db: Executor, sessionId: string) {
  await db.updateTable('sessions').set({ scope: 'full' }).where('id', '=', sessionId).execute()
}

/**
 * True when the token is a live user login token (not revoked, not idle too long), without touching the
 * session: a caller using it where an app token is needed is told it is the wrong kind of token.
 */
export async function isLiveSessionToken(db: Executor, token: string, now: Date, idleMinutes: number): Promise<boolean> {
  const row = await db.selectFrom('sessions').select(['revokedAt', 'lastSeenAt']).where('tokenHash', '=', tokenDigest(token)).executeTakeFirst()
  return !!row && !row.revokedAt && now.getTime() - new Date(row.lastSeenAt).getTime() <= idleMinutes * 60_000
}

/** The actor of a live token, or null when the token is unknown, revoked, idle too long or its user disabled. */
export async function resolveSession(db: Executor, token: string, now: Date, idleMinutes: number): Promise<Actor | null> {
  const row = await db
    .selectFrom('sessions as s')
    .innerJoin('users as u', 'u.id', 's.userId')
    .innerJoin('orgs as o', 'o.id', 'u.orgId')
    .select([
      's.id as sessionId',
      's.lastSeenAt',
      's.revokedAt',
      's.scope',
      'u.id as userId',
      'u.username',
      'u.name',
      'u.roles',
      'u.status',
      'o.id as orgId',
      'o.name as orgName',
      'o.kind as orgKind',
      'o.status as orgStatus',
    ])
    .where('s.tokenHash', '=', tokenDigest(token))
    .executeTakeFirst()
  if (!row || row.revokedAt || row.status !== 'active' || row.orgStatus !== 'active') return null
  const idleMs = now.getTime() - new Date(row.lastSeenAt).getTime()
  if (idleMs > idleMinutes * 60_000) return null
  if (idleMs > TOUCH_INTERVAL_MS) {
    await db.updateTable('sessions').set({ lastSeenAt: now }).where('id', '=', row.sessionId).execute()
  }
  return Object.freeze({
    userId: row.userId,
    username: row.username,
    name: row.name,
    orgId: row.orgId,
    orgName: row.orgName,
    orgKind: row.orgKind,
    roles: Object.freeze(row.roles as Role[]),
    sessionId: row.sessionId,
    ...(row.scope === 'totp_enrollment' && { totpEnrollmentOnly: true }),
  })
}

export async function revokeSession(db: Executor, sessionId: string, now: Date) {
  await db.updateTable('sessions').set({ revokedAt: now }).where('id', '=', sessionId).where('revokedAt', 'is', null).execute()
}

/** Ends every session of a user (password reset, disable), or every one but `keepSessionId` (own password change). */
export async function revokeUserSessions(db: Executor, userId: string, now: Date, keepSessionId?: string) {
  await db
    .updateTable('sessions')
    .set({ revokedAt: now })
    .where('userId', '=', userId)
    .where('revokedAt', 'is', null)
    .$if(keepSessionId !== undefined, (qb) => qb.where('id', '!=', keepSessionId!))
    .execute()
}
