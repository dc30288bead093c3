import type { FastifyInstance, FastifyRequest } from 'fastify'
import fp from 'fastify-plugin'
import type { AuditSource } from '../audit/chain.ts'
import { DenialLog } from '../audit/denials.ts'
import type { Config } from '../config/config.ts'
import type { Ctx } from '../context.ts'
import type { Db, DbKind } from '../db/database.ts'
import type pg from 'pg'
import { AppError, forbidden, unauthenticated } from '../http/errors.ts'
import type { Actor } from './actor.ts'
import { bearerToken } from './bearer.ts'
import { TOTP_ENROLLMENT_ACTIONS } from '../../../../common/policy/identity.ts'
import { type Action, canByRole, isAction } from './policy.ts'
import { resolveSession } from './sessions.ts'

declare module 'fastify' {
  interface FastifyContextConfig {
    /** The policy action this route performs (`domain.object.verb`); a misspelt one does not compile. */
    action?: Action
    /** Reachable without a login token (login, health, docs). */
    public?: boolean
    /** Authenticated by an app access token, not a user session (the data gateway checks it itself). */
    appAuth?: boolean
  }
  interface FastifyRequest {
    actor: Actor | null
    /** Service context; only for routes that require a user (throws 401 otherwise). */
    readonly ctx: Ctx
  }
  interface FastifyInstance {
    db: Db
    dbKind: DbKind
    /** PostgreSQL only: the raw pool, for bulk COPY; null on PGlite. */
    pgPool: pg.Pool | null
    config: Config
    clock: () => Date
    /** Every route with its declared action, recorded at registration (walked by the route matrix test). */
    routeRegistry: RegisteredRoute[]
    /** Refused attempts (policy, login, gateway/token) for the audit chain, repeats summed per window. */
    auditDenials: DenialLog
  }
}

export interface RegisteredRoute {
  method: string
  url: string
  action: string | null
  public: boolean
  appAuth: boolean
}

// Routes registered by third-party plugins that are public by nature (API docs UI and its assets).
const PUBLIC_PREFIXES = ['/api/docs']

/**
 * Deny by default: every route declares `config.action` (checked against the one policy table) or
 * `config.public`. The app refuses to start otherwise. Authentication and the role check run in
 * onRequest, before the body is parsed, so a caller without a token gets 401 whatever it sends.
 */
export const authPlugin = fp(
  async (app: FastifyInstance) => {
    app.decorate('routeRegistry', [] as RegisteredRoute[])
    app.decorate('auditDenials', new DenialLog(app.db, app.clock, (error) => app.log.error({ err: error }, 'audit of repeated denials failed')))
    app.addHook('onClose', () => app.auditDenials.close())
    app.decorateRequest('actor', null)
    app.decorateRequest('ctx', {
      getter(this: FastifyRequest) {
        const actor = this.actor
        if (!actor) throw unauthenticated()
        return {
          db: app.db,
          actor,
          config: app.config,
          requestId: this.id,
          ip: this.ip,
          now: app.clock,
        } satisfies Ctx
      },
    })

    const auditSourceOfRequest = (request: FastifyRequest, actor: Actor): AuditSource => ({
      actorId: actor.userId,
      orgId: actor.orgId,
      roles: actor.roles,
      ip: request.ip,
      requestId: request.id,
      at: app.clock(),
    })

    app.addHook('onRoute', (route) => {
      const methods = Array.isArray(route.method) ? route.method : [route.method]
      const isPublic = route.config?.public === true || PUBLIC_PREFIXES.some((p) => route.url.startsWith(p))
      for (const method of methods) {
        if (method === 'HEAD') continue
        app.routeRegistry.push({ method, url: route.url, action: route.config?.action ?? null, public: isPublic, appAuth: route.config?.appAuth === true })
      }
    })

    app.addHook('onReady', async () => {
      const undeclared = app.routeRegistry.filter((r) => !r.public && (!r.action || !isAction(r.action)))
      if (undeclared.length > 0) {
        throw new Error(`routes without a declared policy action: ${undeclared.map((r) => `${r.method} ${r.url} (${r.action})`).join(', ')}`)
      }
    })

    app.addHook('onRequest', async (request) => {
      const config = request.routeOptions.config
      if (config.public || config.appAuth || PUBLIC_PREFIXES.some((p) => request.routeOptions.url?.startsWith(p))) return
      if (!request.routeOptions.url) return // unknown route: the not-found handler answers
      const token = bearerToken(request.headers.authorization)
      const actor = token ? await resolveSession(app.db, token, app.clock(), app.config.sessionIdleMinutes) : null
      if (!actor) throw unauthenticated(token ? '登录已过期或已退出，请重新登录' : '请先登录')
      request.actor = actor
      const action = config.action
      if (!action || !canByRole(actor, action)) {
        await app.auditDenials.record(
          auditSourceOfRequest(request, actor),
          { action: action ?? 'unknown', result: 'denied', detail: { method: request.method, url: request.routeOptions.url } },
          { kind: `${request.method} ${request.routeOptions.url}` },
        )
        throw forbidden()
      }
      // TOTP is mandatory for this user and not set up yet: the session may only set it up.
      if (actor.totpEnrollmentOnly && !(TOTP_ENROLLMENT_ACTIONS as readonly string[]).includes(action)) {
        throw new AppError(403, 'TOTP_ENROLLMENT_REQUIRED', '请先绑定动态验证码（身份验证器）后再使用本平台')
      }
    })

    // Refusals decided inside services are recorded here, one hook for all: a 403 from a rule, and on a
    // write route a 404 too, since the policy answers 404 for an object the actor may not see.
    app.addHook('onError', async (request, _reply, error) => {
      if (!(error instanceof AppError) || !request.actor) return
      const write = request.method !== 'GET' && request.method !== 'HEAD'
      if (error.statusCode !== 403 && !(error.statusCode === 404 && write)) return
      if (request.routeOptions.config.action && canByRole(request.actor, request.routeOptions.config.action)) {
        await app.auditDenials.record(
          auditSourceOfRequest(request, request.actor),
          {
            action: request.routeOptions.config.action,
            result: 'denied',
            objectId: (request.params as { id?: string } | undefined)?.id ?? null,
            detail: { code: error.code },
          },
          { kind: error.code },
        )
      }
    })
  },
  { name: 'auth', dependencies: ['error-handler'] },
)
