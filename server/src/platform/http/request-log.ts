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

interface DatabaseErrorLike extends Error {
  code: string
  severity: string
}

const isDatabaseError = (error: unknown): error is DatabaseErrorLike =>
  error instanceof Error && typeof (error as { severity?: unknown }).severity === 'string' && /^[0-9A-Z]{5}$/.test(String((error as { code?: unknown }).code))

// Where a PostgreSQL error says which object and which code, never which value.
const DATABASE_ERROR_FIELDS = ['code', 'severity', 'routine', 'schema', 'table', 'column', 'dataType', 'constraint'] as const

/**
 * A database error as the log may show it. PostgreSQL puts the offending value into the message of a
 * data exception (class 22: `invalid input syntax for type uuid: "…"`), and the row or key into `detail`
 * (`Key (id_no)=(370702…) already exists`, `Failing row contains (…)`) and the COPY line into `where`:
 * personal data the log must not hold. Those go; the SQLSTATE, the object names and the stack stay.
 * Other errors are returned as they are.
 */
export function loggableError(error: unknown): unknown {
  if (!isDatabaseError(error)) return error
  const message = error.code.startsWith('22') ? `SQLSTATE ${error.code} (data exception; value not logged)` : error.message
  const safe = new Error(message)
  safe.name = 'DatabaseError'
  const frames = (error.stack ?? '').split('\n').filter((line) => /^\s+at /.test(line))
  safe.stack = [`DatabaseError: ${message}`, ...frames].join('\n')
  for (const field of DATABASE_ERROR_FIELDS) {
    const value = (error as unknown as Record<string, unknown>)[field]
    if (value !== undefined) Object.assign(safe, { [field]: value })
  }
  return safe
}
