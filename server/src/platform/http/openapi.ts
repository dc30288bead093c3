import { jsonSchemaTransform, jsonSchemaTransformObject } from 'fastify-type-provider-zod'

/**
 * The served OpenAPI document is the integrators' contract (API.md): fastify-swagger builds it from the
 * route schemas, and this module adds what route schemas cannot say — the error envelope and codes of
 * every operation, who may call it, multipart forms and examples. `openapi.test.ts` validates the result
 * with a third-party validator.
 */

/**
 * The error codes each status carries across the API (API.md "Conventions"). `openapi.test.ts` scans the
 * server's source and fails when a thrown code is missing here, so the document cannot fall behind.
 */
export const ERROR_CODES = {
  400: ['VALIDATION_FAILED', 'UPSTREAM_NOT_ALLOWED'],
  401: ['UNAUTHENTICATED', 'WRONG_TOKEN_KIND', 'INVALID_CREDENTIALS', 'INVALID_TOTP', 'TOTP_REQUIRED', 'ENROLMENT_REFUSED'],
  403: [
    'FORBIDDEN',
    'TOTP_ENROLLMENT_REQUIRED',
    'NO_GRANT',
    'GRANT_INACTIVE',
    'APP_NOT_GRANTED',
    'MODE_NOT_GRANTED',
    'IP_NOT_ALLOWED',
    'LOOKUP_ON_MASKED_ITEM',
    'SECRET_ON_EXTRANET',
  ],
  404: ['NOT_FOUND'],
  409: [
    'INVALID_STATE',
    'ENTRY_INCOMPLETE',
    'CONFLICT',
    'NOT_SHAREABLE',
    'ITEM_NOT_SHAREABLE',
    'MODE_NOT_PROVISIONED',
    'OWN_RESOURCE',
    'CANNOT_REFUSE_UNCONDITIONAL',
    'RECLASSIFICATION_REQUIRED',
    'NOT_MOUNTED',
    'NO_SAMPLE',
    'FILTER_ON_ENCRYPTED_ITEM',
    'FILTER_ON_MASKED_ITEM',
    'GRANT_INACTIVE',
    'GRANT_CHANGED',
    'BATCH_CHANGED',
    'NOT_DELIVERABLE',
    'RUN_CLOSED',
    'CONFIRMATION_REQUIRED',
  ],
  413: ['PAYLOAD_TOO_LARGE'],
  415: ['UNSUPPORTED_MEDIA_TYPE'],
  429: ['RATE_LIMITED', 'ACCOUNT_LOCKED', 'QUOTA_EXCEEDED', 'LOOKUP_PROBING'],
  500: ['INTERNAL_ERROR'],
  502: ['UPSTREAM_FAILED'],
  503: ['UPLOAD_BUSY', 'DATA_KEY_UNAVAILABLE'],
  504: ['UPSTREAM_TIMEOUT'],
} as const satisfies Record<number, readonly string[]>

export type ErrorStatus = keyof typeof ERROR_CODES

const STATUS_TEXT: Record<ErrorStatus, string> = {
  400: '输入无效（details 列出每个有误的字段）',
  401: '未登录、令牌无效或已过期，或令牌种类不对',
  403: '看得到但无权执行，或授权不允许',
  404: '对象不存在或无权查看（不透露是否存在）',
  409: '当前状态不允许此操作',
  413: '请求体或上传文件过大',
  415: '不支持的内容类型',
  429: '调用过于频繁或超过限额（Retry-After 说明何时重试）',
  500: '服务器内部错误（都是缺陷，请附请求编号报告）',
  502: '上游数据源失败',
  503: '暂时无法处理（稍后重试）',
  504: '上游数据源超时',
}

const ERROR_ENVELOPE = {
  type: 'object',
  required: ['error'],
  properties: {
    error: {
      type: 'object',
      required: ['code', 'message'],
      properties: {
        code: { type: 'string', description: '稳定的错误代码，供程序判断' },
        message: { type: 'string', description: '中文说明，给用户看' },
        details: {
          type: 'array',
          items: {
            type: 'object',
            required: ['field', 'message'],
            properties: {
              field: { type: 'string', example: 'items[0].dataType' },
              message: { type: 'string' },
              preview: { type: 'object', description: '409 CONFIRMATION_REQUIRED：确认前应展示的变化预览（如库表整批替换的行数与缺失信息项）' },
            },
          },
        },
      },
    },
  },
}

/** `x-govshare` on a route schema: what this module needs to know of the route (removed from the document). */
export interface RouteDoc {
  auth: 'user' | 'app' | 'public'
  /** Fields of a multipart/form-data body the handler reads itself (no body schema validates it). */
  multipart?: { schema: Record<string, unknown>; required?: boolean }
  /** Free-form query parameters (`?<name>=<value>` for any name), e.g. the gateway's item lookups. */
  freeQuery?: { name: string; description: string }
  /** Error statuses beyond the ones derived from the operation's shape. */
  errors?: ErrorStatus[]
}

