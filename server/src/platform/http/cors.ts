import type { FastifyInstance } from 'fastify'
import fp from 'fastify-plugin'
import { forbidden } from './errors.ts'

const ALLOWED_METHODS = ['GET', 'POST', 'PUT', 'PATCH', 'DELETE']
const ALLOWED_HEADERS = ['authorization', 'content-type', 'x-request-id']
const EXPOSED_HEADERS = 'x-request-id, retry-after, content-disposition'
// Browsers cap this anyway (Chromium: 2 hours); 10 minutes keeps a changed allow-list effective soon.
const PREFLIGHT_MAX_AGE_SECONDS = 600

/**
 * CORS closed by default: a browser on another origin may call the API only when that exact origin
 * is configured (GOVSHARE_CORS_ORIGINS). The console is served from the same origin and needs none.
 * Tokens travel in the Authorization header, not cookies, so credentials are never allowed.
 */
export const corsPlugin = fp(
  async (app: FastifyInstance, options: { origins: readonly string[] }) => {
    const allowed = new Set(options.origins)
    const allowedOrigin = (origin: string | undefined) => (origin && allowed.has(origin) ? origin : null)

    app.addHook('onSend', async (request, reply) => {
      // Caches must not hand one origin's answer to another.
      if (allowed.size > 0) {
        const vary = reply.getHeader('vary')
        if (!vary) reply.header('vary', 'Origin')
        else if (!/\borigin\b/i.test(String(vary))) reply.header('vary', `${vary}, Origin`)
      }
      const origin = allowedOrigin(request.headers.origin)
      if (!origin || reply.hasHeader('access-control-allow-origin')) return
      reply.header('access-control-allow-origin', origin)
      reply.header('access-control-expose-headers', EXPOSED_HEADERS)
    })

    // Preflight for any path: answered here, before authentication (a preflight never carries a token).
    app.options('/*', { config: { public: true }, schema: { hide: true } }, async (request, reply) => {
      const requestedMethod = request.headers['access-control-request-method']
      if (!request.headers.origin || !requestedMethod) return reply.code(204).header('allow', ALLOWED_METHODS.join(', ')).send()
      const origin = allowedOrigin(request.headers.origin)
      if (!origin) throw forbidden('该来源不允许跨域访问本平台接口')
      const requestedHeaders = String(request.headers['access-control-request-headers'] ?? '')
        .split(',')
        .map((h) => h.trim().toLowerCase())
        .filter(Boolean)
      if (!ALLOWED_METHODS.includes(String(requestedMethod).toUpperCase()) || requestedHeaders.some((h) => !ALLOWED_HEADERS.includes(h))) {
        throw forbidden('跨域请求的方法或请求头不被允许')
      }
      return reply
        .code(204)
        .header('access-control-allow-methods', ALLOWED_METHODS.join(', '))
        .header('access-control-allow-headers', ALLOWED_HEADERS.join(', '))
        .header('access-control-max-age', String(PREFLIGHT_MAX_AGE_SECONDS))
        .send()
    })
  },
  { name: 'cors', dependencies: ['error-handler'] },
)
