import multipart from '@fastify/multipart'
import swagger from '@fastify/swagger'
import swaggerUi from '@fastify/swagger-ui'
import Fastify, { type FastifyReply, type FastifyServerOptions } from 'fastify'
import type pg from 'pg'
import { type ZodTypeProvider, serializerCompiler, validatorCompiler } from 'fastify-type-provider-zod'
import { z } from 'zod'
import { auditModule } from './modules/audit/index.ts'
import { calendarModule } from './modules/calendar/index.ts'
import { catalogModule, provideMountKinds } from './modules/catalog/index.ts'
import { demandsModule } from './modules/demands/index.ts'
import { elementsModule } from './modules/elements/index.ts'
import { exchangeModule } from './modules/exchange/index.ts'
import { evaluationModule } from './modules/evaluation/index.ts'
import { freshnessModule } from './modules/freshness/index.ts'
import { gatewayModule } from './modules/gateway/index.ts'
import { identityModule } from './modules/identity/index.ts'
import { activeMountKinds, mountsModule } from './modules/mounts/index.ts'
import { notificationsModule } from './modules/notifications/index.ts'
import { objectionsModule } from './modules/objections/index.ts'
import { orgsModule } from './modules/orgs/index.ts'
import { parametersModule } from './modules/parameters/index.ts'
import { securityModule } from './modules/security/index.ts'
import { sharingModule } from './modules/sharing/index.ts'
import { authPlugin } from './platform/auth/plugin.ts'
import type { Config } from './platform/config/config.ts'
import type { Db, DbKind } from './platform/db/database.ts'
import { corsPlugin } from './platform/http/cors.ts'
import { errorHandlerPlugin } from './platform/http/error-handler.ts'
import { openApiDocumentTransform, openApiRouteTransform } from './platform/http/openapi.ts'
import { requestIdOf } from './platform/http/client-refs.ts'
import { withRedactedRequests } from './platform/http/request-log.ts'
import { securityHeadersPlugin } from './platform/http/security-headers.ts'
import { webConsolePlugin } from './platform/http/web-console.ts'
import { observabilityPlugin } from './platform/metrics/plugin.ts'
import type { ResolveHost } from './platform/outbound/guarded-request.ts'
import { VERSION } from './version.ts'

// Chinese validation messages for every schema (users read them).
z.config(z.locales.zhCN())
// The mounts module depends on the catalog; the catalog learns about mounts through this port.
provideMountKinds(activeMountKinds)

export interface AppOptions {
  db: Db
  dbKind: DbKind
  /** PostgreSQL only: the raw pool, for bulk COPY. */
  pgPool?: pg.Pool
  config: Config
  /** Injected clock: deadlines and sessions are tested on fixed dates. */
  clock?: () => Date
  logger?: FastifyServerOptions['logger']
  /** Host name → addresses for upstream API calls (default: the system resolver); tests point names at 127.0.0.1. */
  resolveHost?: ResolveHost
}

