import type { FastifyRequest, FastifyServerOptions } from 'fastify'

type LoggerOption = FastifyServerOptions['logger']

// A parameter name is kept when it is followed by `=` and looks like one (the gateway's are item English
// names); anything else, such as a value sent without a name or a forgotten `=`, is not.
const PARAMETER_NAME = /^[A-Za-z_][\w.[\]-]{0,63}$/

/**
 * The request URL as the log shows it: path and parameter names, never parameter values. The gateway's
 * lookups carry personal data in the query (`?id_no=370702…`), and search terms can too; the call log
 * keeps only their SM3 digest (params_digest), and the application log must not undo that.
 */
export function redactedUrl(url: string): string {
  const q = url.indexOf('?')
  if (q < 0) return url
  const names = url
    .slice(q + 1)
    .split('&')
    .filter(Boolean)
    .map((pair) => {
      const eq = pair.indexOf('=')
      return eq > 0 && PARAMETER_NAME.test(pair.slice(0, eq)) ? `${pair.slice(0, eq)}=*` : '*'
    })
  return `${url.slice(0, q)}?${names.join('&')}`
}

/** Fastify's request serializer with the URL redacted (its other fields as Fastify logs them). */
function requestForLog(request: FastifyRequest) {
  return {
    method: request.method,
    url: redactedUrl(request.url),
    host: request.host,
    remoteAddress: request.ip,
    remotePort: request.socket?.remotePort,
  }
}

/** The logger option with the redacting request serializer added (false stays false). */
export function withRedactedRequests(logger: LoggerOption): LoggerOption {
  if (!logger) return false
  const options = logger === true ? {} : logger
  return { ...options, serializers: { ...options.serializers, req: requestForLog as never } }
}
