import type { AuditSource } from './audit/chain.ts'
import type { Actor } from './auth/actor.ts'
import type { Config } from './config/config.ts'
import type { Db } from './db/database.ts'

/** What a service command needs from the request: database, actor, clock, and audit source. */
export interface Ctx {
  readonly db: Db
  readonly actor: Actor
  readonly config: Config
  readonly requestId: string | null
  readonly ip: string | null
  now(): Date
}

export function auditSourceOf(ctx: Omit<Ctx, 'actor'> & { actor: Actor | null }): AuditSource {
  return {
    actorId: ctx.actor?.userId ?? null,
    orgId: ctx.actor?.orgId ?? null,
    roles: ctx.actor?.roles ?? [],
    ip: ctx.ip,
    requestId: ctx.requestId,
    at: ctx.now(),
  }
}

/** A context for work outside an HTTP request (demo loader, command-line tool, jobs). */
export function makeCtx(parts: { db: Db; actor: Actor; config: Config; now?: () => Date }): Ctx {
  return { db: parts.db, actor: parts.actor, config: parts.config, requestId: null, ip: null, now: parts.now ?? (() => new Date()) }
}
