import { sql } from 'kysely'
import { randomBytes } from 'node:crypto'
import { appsChanged } from './app-signal.ts'
import { appendAudit } from '../../platform/audit/chain.ts'
import { recordAudit } from '../../platform/audit/record.ts'
import { authorize, authorizeLoaded, scopeOf } from '../../platform/auth/policy.ts'
import { dummyPasswordHash, hashPassword, verifyPassword } from '../../platform/auth/passwords.ts'
import { randomToken, sm3Hex } from '../../platform/crypto/sm3.ts'
import type { Ctx } from '../../platform/context.ts'
import type { Db, Executor } from '../../platform/db/database.ts'
import { scopeWhere } from '../../platform/db/scope.ts'
import { AppError, conflict, invalidState, notFound } from '../../platform/http/errors.ts'

// Access tokens live two hours (SPEC §8.2 S6 "short-lived token").
export const ACCESS_TOKEN_SECONDS = 7200

const appColumns = ['id', 'orgId', 'name', 'appKey', 'ipAllowList', 'status', 'createdAt'] as const

export async function createApp(ctx: Ctx, input: { name: string; ipAllowList: string[] }) {
  authorize(ctx.actor, 'gateway.app.create')
  const appSecret = randomToken(32)
  const secretHash = await hashPassword(appSecret)
  return ctx.db.transaction().execute(async (trx) => {
    const clash = await trx.selectFrom('apps').select('id').where('orgId', '=', ctx.actor.orgId).where('name', '=', input.name).executeTakeFirst()
    if (clash) throw conflict(`本单位已有名为「${input.name}」的应用`)
    const row = await trx
      .insertInto('apps')
      .values({ orgId: ctx.actor.orgId, name: input.name, appKey: `gs${randomBytes(12).toString('hex')}`, secretHash, ipAllowList: input.ipAllowList, createdBy: ctx.actor.userId })
      .returning(appColumns)
      .executeTakeFirstOrThrow()
    await recordAudit(trx, ctx, { action: 'gateway.app.create', objectType: 'app', objectId: row.id, appId: row.id })
    return { ...row, appSecret }
  })
}

export async function listApps(ctx: Ctx) {
  const items = await ctx.db
    .selectFrom('apps')
    .select(appColumns)
    .where(scopeWhere(scopeOf(ctx.actor, 'gateway.app.read'), { orgId: sql.ref('orgId') }))
    .orderBy('createdAt', 'desc')
    .execute()
  return { items }
}

async function lockOwnApp(trx: Executor, ctx: Ctx, id: string) {
  const app = await trx.selectFrom('apps').select(appColumns).where('id', '=', id).forUpdate().executeTakeFirst()
  return authorizeLoaded(ctx.actor, 'gateway.app.update', app, '应用')
}

/** Disabling an app also ends its access tokens at once. */
export async function disableApp(ctx: Ctx, id: string) {
  const disabled = await ctx.db.transaction().execute(async (trx) => {
    const app = await lockOwnApp(trx, ctx, id)
    if (app.status === 'disabled') throw invalidState('应用已停用')
    await trx.updateTable('apps').set({ status: 'disabled' }).where('id', '=', id).execute()
    await trx.deleteFrom('appTokens').where('appId', '=', id).execute()
    await recordAudit(trx, ctx, { action: 'gateway.app.disable', objectType: 'app', objectId: id, appId: id })
    return { ...app, status: 'disabled' as const }
  })
  appsChanged()
  return disabled
}

export async function rotateSecret(ctx: Ctx, id: string) {
  const appSecret = randomToken(32)
  const secretHash = await hashPassword(appSecret)
  const rotated = await ctx.db.transaction().execute(async (trx) => {
    const app = await lockOwnApp(trx, ctx, id)
    await trx.updateTable('apps').set({ secretHash }).where('id', '=', id).execute()
    await trx.deleteFrom('appTokens').where('appId', '=', id).execute()
    await recordAudit(trx, ctx, { action: 'gateway.app.rotate-secret', objectType: 'app', objectId: id, appId: id })
    return { ...app, appSecret }
  })
  appsChanged()
  return rotated
}

export const accessTokenDigest = (token: string) => sm3Hex(`govshare-app:${token}`)

/** Exchanges app key + secret for a short-lived access token. Same answer for an unknown key and a wrong secret. */
export async function issueAccessToken(db: Db, appKey: string, appSecret: string, now: Date, audit: { ip: string; requestId: string }) {
  const app = await db
    .selectFrom('apps as a')
    .innerJoin('orgs as o', 'o.id', 'a.orgId')
    .select(['a.id', 'a.orgId', 'a.secretHash', 'a.status', 'o.status as orgStatus'])
    .where('a.appKey', '=', appKey)
    .executeTakeFirst()
  const ok = await verifyPassword(app?.secretHash ?? (await dummyPasswordHash()), appSecret)
  const source = { actorId: null, orgId: app?.orgId ?? null, roles: ['APP'], ip: audit.ip, requestId: audit.requestId, at: now }
  // An app of a disabled organisation is as stopped as a disabled app.
  if (!app || !ok || app.status !== 'active' || app.orgStatus !== 'active') {
    await appendAudit(db, source, { action: 'gateway.token.issue', result: 'denied', appId: app?.id ?? null, detail: { appKey: appKey.slice(0, 64) } })
    throw new AppError(401, 'INVALID_CREDENTIALS', app && ok ? '应用已停用' : '应用标识或密钥错误')
  }
  const accessToken = randomToken(32)
  await db.transaction().execute(async (trx) => {
    await trx.deleteFrom('appTokens').where('appId', '=', app.id).where('expiresAt', '<', now).execute()
    await trx.insertInto('appTokens').values({ tokenHash: accessTokenDigest(accessToken), appId: app.id, expiresAt: new Date(now.getTime() + ACCESS_TOKEN_SECONDS * 1000) }).execute()
    await appendAudit(trx, source, { action: 'gateway.token.issue', appId: app.id, objectType: 'app', objectId: app.id })
  })
  return { accessToken, expiresIn: ACCESS_TOKEN_SECONDS, tokenType: 'Bearer' as const }
}

export interface AppCaller {
  appId: string
  orgId: string
  ipAllowList: string[]
}

/** The app behind an access token (by the token's digest) with its status and the token's expiry, or undefined. */
export async function lookupAccessToken(db: Executor, digest: string) {
  const row = await db
    .selectFrom('appTokens as t')
    .innerJoin('apps as a', 'a.id', 't.appId')
    .innerJoin('orgs as o', 'o.id', 'a.orgId')
    .select(['a.id', 'a.orgId', 'a.ipAllowList', 'a.status', 'o.status as orgStatus', 't.expiresAt'])
    .where('t.tokenHash', '=', digest)
    .executeTakeFirst()
  if (!row) return undefined
  // A token of a disabled organisation's app is dead like a disabled app's.
  const status = row.orgStatus === 'active' ? row.status : 'disabled'
  return { caller: { appId: row.id, orgId: row.orgId, ipAllowList: row.ipAllowList } satisfies AppCaller, status, expiresAt: new Date(row.expiresAt) }
}

/** The app behind a live access token, or null. */
export async function resolveAccessToken(db: Executor, token: string, now: Date): Promise<AppCaller | null> {
  const found = await lookupAccessToken(db, accessTokenDigest(token))
  if (!found || found.status !== 'active' || found.expiresAt <= now) return null
  return found.caller
}