/** Builds the HTTP application without listening (tests call it too). */
export async function buildApp(options: AppOptions) {
  // Loopback upstreams are for tests' local servers only; node's test runner sets NODE_TEST_CONTEXT.
  if (options.config.upstreamLoopbackForTests && !process.env.NODE_TEST_CONTEXT)
    throw new Error('upstreamLoopbackForTests is only allowed under the test runner')
  const app = Fastify({
    logger: withRedactedRequests(options.logger ?? false),
    // The client's X-Request-Id is checked before it is used, stored or echoed (platform/http/client-refs.ts).
    requestIdHeader: false,
    genReqId: (raw) => requestIdOf(raw.headers['x-request-id']),
    bodyLimit: options.config.bodyLimitBytes,
    trustProxy: false,
    // Errors Fastify raises before routing (a malformed URL) get the same envelope as everything else.
    frameworkErrors: (error, request, reply) => {
      reply.header('x-request-id', request.id)
      const status = error.statusCode && error.statusCode < 500 ? error.statusCode : 400
      void (reply as FastifyReply).code(status).send({ error: { code: 'VALIDATION_FAILED', message: '请求地址无效' } })
    },
    // Requests Node rejects before Fastify sees them (header too large, malformed HTTP) get an envelope too.
    clientErrorHandler: (error, socket) => {
      if (!socket.writable) return socket.destroy(error)
      const tooLarge = (error as { code?: string }).code === 'HPE_HEADER_OVERFLOW'
      const body = JSON.stringify({
        error: tooLarge ? { code: 'PAYLOAD_TOO_LARGE', message: '请求地址或请求头过长' } : { code: 'VALIDATION_FAILED', message: '请求格式无效' },
      })
      const requestId = crypto.randomUUID()
      socket.end(
        `HTTP/1.1 ${tooLarge ? '431 Request Header Fields Too Large' : '400 Bad Request'}\r\ncontent-type: application/json; charset=utf-8\r\n` +
          `x-request-id: ${requestId}\r\ncontent-length: ${Buffer.byteLength(body)}\r\nconnection: close\r\n\r\n${body}`,
      )
    },
  }).withTypeProvider<ZodTypeProvider>()

  // An action sent with `Content-Type: application/json` and no body (logout, submit) has no input; it is not
  // malformed JSON. A route that needs a body still refuses the missing one through its schema.
  const parseJson = app.getDefaultJsonParser('error', 'error')
  app.removeContentTypeParser('application/json')
  app.addContentTypeParser('application/json', { parseAs: 'string' }, (request, body, done) =>
    body === '' ? done(null, undefined) : parseJson(request, body as string, done),
  )
  app.setValidatorCompiler(validatorCompiler)
  app.setSerializerCompiler(serializerCompiler)
  app.decorate('db', options.db)
  app.decorate('dbKind', options.dbKind)
  app.decorate('pgPool', options.pgPool ?? null)
  app.decorate('config', options.config)
  app.decorate('clock', options.clock ?? (() => new Date()))

  await app.register(errorHandlerPlugin)
  await app.register(securityHeadersPlugin, { hstsMaxAgeSeconds: options.config.hstsMaxAgeSeconds })
  await app.register(authPlugin)
  await app.register(corsPlugin, { origins: options.config.corsOrigins })
  await app.register(multipart, { limits: { fileSize: 20 * 1024 * 1024, files: 1, fields: 10, parts: 12 } })
  await app.register(swagger, {
    openapi: {
      info: { title: 'GovShare 政务数据共享交换平台 API', version: VERSION },
      components: { securitySchemes: { bearer: { type: 'http', scheme: 'bearer' } } },
      security: [{ bearer: [] }],
    },
    transform: openApiRouteTransform,
    transformObject: openApiDocumentTransform,
  })
  await app.register(swaggerUi, { routePrefix: '/api/docs' })

  app.get(
    '/api/health',
    {
      config: { public: true },
      schema: {
        tags: ['system'],
        summary: '健康检查',
        response: { 200: z.object({ status: z.literal('ok'), db: z.enum(['pglite', 'postgres']), version: z.string() }) },
      },
    },
    async () => ({ status: 'ok' as const, db: options.dbKind, version: VERSION }),
  )

  await app.register(observabilityPlugin, { allow: options.config.metricsAllow, token: options.config.metricsToken })

  app.get('/api/openapi.json', { config: { public: true }, schema: { hide: true } }, async () => app.swagger())

  const prefix = '/api/v1'
  await app.register(identityModule, { prefix })
  await app.register(orgsModule, { prefix })
  await app.register(calendarModule, { prefix })
  await app.register(parametersModule, { prefix })
  await app.register(catalogModule, { prefix })
  await app.register(mountsModule, { prefix })
  await app.register(sharingModule, { prefix })
  await app.register(gatewayModule, { prefix, resolveHost: options.resolveHost })
  await app.register(auditModule, { prefix })
  await app.register(securityModule, { prefix })
  await app.register(notificationsModule, { prefix })
  await app.register(evaluationModule, { prefix })
  await app.register(freshnessModule, { prefix })
  await app.register(objectionsModule, { prefix })
  await app.register(demandsModule, { prefix })
  await app.register(elementsModule, { prefix })
  await app.register(exchangeModule, { prefix })
  await app.register(webConsolePlugin)
  return app
}

export type App = Awaited<ReturnType<typeof buildApp>>