interface Operation {
  parameters?: { in: string; name: string; [key: string]: unknown }[]
  requestBody?: { required?: boolean; content: Record<string, { schema?: unknown; example?: unknown }> }
  responses: Record<string, unknown>
  security?: unknown[]
  'x-govshare'?: RouteDoc
  [key: string]: unknown
}

type TransformInput = Parameters<typeof jsonSchemaTransform>[0]

/** Per route: the zod transform, plus who may call the route (read from its config) for the document. */
export function openApiRouteTransform(input: TransformInput) {
  const result = jsonSchemaTransform(input)
  const config = (input.route.config ?? {}) as { public?: boolean; appAuth?: boolean }
  const schema = result.schema as Record<string, unknown>
  const declared = (schema['x-govshare'] ?? {}) as Partial<RouteDoc>
  const auth = config.public ? 'public' : config.appAuth ? 'app' : 'user'
  return { ...result, schema: { ...schema, 'x-govshare': { ...declared, auth } } as typeof result.schema }
}

/** The error statuses an operation can answer, from its shape: who calls it, what it takes, how it may fail. */
function errorStatuses(method: string, path: string, op: Operation, doc: RouteDoc): ErrorStatus[] {
  const statuses = new Set<ErrorStatus>([400, 500, ...(doc.errors ?? [])])
  if (doc.auth !== 'public') statuses.add(401).add(403)
  if (path.includes('{')) statuses.add(404)
  if (method !== 'get' && doc.auth === 'user') statuses.add(409)
  if (op.requestBody || doc.multipart) statuses.add(413).add(415)
  if (doc.multipart) statuses.add(503)
  return [...statuses].sort((a, b) => a - b)
}

const errorResponseName = (status: ErrorStatus) => `Error${status}`

/** The error envelope schema and one response per error status (with its codes), for `components`. */
export function errorComponents() {
  const responses: Record<string, unknown> = {}
  for (const [status, codes] of Object.entries(ERROR_CODES)) {
    responses[errorResponseName(Number(status) as ErrorStatus)] = {
      description: `${STATUS_TEXT[Number(status) as ErrorStatus]}。error.code：${codes.join('、')}`,
      content: {
        'application/json': {
          schema: {
            allOf: [
              { $ref: '#/components/schemas/ErrorEnvelope' },
              { type: 'object', properties: { error: { type: 'object', properties: { code: { type: 'string', enum: [...codes] } } } } },
            ],
          },
          example: { error: { code: codes[0], message: STATUS_TEXT[Number(status) as ErrorStatus] } },
        },
      },
    }
  }
  return { schemas: { ErrorEnvelope: ERROR_ENVELOPE }, responses }
}

/** `responses` entries referring to the shared error responses of these statuses. */
export const errorResponseRefs = (statuses: readonly ErrorStatus[]) =>
  Object.fromEntries(statuses.map((status) => [String(status), { $ref: `#/components/responses/${errorResponseName(status)}` }]))

/** Whole document: error responses, multipart bodies, free-form query parameters, security of public routes. */
export function openApiDocumentTransform(input: Parameters<typeof jsonSchemaTransformObject>[0]) {
  const document = jsonSchemaTransformObject(input) as {
    paths?: Record<string, Record<string, Operation>>
    components?: { schemas?: Record<string, unknown>; responses?: Record<string, unknown> }
  }
  const components = (document.components ??= {})
  const errors = errorComponents()
  components.schemas = { ...components.schemas, ...errors.schemas }
  components.responses = { ...components.responses, ...errors.responses }
  for (const [path, methods] of Object.entries(document.paths ?? {})) {
    for (const [method, op] of Object.entries(methods)) {
      const doc = op['x-govshare'] ?? { auth: 'user' }
      delete op['x-govshare']
      if (doc.auth === 'public') op.security = []
      if (doc.multipart) {
        op.requestBody = { required: doc.multipart.required ?? true, content: { 'multipart/form-data': { schema: doc.multipart.schema } } }
      }
      if (doc.freeQuery) {
        op.parameters = [
          ...(op.parameters ?? []),
          {
            in: 'query',
            name: doc.freeQuery.name,
            description: doc.freeQuery.description,
            required: false,
            style: 'form',
            explode: true,
            schema: { type: 'object', additionalProperties: { type: 'string', maxLength: 200 } },
          },
        ]
      }
      op.responses = { ...op.responses, ...errorResponseRefs(errorStatuses(method, path, op, doc).filter((status) => !op.responses[String(status)])) }
    }
  }
  return document
}

/** Spread into a route's schema: what the document should say beyond the route's zod schemas. */
export const routeDoc = (doc: Omit<RouteDoc, 'auth'>) => ({ 'x-govshare': doc })
