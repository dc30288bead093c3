import type { IncomingMessage } from 'node:http'
import type { FastifyError, FastifyInstance } from 'fastify'
import fp from 'fastify-plugin'
import { hasZodFastifySchemaValidationErrors } from 'fastify-type-provider-zod'
import { AppError, type ErrorDetail } from './errors.ts'
import { loggableError } from './request-log.ts'

/** `/items/0/dataType` → `items[0].dataType` (API.md's `details[].field`). */
export function toFieldPath(instancePath: string, context?: string): string {
  const parts = instancePath.split('/').filter(Boolean)
  let path = ''
  for (const part of parts) path += /^\d+$/.test(part) ? `[${part}]` : path ? `.${part}` : part
  return path || context || 'body'
}

/** One `details` entry per field a route schema refused (API.md's envelope); [] for any other error. */
export function schemaErrorDetails(error: unknown): ErrorDetail[] {
  if (!hasZodFastifySchemaValidationErrors(error)) return []
  return error.validation.map((issue) => ({ field: toFieldPath(issue.instancePath, error.validationContext), message: ownMessage(issue) }))
}

/**
 * A record key or element that fails its schema is reported by zod as a generic "invalid key" whose
 * own message sits in the nested issues: that message is the one the user should read.
 */
function ownMessage(issue: { message?: string; params?: { issues?: unknown } }): string {
  const nested = Array.isArray(issue.params?.issues) ? (issue.params.issues[0] as { message?: unknown } | undefined) : undefined
  return typeof nested?.message === 'string' && nested.message ? nested.message : (issue.message ?? '取值无效')
}

// Fastify's own client errors, mapped to API.md codes with Chinese messages.
const FASTIFY_ERRORS: Record<string, { status: number; code: string; message: string }> = {
  FST_ERR_CTP_INVALID_JSON_BODY: { status: 400, code: 'VALIDATION_FAILED', message: '请求体不是合法的 JSON' },
  FST_ERR_CTP_EMPTY_JSON_BODY: { status: 400, code: 'VALIDATION_FAILED', message: '请求体为空' },
  FST_ERR_CTP_BODY_TOO_LARGE: { status: 413, code: 'PAYLOAD_TOO_LARGE', message: '请求体过大' },
  FST_ERR_CTP_INVALID_MEDIA_TYPE: { status: 415, code: 'UNSUPPORTED_MEDIA_TYPE', message: '不支持的内容类型' },
  FST_ERR_CTP_INVALID_CONTENT_LENGTH: { status: 400, code: 'VALIDATION_FAILED', message: '请求长度无效' },
  FST_ERR_CTP_INVALID_TYPE: { status: 415, code: 'UNSUPPORTED_MEDIA_TYPE', message: '不支持的内容类型' },
  FST_ERR_BAD_URL: { status: 400, code: 'VALIDATION_FAILED', message: '请求地址无效' },
  FST_ERR_ASYNC_CONSTRAINT: { status: 400, code: 'VALIDATION_FAILED', message: '请求无效' },
  FST_INVALID_MULTIPART_CONTENT_TYPE: { status: 415, code: 'UNSUPPORTED_MEDIA_TYPE', message: '请使用 multipart/form-data 上传文件' },
  FST_REQ_FILE_TOO_LARGE: { status: 413, code: 'PAYLOAD_TOO_LARGE', message: '上传文件过大' },
  FST_FILES_LIMIT: { status: 413, code: 'PAYLOAD_TOO_LARGE', message: '上传文件数量过多' },
  FST_PARTS_LIMIT: { status: 413, code: 'PAYLOAD_TOO_LARGE', message: '表单字段过多' },
  FST_FIELDS_LIMIT: { status: 413, code: 'PAYLOAD_TOO_LARGE', message: '表单字段过多' },
}

/**
 * An upload refused before its end (a limit passed, no memory budget) leaves the rest of its body
 * unread, held back by the multipart parser: the client then waits on a connection that never
 * moves. Reading on and dropping the rest (no memory held) lets it receive the answer and reuse
 * the connection.
 */
function discardUnreadBody(raw: IncomingMessage) {
  if (raw.complete || raw.readableEnded) return
  raw.unpipe()
  raw.resume()
}

