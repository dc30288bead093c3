import multipart from '@fastify/multipart'
import swagger from '@fastify/swagger'
import swaggerUi from '@fastify/swagger-ui'
import Fastify, { type FastifyServerOptions } from 'fastify'
import type pg from 'pg'
import {
  type ZodTypeProvider,
  jsonSchemaTransform,
  jsonSchemaTransformObject,
  serializerCompiler,
  validatorCompiler,
} from 'fastify-type-provider-zod'
import { z } from 'zod'
import { auditModule } from './modules/audit/index.ts'
import { calendarModule } from './modules/calendar/index.ts'
import { catalogModule } from './modules/catalog/index.ts'
import { identityModule } from './modules/identity/index.ts'
import { orgsModule } from './modules/orgs/index.ts'
import { sharingModule } from './modules/sharing/index.ts'
import { authPlugin } from './platform/auth/plugin.ts'
import type { Config } from './platform/config/config.ts'
import type { Db, DbKind } from './platform/db/database.ts'
import { errorHandlerPlugin } from './platform/http/error-handler.ts'
import { VERSION } from './version.ts'

// Chinese validation messages for every schema (users read them).
z.config(z.locales.zhCN())

export interface AppOptions {
  db: Db
  dbKind: DbKind
  /** PostgreSQL only: the raw pool, for bulk COPY. */
  pgPool?: pg.Pool
  config: Config
  /** Injected clock: deadlines and sessions are tested on fixed dates. */
  clock?: () => Date
  logger?: FastifyServerOptions['logger']
}

/** Builds the HTTP application without listening (tests call it too). */
export async function buildApp(options: AppOptions) {
  const app = Fastify({
    logger: options.logger ?? false,
    requestIdHeader: 'x-request-id',
    genReqId: () => crypto.randomUUID(),
    bodyLimit: options.config.bodyLimitBytes,
    trustProxy: false,
  }).withTypeProvider<ZodTypeProvider>()

  app.setValidatorCompiler(validatorCompiler)
  app.setSerializerCompiler(serializerCompiler)
  app.decorate('db', options.db)
  app.decorate('dbKind', options.dbKind)
  app.decorate('pgPool', options.pgPool ?? null)
  app.decorate('config', options.config)
  app.decorate('clock', options.clock ?? (() => new Date()))

  await app.register(errorHandlerPlugin)
  await app.register(authPlugin)
  await app.register(multipart, { limits: { fileSize: 20 * 1024 * 1024, files: 1, fields: 10, parts: 12 } })
  await app.register(swagger, {
    openapi: {
      info: { title: 'GovShare 政务数据共享交换平台 API', version: VERSION },
      components: { securitySchemes: { bearer: { type: 'http', scheme: 'bearer' } } },
      security: [{ bearer: [] }],
    },
    transform: jsonSchemaTransform,
    transformObject: jsonSchemaTransformObject,
  })
  await app.register(swaggerUi, { routePrefix: '/api/docs' })

  app.get('/api/health', {
    config: { public: true },
    schema: {
      tags: ['system'],
      summary: '健康检查',
      response: { 200: z.object({ status: z.literal('ok'), db: z.enum(['pglite', 'postgres']), version: z.string() }) },
    },
  }, async () => ({ status: 'ok' as const, db: options.dbKind, version: VERSION }))

  app.get('/api/openapi.json', { config: { public: true }, schema: { hide: true } }, async () => app.swagger())

  const prefix = '/api/v1'
  await app.register(identityModule, { prefix })
  await app.register(orgsModule, { prefix })
  await app.register(calendarModule, { prefix })
  await app.register(catalogModule, { prefix })
  await app.register(sharingModule, { prefix })
  await app.register(auditModule, { prefix })
  return app
}

export type App = Awaited<ReturnType<typeof buildApp>>
