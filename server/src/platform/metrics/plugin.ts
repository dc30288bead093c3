import { createHash, timingSafeEqual } from 'node:crypto'
import type { FastifyInstance, FastifyRequest } from 'fastify'
import fp from 'fastify-plugin'
import { sql } from 'kysely'
import { z } from 'zod'
import { migrationFiles as listMigrationFiles } from '../db/migrator.ts'
import { AppError } from '../http/errors.ts'
import { ipListOf } from '../http/ip-list.ts'
import { gatewayCalls, gatewayOutcome, httpDuration, httpRequests, metricsRegistry, trackPool } from './metrics.ts'

export interface MetricsAccess {
  /** Addresses or CIDR ranges that may scrape /metrics without a token. */
  allow: readonly string[]
  /** A bearer token that may scrape /metrics from any address; null = none. */
  token: string | null
}

function mayScrape(request: FastifyRequest, allowed: (ip: string) => boolean, token: string | null): boolean {
  const header = request.headers.authorization
  if (token && header && /^bearer /i.test(header)) {
    // Compared as digests: equal length whatever was sent, so the comparison takes the same time.
    const digest = (text: string) => createHash('sm3').update(text).digest()
    if (timingSafeEqual(digest(header.slice(7).trim()), digest(token))) return true
  }
  return allowed(request.ip)
}

const READY_TIMEOUT_MS = 2_000

async function readiness(app: FastifyInstance, migrationFiles: Promise<string[]>) {
  const checks = { database: 'ok' as 'ok' | 'unreachable', migrations: 'ok' as 'ok' | 'pending' | 'unknown', pendingMigrations: 0 }
  try {
    const applied = await Promise.race([
      sql<{ name: string }>`select name from schema_migrations`.execute(app.db),
      new Promise<never>((_, reject) => setTimeout(() => reject(new Error('readiness check timed out')), READY_TIMEOUT_MS).unref()),
    ])
    const done = new Set(applied.rows.map((r) => r.name))
    checks.pendingMigrations = (await migrationFiles).filter((file) => !done.has(file)).length
    checks.migrations = checks.pendingMigrations === 0 ? 'ok' : 'pending'
  } catch (error) {
    // No schema_migrations table yet means the database answered but was never migrated.
    const undefinedTable = (error as { code?: string }).code === '42P01'
    checks.database = undefinedTable ? 'ok' : 'unreachable'
    checks.migrations = undefinedTable ? 'pending' : 'unknown'
  }
  return checks
}

const readySchema = z.object({
  status: z.enum(['ready', 'not_ready']),
  database: z.enum(['ok', 'unreachable']),
  migrations: z.enum(['ok', 'pending', 'unknown']),
  pendingMigrations: z.number().int(),
})

/**
 * Observability: per-route request counts and latencies for every answer, `GET /metrics` (Prometheus text,
 * for the addresses or token of `GOVSHARE_METRICS_ALLOW` / `GOVSHARE_METRICS_TOKEN`), and the liveness and
 * readiness probes `GET /api/health/live` and `GET /api/health/ready`.
 */
export const observabilityPlugin = fp(
  async (app: FastifyInstance, access: MetricsAccess) => {
    const allowed = ipListOf(access.allow)
    if (app.pgPool) app.addHook('onClose', trackPool(app.pgPool))

    app.addHook('onResponse', async (request, reply) => {
      // The route pattern, never the URL: ids in paths would make a series per object.
      const route = request.routeOptions.url ?? 'unmatched'
      const status = reply.statusCode
      httpRequests.inc({ method: request.method, route, status })
      httpDuration.observe({ method: request.method, route }, reply.elapsedTime / 1000)
      if (request.routeOptions.config?.action === 'gateway.records.read') gatewayCalls.inc({ outcome: gatewayOutcome(status) })
    })

    app.get('/metrics', { config: { public: true }, schema: { hide: true } }, async (request, reply) => {
      if (!mayScrape(request, allowed, access.token)) throw new AppError(403, 'FORBIDDEN', '无权读取运行指标')
      reply.header('content-type', metricsRegistry.contentType)
      return metricsRegistry.metrics()
    })

    app.get(
      '/api/health/live',
      {
        config: { public: true },
        schema: { tags: ['system'], summary: '存活检查（进程在应答）', response: { 200: z.object({ status: z.literal('live') }) } },
      },
      async () => ({ status: 'live' as const }),
    )

    // Read once: the files do not change while the process runs.
    const migrationFiles = listMigrationFiles()
    migrationFiles.catch(() => {})
    app.get(
      '/api/health/ready',
      {
        config: { public: true },
        schema: {
          tags: ['system'],
          summary: '就绪检查（数据库可达且迁移已全部应用）',
          response: { 200: readySchema, 503: readySchema },
        },
      },
      async (_request, reply) => {
        const checks = await readiness(app, migrationFiles)
        const ready = checks.database === 'ok' && checks.migrations === 'ok'
        return reply.code(ready ? 200 : 503).send({ status: ready ? 'ready' : 'not_ready', ...checks })
      },
    )
  },
  { name: 'observability' },
)