// PostgreSQL errors caused by input that slipped past schemas (SQLSTATE class 22: data exception).
const SQLSTATE_INPUT_ERRORS = new Set(['22001', '22003', '22007', '22008', '22P02', '22P05', '22021', '22023', '22025', '2201B'])

/**
 * The path of the first string holding a NUL (PostgreSQL stores none in text or jsonb), or null. Walked
 * with a stack, not recursion: a body nested 100,000 deep must get its 400, not overflow the call stack.
 */
export function nulPath(value: unknown, path = ''): string | null {
  const pending: [unknown, string][] = [[value, path]]
  while (pending.length > 0) {
    const [current, at] = pending.pop()!
    if (typeof current === 'string') {
      if (current.includes('\u0000')) return at
      continue
    }
    if (current === null || typeof current !== 'object') continue
    // Plain JSON only: a multipart field's file or buffer is checked where it is read.
    const made = (current as { constructor?: unknown }).constructor
    if (!Array.isArray(current) && made !== undefined && made !== Object) continue
    const entries = Object.entries(current)
    if (entries.some(([key]) => key.includes('\u0000'))) return at || entries.find(([key]) => key.includes('\u0000'))![0]
    for (let i = entries.length - 1; i >= 0; i--) {
      const [key, v] = entries[i]
      pending.push([v, Array.isArray(current) ? `${at}[${key}]` : at ? `${at}.${key}` : key])
    }
  }
  return null
}

/** One error handler: every failure leaves as `{"error":{"code","message","details"}}`. */
export const errorHandlerPlugin = fp(
  async (app: FastifyInstance) => {
    app.setErrorHandler((error: FastifyError, request, reply) => {
      const send = (status: number, code: string, message: string, details?: ErrorDetail[]) => {
        discardUnreadBody(request.raw)
        return reply.code(status).send({ error: { code, message, ...(details ? { details } : {}) } })
      }

      if (error instanceof AppError) {
        if (error.headers) reply.headers(error.headers)
        return send(error.statusCode, error.code, error.message, error.details)
      }
      if (hasZodFastifySchemaValidationErrors(error)) return send(400, 'VALIDATION_FAILED', '输入有误，请检查标注的字段', schemaErrorDetails(error))
      const known = error.code ? FASTIFY_ERRORS[error.code] : undefined
      if (known) return send(known.status, known.code, known.message)
      const sqlState = (error as { code?: string }).code
      if (sqlState && SQLSTATE_INPUT_ERRORS.has(sqlState)) {
        request.log.warn({ err: loggableError(error) }, 'database rejected input')
        return send(400, 'VALIDATION_FAILED', '输入的值不符合数据格式要求')
      }
      // A unique constraint caught a race the service checks missed (e.g. two creates of one name).
      if (sqlState === '23505') return send(409, 'CONFLICT', '数据已存在（可能是重复提交）')
      if (error.statusCode && error.statusCode >= 400 && error.statusCode < 500) {
        request.log.info({ err: loggableError(error) }, 'client error')
        return send(error.statusCode, error.statusCode === 429 ? 'RATE_LIMITED' : 'VALIDATION_FAILED', '请求无效')
      }
      request.log.error({ err: loggableError(error) }, 'unhandled error')
      return send(500, 'INTERNAL_ERROR', `服务器内部错误，请联系管理员（请求编号 ${request.id}）`)
    })

    app.setNotFoundHandler((request, reply) =>
      reply.code(404).send({ error: { code: 'NOT_FOUND', message: `接口不存在：${request.method} ${request.url.split('?')[0]}` } }),
    )

    // A NUL in a parameter or a JSON field is refused before any handler starts (a streamed export would
    // otherwise fail half-way, when the database meets it).
    app.addHook('preValidation', async (request) => {
      for (const [part, value] of [
        ['query', request.query],
        ['params', request.params],
        ['body', request.body],
      ] as const) {
        const at = nulPath(value)
        if (at !== null) throw new AppError(400, 'VALIDATION_FAILED', '输入含有不允许的空字符', [{ field: at || part, message: '不能含有空字符' }])
      }
    })

    // Fastify 5 generates ids; echo the caller's X-Request-Id (or ours) on every response.
    app.addHook('onSend', async (request, reply) => {
      reply.header('x-request-id', request.id)
    })
  },
  { name: 'error-handler' },
)
