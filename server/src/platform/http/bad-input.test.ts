import assert from 'node:assert/strict'
import { randomUUID } from 'node:crypto'
import { after, before, describe, test, type TestContext } from 'node:test'
import fc from 'fast-check'
import { sql } from 'kysely'
import type { Role } from '../../../../common/roles.ts'
import { buildOrg, buildUser, buildWorld, resourceBody } from '../../testing/factories.ts'
import { buildTestApp, type TestApp } from '../../testing/test-app.ts'
import { verifyAuditChain } from '../audit/chain.ts'
import { ruleOf } from '../auth/policy.ts'

/**
 * Bad-input sweep, generated from the OpenAPI document: every operation with a body, query or path
 * parameters (login included) gets malformed and hostile input from a caller whose role may use it.
 * Each operation runs a fixed set (empty/malformed/nested/oversized bodies, wrong content types, a NUL
 * in every string property, out-of-range and hostile parameters) and then fast-check's random cases
 * (one property of a plausible body given a wrong type, a hostile string, a huge number; every
 * free-text string hostile; junk parameters). Properties:
 *   - no 5xx, and every 4xx in the error envelope with the code API.md gives for its status;
 *   - no response slower than 2 s (a slow one is retried once: a loaded machine stalls anything);
 *   - input that is invalid by construction is never accepted (a 2xx there is a validation hole);
 *   - a refused request (and any GET) changes nothing: probe triggers count committed row writes of
 *     every table per request (audit_events may only receive inserts: refusals are audited), the set
 *     of tables must not change, and per operation the row counts of every table must match the
 *     writes recorded.
 * Non-GET requests that succeed are listed in the output, to be read for validation holes.
 *
 * BAD_INPUT_RUNS (random cases per operation, default 15) and BAD_INPUT_SEED tune the run.
 */

const RUNS = Number(process.env.BAD_INPUT_RUNS ?? 15)
const LOGIN_RUNS = Math.min(RUNS, 12) // every login attempt hashes a password
const SEED = Number(process.env.BAD_INPUT_SEED ?? Math.floor(Math.random() * 2 ** 31))
const MAX_MS = 2000
/** BAD_INPUT_TRACE=1 prints every case and its answer (and BAD_INPUT_ONLY=<substring> narrows the operations). */
const TRACE = process.env.BAD_INPUT_TRACE === '1'
const ONLY = process.env.BAD_INPUT_ONLY

// ---------------------------------------------------------------------------------------------
// JSON Schema (as emitted into the OpenAPI document) → generators and an "is it surely invalid" test
// ---------------------------------------------------------------------------------------------

interface JsonSchema {
  $ref?: string
  type?: string | string[]
  nullable?: boolean
  enum?: unknown[]
  const?: unknown
  anyOf?: JsonSchema[]
  oneOf?: JsonSchema[]
  allOf?: JsonSchema[]
  properties?: Record<string, JsonSchema>
  required?: string[]
  additionalProperties?: boolean | JsonSchema
  items?: JsonSchema
  minItems?: number
  maxItems?: number
  pattern?: string
  format?: string
  minLength?: number
  maxLength?: number
  minimum?: number
  maximum?: number
  exclusiveMinimum?: number | boolean
  exclusiveMaximum?: number | boolean
  default?: unknown
}

interface OpenApiParam {
  in: string
  name: string
  required?: boolean
  schema: JsonSchema
}
interface OpenApiOperation {
  parameters?: OpenApiParam[]
  requestBody?: { required?: boolean; content: Record<string, { schema: JsonSchema }> }
}
interface OpenApiDoc {
  paths: Record<string, Record<string, OpenApiOperation>>
  components?: { schemas?: Record<string, JsonSchema> }
}

let components: Record<string, JsonSchema> = {}
const deref = (schema: JsonSchema): JsonSchema => {
  let current = schema
  for (let guard = 0; current?.$ref && guard < 20; guard++) current = components[current.$ref.split('/').pop()!] ?? {}
  return current ?? {}
}

type JsonType = 'string' | 'number' | 'integer' | 'boolean' | 'null' | 'array' | 'object'
const jsonTypeOf = (value: unknown): JsonType =>
  value === null
    ? 'null'
    : Array.isArray(value)
      ? 'array'
      : typeof value === 'number'
        ? Number.isInteger(value)
          ? 'integer'
          : 'number'
        : (typeof value as JsonType)

/** The JSON types a schema admits, or null when it does not say (anything goes). */
function allowedTypes(raw: JsonSchema): Set<JsonType> | null {
  const schema = deref(raw)
  const branches = schema.anyOf ?? schema.oneOf
  if (branches) {
    const all = new Set<JsonType>()
    for (const branch of branches) {
      const types = allowedTypes(branch)
      if (!types) return null
      for (const type of types) all.add(type)
    }
    return all
  }
  let types: Set<JsonType> | null = null
  if (schema.type) types = new Set((Array.isArray(schema.type) ? schema.type : [schema.type]) as JsonType[])
  else if (schema.enum) types = new Set(schema.enum.map(jsonTypeOf))
  else if (schema.const !== undefined) types = new Set([jsonTypeOf(schema.const)])
  else if (schema.properties) types = new Set(['object'])
  if (!types) return null
  if (types.has('number')) types.add('integer')
  if (schema.nullable) types.add('null')
  return types
}

const numberViolates = (n: number, schema: JsonSchema, integer: boolean) => {
  if (!Number.isFinite(n)) return true
  if (integer && !Number.isSafeInteger(n)) return true
  if (schema.minimum !== undefined && n < schema.minimum) return true
  if (schema.maximum !== undefined && n > schema.maximum) return true
  if (typeof schema.exclusiveMinimum === 'number' && n <= schema.exclusiveMinimum) return true
  if (typeof schema.exclusiveMaximum === 'number' && n >= schema.exclusiveMaximum) return true
  return false
}

const stringViolates = (s: string, schema: JsonSchema) => {
  // Schemas may trim before checking: only count what fails both raw and trimmed.
  const trimmed = s.trim()
  if (schema.minLength !== undefined && s.length < schema.minLength) return true
  if (schema.maxLength !== undefined && trimmed.length > schema.maxLength) return true
  if (schema.pattern) {
    const re = new RegExp(schema.pattern)
    if (!re.test(s) && !re.test(trimmed)) return true
  }
  return false
}

/**
 * True when the value certainly fails the schema (so a 2xx would be a validation hole). Errs on
 * the side of "not sure": refinements the document cannot express are not guessed at.
 */
function surelyInvalid(value: unknown, raw: JsonSchema): boolean {
  const schema = deref(raw)
  const branches = schema.anyOf ?? schema.oneOf
  if (branches) return value === null && schema.nullable ? false : branches.every((branch) => surelyInvalid(value, branch))
  if (schema.allOf) return schema.allOf.some((part) => surelyInvalid(value, part))
  const types = allowedTypes(schema)
  const type = jsonTypeOf(value)
  if (types && !types.has(type)) return true
  if (value === null) return false
  if (schema.enum && !schema.enum.includes(value)) return true
  if (schema.const !== undefined && schema.const !== value) return true
  if (typeof value === 'string') return stringViolates(value, schema)
  if (typeof value === 'number') return numberViolates(value, schema, !!types && !types.has('number'))
  if (Array.isArray(value)) {
    if (schema.minItems !== undefined && value.length < schema.minItems) return true
    if (schema.maxItems !== undefined && value.length > schema.maxItems) return true
    return !!schema.items && value.some((item) => surelyInvalid(item, schema.items!))
  }
  if (typeof value === 'object') {
    const record = value as Record<string, unknown>
    if ((schema.required ?? []).some((key) => record[key] === undefined)) return true
    for (const [key, sub] of Object.entries(schema.properties ?? {})) {
      if (record[key] !== undefined && surelyInvalid(record[key], sub)) return true
    }
  }
  return false
}

/** Query and path values are strings that the schema coerces; judge them as the coercion would. */
function surelyInvalidParam(value: string | string[], raw: JsonSchema): boolean {
  const schema = deref(raw)
  const types = allowedTypes(schema)
  if (Array.isArray(value)) return !!types && !types.has('array')
  if (types && (types.has('integer') || types.has('number')) && !types.has('string')) {
    return numberViolates(Number(value), schema, !types.has('number'))
  }
  if (types && !types.has('string')) return false // booleans and the like: coercion rules unknown
  return surelyInvalid(value, schema)
}

const SAMPLE_TEXT = ['测试名称', '公安户籍信息', 'demo', '潍坊市民政局', 'x']
/** Names of date fields whose format the document cannot state (a refinement): occurredOn, validUntil, from, to, …Date. */
const isDateName = (name: string) => /date/i.test(name) || /^(from|to|until)$/.test(name) || /[a-z](On|Until|From|To)$/.test(name)

/** Values that look valid (they satisfy what the document says; refinements may still refuse them). */
/** `full`: every optional property present too (so fixed cases can reach each of them). */
function validArb(raw: JsonSchema, name = '', depth = 0, full = false): fc.Arbitrary<unknown> {
  const schema = deref(raw)
  if (schema.enum && schema.enum.length > 0) return fc.constantFrom(...schema.enum)
  if (schema.const !== undefined) return fc.constant(schema.const)
  const branches = schema.anyOf ?? schema.oneOf
  if (branches) {
    const nonNull = branches.filter((b) => deref(b).type !== 'null')
    return fc.oneof(...(nonNull.length > 0 ? nonNull : branches).map((b) => validArb(b, name, depth + 1, full)))
  }
  const types = allowedTypes(schema)
  const type = types ? ([...types].find((t) => t !== 'null') ?? 'null') : 'object'
  switch (type) {
    case 'string': {
      const min = schema.minLength ?? 0
      const max = schema.maxLength ?? 40
      if (schema.format === 'uuid') return fc.uuid({ version: 4 })
      if (schema.format === 'date-time')
        return fc.date({ min: new Date('2020-01-01'), max: new Date('2030-12-31'), noInvalidDate: true }).map((d) => d.toISOString())
      if (schema.format === 'date' || (!schema.pattern && isDateName(name))) {
        return fc.date({ min: new Date('2024-01-01'), max: new Date('2027-12-31'), noInvalidDate: true }).map((d) => d.toISOString().slice(0, 10))
      }
      if (schema.pattern) {
        return fc.stringMatching(new RegExp(schema.pattern)).filter((s) => s.length >= min && s.length <= max)
      }
      return fc.tuple(fc.constantFrom(...SAMPLE_TEXT), fc.nat(9999)).map(([text, n]) => {
        const s = `${text}${n}`.slice(0, Math.max(max, 1))
        return s.length >= min ? s : s.padEnd(min, '测')
      })
    }
    case 'integer':
    case 'number': {
      const min = Math.max(schema.minimum ?? -1000, -1000)
      const max = Math.min(schema.maximum ?? 1000, 1000)
      return fc.integer({ min: Math.min(min, max), max: Math.max(min, max) })
    }
    case 'boolean':
      return fc.boolean()
    case 'null':
      return fc.constant(null)
    case 'array': {
      if (!schema.items || depth > 4) return fc.constant([])
      const minLength = schema.minItems ?? 0
      return fc.array(validArb(schema.items, name, depth + 1, full), { minLength, maxLength: Math.max(minLength, Math.min(schema.maxItems ?? 2, 2)) })
    }
    default: {
      if (!schema.properties || depth > 4) return fc.constant({})
      const model: Record<string, fc.Arbitrary<unknown>> = {}
      for (const [key, sub] of Object.entries(schema.properties)) model[key] = validArb(sub, key, depth + 1, full)
      return fc.record(model, { requiredKeys: full ? Object.keys(model) : (schema.required ?? []).filter((key) => key in model) })
    }
  }
}

// ---------------------------------------------------------------------------------------------
// Hostile values
// ---------------------------------------------------------------------------------------------

const nest = (depth: number, wrap: (inner: unknown) => unknown, leaf: unknown) => {
  let value = leaf
  for (let i = 0; i < depth; i++) value = wrap(value)
  return value
}
const DEEP_OBJECT = nest(1000, (inner) => ({ a: inner }), 1)
const DEEP_ARRAY = nest(1000, (inner) => [inner], 1)

const HOSTILE_STRINGS = [
  "' OR 1=1 --",
  '"; drop table users; --',
  "1'; select pg_sleep(5); --",
  "户籍' OR '1'='1",
  '../../etc/passwd',
  '..\\..\\windows\\win.ini',
  '%2e%2e%2f%2e%2e%2fetc%2fpasswd',
  '/etc/passwd\u0000.png',
  '\u0000',
  'a\u0000b',
  '\ud800',
  '\udfff\ud800x',
  '\u202eevil\u202c',
  '\u200f\u200e\u200b',
  '😀👨‍👩‍👧‍👦🇨🇳',
  '\ufeffbom',
  'e\u0301\u0301\u0301',
  '${jndi:ldap://127.0.0.1/a}',
  '{{7*7}}',
  '<script>alert(1)</script>',
  '%s%s%s%n',
  'line\r\nSet-Cookie: a=b',
  '%',
  '_',
  '\\',
  '   ',
  '',
  'null',
  'NaN',
  '-1',
  '1e400',
  '2026-13-01',
  '9999-12-31',
]
const LONG_STRINGS = ['A'.repeat(100_000), '测'.repeat(100_000), "' OR 1=1 -- ".repeat(8_500)]
/** Numbers written into the JSON text as they are (JSON.stringify cannot express them). */
const RAW_NUMBERS = ['1e400', '-1e400', '123456789012345678901234567890', '-0', '1e-400', '9007199254740993', '-9007199254740993']
const RAW = '\u0001RAW:'
const rawNumber = (text: string) => `${RAW}${text}`
const toJsonText = (value: unknown) => JSON.stringify(value).replace(/"\\u0001RAW:([^"]*)"/g, '$1')
const fromRaw = (value: unknown): unknown => (typeof value === 'string' && value.startsWith(RAW) ? Number(value.slice(RAW.length)) : value)
/** The value the server sees after JSON.parse (raw numbers become numbers). */
const parsedView = (value: unknown): unknown => {
  if (typeof value === 'string') return fromRaw(value)
  if (Array.isArray(value)) return value.map(parsedView)
  if (value && typeof value === 'object') return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, parsedView(v)]))
  return value
}

const hostileStringArb = fc.oneof({ weight: 6, arbitrary: fc.constantFrom(...HOSTILE_STRINGS) }, { weight: 1, arbitrary: fc.constantFrom(...LONG_STRINGS) })
/** Values of every JSON type, for "wrong type" mutations. */
const wrongTypeArb = fc.constantFrom<unknown>(
  'x',
  "' OR 1=1 --",
  '../../etc/passwd',
  42,
  -1,
  1.5,
  0,
  rawNumber('1e400'),
  rawNumber('123456789012345678901234567890'),
  true,
  false,
  null,
  [],
  ['a', 1, null],
  DEEP_ARRAY,
  {},
  { $gt: '' },
  JSON.parse('{"__proto__":{"admin":true}}'),
  DEEP_OBJECT,
)

/** A query or path value: hostile strings (shortened to fit in a URL), numeric junk, or a repeat. */
const QUERY_JUNK = [
  'abc',
  '-1',
  '0',
  '1.5',
  '1e400',
  '99999999999999999999',
  '0x10',
  ' 1',
  'true',
  '[]',
  '{}',
  '2026-02-30',
  '2026-13-01',
  '9999-99-99',
  '9999-12-31',
  '0000-01-01',
]
/**
 * URLs stay under Node's 16 KB header limit and path segments under the router's 100-character
 * parameter limit: beyond those the HTTP layer answers before the app (checked once, in the
 * transport-level test below). Lone surrogates cannot be percent-encoded as UTF-8 either.
 */
const PATH_SAFE_HOSTILE = HOSTILE_STRINGS.filter((s) => !/[\ud800-\udfff]/.test(s.replace(/[\ud800-\udbff][\udc00-\udfff]/g, '')))
const hostileParamArb = fc.oneof(fc.constantFrom(...HOSTILE_STRINGS), fc.constantFrom(...QUERY_JUNK), fc.constantFrom('A'.repeat(3000), '测'.repeat(300)))
const hostilePathArb = fc.oneof(fc.constantFrom(...PATH_SAFE_HOSTILE), fc.constantFrom(...QUERY_JUNK), fc.constantFrom('A'.repeat(100), '测'.repeat(100)))
const MAX_QUERY_CHARS = 12_000

/** percent-encoding that survives lone surrogates (sent as the bytes a careless client would send). */
function encodeComponent(value: string): string {
  try {
    return encodeURIComponent(value)
  } catch {
    let out = ''
    for (const char of value) {
      const unit = char.charCodeAt(0)
      if (char.length === 1 && unit >= 0xd800 && unit <= 0xdfff) {
        out += [0xe0 | (unit >> 12), 0x80 | ((unit >> 6) & 0x3f), 0x80 | (unit & 0x3f)].map((b) => `%${b.toString(16).toUpperCase()}`).join('')
      } else out += encodeURIComponent(char)
    }
    return out
  }
}

// ---------------------------------------------------------------------------------------------
// Operations and cases
// ---------------------------------------------------------------------------------------------

type World = Awaited<ReturnType<typeof buildWorld>>
type UserKey = keyof World['users']
const USER_OF_ROLE: Record<Role, UserKey> = {
  SYS_ADMIN: 'sysAdmin',
  SEC_ADMIN: 'secAdmin',
  AUDITOR: 'auditor',
  AUTH_ADMIN: 'authAdmin',
  DEPT_ADMIN: 'deptAdmin',
  CATALOGER: 'cataloger',
  APPROVER: 'approver',
  REQUESTER: 'requester',
  NODE_OPERATOR: 'nodeOperator',
}

interface Operation {
  method: string
  path: string // OpenAPI form, /users/{id}
  label: string
  action: string | null
  isPublic: boolean
  /** Authenticated by an app access token (the data gateway), not a user session. */
  appAuth: boolean
  caller: UserKey | 'anonymous' | 'app' | 'node'
  token?: string
  query: OpenApiParam[]
  pathParams: OpenApiParam[]
  body?: JsonSchema
  bodyRequired: boolean
  /** The operation takes multipart/form-data (uploads). */
  multipart: boolean
}

interface Case {
  what: string
  /** Invalid by construction: a 2xx would be a validation hole. */
  invalid: boolean
  path: string
  query: string
  contentType?: string | null
  body?: string | Buffer
}

/**
 * Known-good bodies from the factories, where a schema alone cannot produce a valid one (cross-field
 * rules): mutating one field of a valid body reaches the service and SQL, not just the validator.
 * Optional: an operation without an example is swept from its schema alone.
 */
const EXAMPLES: Record<string, () => unknown> = {
  'POST /api/v1/catalog/resources': () => resourceBody(),
  'PATCH /api/v1/catalog/resources/{id}': () => resourceBody(),
}

/**
 * Existing objects that no caller depends on (set up in `before`), by the path they live under, so a
 * case can reach the service with a real id as well as an unknown one. Paths not listed get unknown ids.
 */
let knownIds: Record<string, string> = {}
const knownIdFor = (op: { path: string }) =>
  Object.entries(knownIds)
    .filter(([prefix]) => op.path === prefix || op.path.startsWith(`${prefix}/`))
    .sort(([a], [b]) => b.length - a.length)[0]?.[1]

const isIdParam = (param: OpenApiParam) => deref(param.schema).format === 'uuid' || param.name === 'id' || param.name.endsWith('Id')

const basePathValue = (param: OpenApiParam) => {
  const schema = deref(param.schema)
  if (isIdParam(param)) return randomUUID()
  if (isDateName(param.name)) return '2031-06-02'
  return fc.sample(validArb(schema, param.name), { numRuns: 1, seed: SEED })[0] as string
}

function buildPath(op: Operation, overrides: Record<string, string> = {}, existingId?: string) {
  let path = op.path
  for (const param of op.pathParams) {
    const value = overrides[param.name] ?? (existingId && isIdParam(param) ? existingId : basePathValue(param))
    path = path.replace(`{${param.name}}`, overrides[param.name] !== undefined ? encodeComponent(value) : value)
  }
  return path
}

function buildQuery(values: Record<string, string | string[]>) {
  const parts: string[] = []
  for (const [name, value] of Object.entries(values)) {
    for (const v of Array.isArray(value) ? value : [value]) parts.push(`${encodeURIComponent(name)}=${encodeComponent(v)}`)
  }
  return parts.length > 0 ? `?${parts.join('&')}` : ''
}

/** Values for the required query parameters, so a case about one parameter is not refused for another. */
function requiredQuery(op: Operation): Record<string, string> {
  const values: Record<string, string> = {}
  for (const param of op.query.filter((p) => p.required)) {
    values[param.name] = String(fc.sample(validArb(param.schema, param.name), { numRuns: 1, seed: SEED })[0])
  }
  return values
}

const JSON_CT = 'application/json'

/** A multipart body written by hand, so it can be broken on purpose. */
function multipartBody(boundary: string, parts: { name: string; filename?: string; content: string | Buffer }[], terminated = true): Buffer {
  const chunks: Buffer[] = []
  for (const part of parts) {
    const disposition = `form-data; name="${part.name}"${part.filename !== undefined ? `; filename="${part.filename}"` : ''}`
    const type = part.filename !== undefined ? 'Content-Type: application/octet-stream\r\n' : ''
    chunks.push(Buffer.from(`--${boundary}\r\nContent-Disposition: ${disposition}\r\n${type}\r\n`), Buffer.from(part.content), Buffer.from('\r\n'))
  }
  if (terminated) chunks.push(Buffer.from(`--${boundary}--\r\n`))
  return Buffer.concat(chunks)
}

/** Uploads: broken envelopes and hostile files (a CSV whose header and cells are attacks, binary junk…). */
function multipartCases(path: string, query: string): Case[] {
  const boundary = 'govshareBadInput7f3a'
  const ct = `multipart/form-data; boundary=${boundary}`
  const hostileCsv = `${HOSTILE_STRINGS.slice(0, 8)
    .map((h) => `"${h.replace(/"/g, '""')}"`)
    .join(',')}\n${HOSTILE_STRINGS.slice(8, 16)
    .map((h) => `"${h.replace(/"/g, '""')}"`)
    .join(',')}\n`
  const binary = Buffer.from(Array.from({ length: 4096 }, (_, i) => (i * 7919) % 256))
  const mk = (what: string, contentType: string | null, body: Buffer | string): Case => ({ what, invalid: false, path, query, contentType, body })
  return [
    mk('multipart without boundary', 'multipart/form-data', 'garbage'),
    mk('multipart, unterminated', ct, multipartBody(boundary, [{ name: 'file', filename: 'a.csv', content: 'a,b\n1,2\n' }], false)),
    mk('multipart, no file part', ct, multipartBody(boundary, [{ name: 'skipInvalidRows', content: 'true' }])),
    mk('multipart, empty file', ct, multipartBody(boundary, [{ name: 'file', filename: 'empty.csv', content: '' }])),
    mk('multipart, binary junk as file', ct, multipartBody(boundary, [{ name: 'file', filename: 'junk.xlsx', content: binary }])),
    mk('multipart, hostile CSV', ct, multipartBody(boundary, [{ name: 'file', filename: 'hostile.csv', content: hostileCsv }])),
    mk('multipart, traversal file name', ct, multipartBody(boundary, [{ name: 'file', filename: '../../etc/passwd', content: 'a\n1\n' }])),
    mk('multipart, NUL bytes in a CSV', ct, multipartBody(boundary, [{ name: 'file', filename: 'nul.csv', content: Buffer.from('a,b\n\u0000,\u0000x\n') }])),
    mk(
      'multipart, two files',
      ct,
      multipartBody(boundary, [
        { name: 'file', filename: 'a.csv', content: 'a\n1\n' },
        { name: 'file', filename: 'b.csv', content: 'a\n2\n' },
      ]),
    ),
    mk(
      'multipart, hostile field values',
      ct,
      multipartBody(boundary, [
        { name: 'skipInvalidRows', content: "' OR 1=1 --" },
        { name: 'file', filename: 'a.csv', content: 'a\n1\n' },
      ]),
    ),
  ]
}

/**
 * Malformed bodies and wrong content types. The `core` ones run for every operation with a body; the
 * others (same parser paths, other spellings) are drawn at random among the random cases.
 */
function transportCases(op: Operation, path: string, query: string): (Case & { core: boolean })[] {
  if (!op.body) return []
  const required = op.bodyRequired
  const sample = fc.sample(validArb(op.body), { numRuns: 1, seed: SEED })[0]
  const bodyText = (value: unknown) => toJsonText(value)
  const invalidBody = (value: unknown) => surelyInvalid(parsedView(value), op.body!)
  const mk = (core: boolean, what: string, invalid: boolean, contentType: string | null, body?: string | Buffer) => ({
    core,
    what,
    invalid,
    path,
    query,
    contentType,
    body,
  })
  return [
    mk(true, 'no body at all (application/json)', required, JSON_CT),
    mk(false, 'empty body text', required, JSON_CT, ''),
    mk(true, 'malformed JSON {"a":', true, JSON_CT, '{"a":'),
    mk(false, 'malformed JSON (trailing comma)', true, JSON_CT, '{"a":1,}'),
    mk(false, 'JSON with a comment', true, JSON_CT, '{/* x */}'),
    mk(false, 'body null', invalidBody(null), JSON_CT, 'null'),
    mk(true, 'body []', invalidBody([]), JSON_CT, '[]'),
    mk(false, 'body "string"', invalidBody('s'), JSON_CT, '"s"'),
    mk(false, 'body 42', invalidBody(42), JSON_CT, '42'),
    mk(false, 'body true', invalidBody(true), JSON_CT, 'true'),
    mk(true, 'body nested 1000 deep (objects)', invalidBody(DEEP_OBJECT), JSON_CT, bodyText(DEEP_OBJECT)),
    mk(false, 'body nested 1000 deep (arrays)', invalidBody(DEEP_ARRAY), JSON_CT, bodyText(DEEP_ARRAY)),
    mk(false, 'body nested 100000 deep (arrays)', true, JSON_CT, `${'['.repeat(100_000)}${']'.repeat(100_000)}`),
    mk(false, '__proto__ pollution', true, JSON_CT, '{"__proto__":{"isAdmin":true},"constructor":{"prototype":{"isAdmin":true}}}'),
    mk(true, '2 MB body (over the body limit)', true, JSON_CT, JSON.stringify({ x: 'y'.repeat(2_000_000) })),
    mk(true, 'text/plain with a JSON text', invalidBody(bodyText(sample)), 'text/plain', bodyText(sample)),
    mk(true, 'multipart/form-data without boundary', required, 'multipart/form-data', bodyText(sample)),
    mk(false, 'multipart/form-data with a garbage body', required, 'multipart/form-data; boundary=xyz', 'garbage'),
    mk(true, 'application/xml', true, 'application/xml', '<a>1</a>'),
    mk(false, 'application/x-www-form-urlencoded', true, 'application/x-www-form-urlencoded', 'a=1&b=2'),
    mk(false, 'no content-type with a body', true, null, Buffer.from(bodyText(sample))),
    mk(false, 'application/json; charset=utf-16', false, 'application/json; charset=utf-16', bodyText(sample)),
    mk(false, 'JSON with a BOM', false, JSON_CT, `\ufeff${bodyText(sample)}`),
    mk(false, 'duplicate keys', false, JSON_CT, `{"a":1,"a":"x",${bodyText(sample).slice(1)}`),
  ]
}

/** Fixed cases every operation gets, whatever the random generator draws. */
function fixedCases(op: Operation): Case[] {
  const cases: Case[] = []
  const path = buildPath(op)
  const query = buildQuery(requiredQuery(op))
  const base = (what: string, invalid: boolean, extra: Partial<Case>): Case => ({ what, invalid, path, query, ...extra })

  if (op.body) {
    const sample = fc.sample(validArb(op.body), { numRuns: 1, seed: SEED })[0]
    cases.push(...transportCases(op, path, query).filter((c) => c.core))
    // Each string property of a plausible body in turn gets a NUL (PostgreSQL refuses it in text and
    // jsonb alike); date-named ones also an impossible and a far-future date. Other hostile strings
    // come from the random cases.
    // (A fresh example per case: examples carry unique names, and an accepted case must not make the next a duplicate.)
    const everyProperty = fc.sample(validArb(op.body, '', 0, true), { numRuns: 1, seed: SEED })[0]
    const plausible = () => EXAMPLES[op.label]?.() ?? everyProperty
    const known = knownIdFor(op)
    const leaves = distinctLeaves(leavesOf(plausible(), op.body).filter((leaf) => allowedTypes(leaf.schema)?.has('string')))
    leaves.forEach((leaf) => {
      const name = String(leaf.path.filter((p) => typeof p === 'string').pop() ?? '')
      const dates = isDateName(name) ? ['2026-13-01', '9999-12-31'] : []
      for (const value of ['a\u0000b', ...dates]) {
        const body = setAt(plausible(), leaf.path, value)
        cases.push(
          base(`${leaf.path.join('.')}=${describeValue(value)}`, surelyInvalid(parsedView(body), op.body!), {
            path: buildPath(op, {}, known),
            contentType: JSON_CT,
            body: toJsonText(body),
          }),
        )
      }
    })
  } else if (op.multipart) {
    const known = knownIdFor(op)
    cases.push(...multipartCases(path, query), ...multipartCases(buildPath(op, {}, known), query).filter(() => !!known))
  } else if (op.method !== 'GET') {
    cases.push(
      base('malformed JSON to a body-less action', false, { contentType: JSON_CT, body: '{"a":' }),
      base('text/plain to a body-less action', false, { contentType: 'text/plain', body: 'hello' }),
    )
  }

  for (const param of op.query) {
    const schema = deref(param.schema)
    const types = allowedTypes(schema)
    const values = new Set<string>(["' OR 1=1 --"])
    if (types?.has('integer') || types?.has('number')) {
      for (const v of ['-1', '1e400']) values.add(v) // negative (page sizes), overflowing
      if (schema.minimum !== undefined) values.add(String(schema.minimum - 1)) // e.g. pageSize=0
      if (schema.maximum !== undefined) values.add(String(schema.maximum + 1)) // e.g. pageSize=201
    } else {
      for (const v of ['A'.repeat(3000), '../../etc/passwd\u0000', '\u202e😀\u200b']) values.add(v)
      if (isDateName(param.name)) for (const v of ['2026-13-01', '2026-02-30', '9999-12-31']) values.add(v)
    }
    for (const value of values) {
      const all = { ...requiredQuery(op), [param.name]: value }
      cases.push(base(`query ${param.name}=${JSON.stringify(value.slice(0, 20))}`, surelyInvalidParam(value, schema), { query: buildQuery(all) }))
    }
    const repeated = { ...requiredQuery(op), [param.name]: ['1', '2'] }
    cases.push(base(`query ${param.name} repeated`, surelyInvalidParam(['1', '2'], schema), { query: buildQuery(repeated) }))
  }
  for (const param of op.pathParams) {
    const dates = isDateName(param.name) ? ['9999-99-99', '2026-02-30'] : []
    for (const value of ['../../etc/passwd', "' OR 1=1 --\u0000", '\u202eevil😀', randomUUID(), ...dates]) {
      cases.push(
        base(`path ${param.name}=${JSON.stringify(value.slice(0, 20))}`, surelyInvalidParam(value, param.schema), {
          path: buildPath(op, { [param.name]: value }),
        }),
      )
    }
  }
  return cases
}

type Leaf = { path: (string | number)[]; schema: JsonSchema; required: boolean }

/** Every property present in a generated body, with its schema (objects and arrays walked). */
function leavesOf(value: unknown, raw: JsonSchema, path: (string | number)[] = [], out: Leaf[] = []): Leaf[] {
  const schema = deref(raw)
  if (schema.anyOf || schema.oneOf) return out
  if (Array.isArray(value) && schema.items) value.forEach((item, i) => leavesOf(item, schema.items!, [...path, i], out))
  else if (value && typeof value === 'object' && schema.properties) {
    for (const [key, sub] of Object.entries(schema.properties)) {
      if ((value as Record<string, unknown>)[key] === undefined) continue
      out.push({ path: [...path, key], schema: sub, required: (schema.required ?? []).includes(key) })
      leavesOf((value as Record<string, unknown>)[key], sub, [...path, key], out)
    }
  }
  return out
}

function setAt(value: unknown, path: (string | number)[], next: unknown | typeof REMOVE): unknown {
  if (path.length === 0) return next
  const [head, ...rest] = path
  const copy = (Array.isArray(value) ? [...value] : { ...(value as object) }) as Record<string | number, unknown>
  if (rest.length === 0 && next === REMOVE) delete copy[head]
  else copy[head] = setAt(copy[head], rest, next)
  return copy
}
const REMOVE = Symbol('remove')

const isFreeText = (schema: JsonSchema) => {
  const s = deref(schema)
  return !!allowedTypes(s)?.has('string') && !s.enum && !s.pattern && !s.format
}
/** Leaves grouped by their path with array indexes folded, so ten items do not outweigh one name. */
function pickLeaf(leaves: Leaf[], pick: number): Leaf | undefined {
  const groups = new Map<string, Leaf[]>()
  for (const leaf of leaves) {
    const key = leaf.path.map((p) => (typeof p === 'number' ? '*' : p)).join('.')
    groups.set(key, [...(groups.get(key) ?? []), leaf])
  }
  const keys = [...groups.keys()]
  if (keys.length === 0) return undefined
  const group = groups.get(keys[pick % keys.length])!
  return group[Math.floor(pick / keys.length) % group.length]
}
const distinctLeaves = (leaves: Leaf[]) => {
  const seen = new Set<string>()
  return leaves.filter((leaf) => {
    const key = leaf.path.map((p) => (typeof p === 'number' ? '*' : p)).join('.')
    return seen.has(key) ? false : (seen.add(key), true)
  })
}

const describeValue = (value: unknown) => {
  const text = typeof value === 'string' ? JSON.stringify(value) : (toJsonText(value) ?? String(value))
  return text.length > 60 ? `${text.slice(0, 40)}…(${text.length} chars)` : text
}

/** Random cases: mutate one property of a plausible body, or poison every string, or junk the parameters. */
function randomCaseArb(op: Operation): fc.Arbitrary<Case> | undefined {
  const arbs: fc.Arbitrary<Case>[] = []
  // Path of an existing object (so the body reaches the service) or of an unknown one.
  const known = knownIdFor(op)
  const pathArb = fc.boolean().map((useKnown) => buildPath(op, {}, useKnown ? known : undefined))
  const example = EXAMPLES[op.label]
  const bodyBaseArb = (schema: JsonSchema) =>
    example ? fc.oneof({ weight: 1, arbitrary: validArb(schema) }, { weight: 3, arbitrary: fc.constant(null).map(() => example()) }) : validArb(schema)
  if (op.body) {
    const bodySchema = op.body
    const asCase = (what: string, body: unknown, path: string): Case => ({
      what,
      invalid: surelyInvalid(parsedView(body), bodySchema),
      path,
      query: buildQuery(requiredQuery(op)),
      contentType: JSON_CT,
      body: toJsonText(body),
    })
    /** One property of a plausible body replaced: `pickLeaf` chooses among the leaves it accepts. */
    const mutate = <T>(
      value: fc.Arbitrary<T>,
      accepts: (leaf: Leaf) => boolean,
      apply: (leaf: Leaf, base: unknown, v: T) => Case,
      fallback: (base: unknown, v: T, path: string) => Case,
    ) =>
      fc.tuple(bodyBaseArb(bodySchema), fc.nat(), value, pathArb).map(([base, pick, v, path]) => {
        const leaf = pickLeaf(leavesOf(base, bodySchema).filter(accepts), pick)
        if (!leaf) return fallback(base, v, path)
        return { ...apply(leaf, base, v), path }
      })
    const where = (leaf: Leaf) => leaf.path.join('.')
    const wrongType = mutate(
      wrongTypeArb,
      () => true,
      (leaf, base, wrong) => asCase(`${where(leaf)}=${describeValue(wrong)}`, setAt(base, leaf.path, wrong), ''),
      (_b, wrong, path) => asCase(`whole body ${describeValue(wrong)}`, wrong, path),
    )
    const hostileString = mutate(
      hostileStringArb,
      (leaf) => !!allowedTypes(leaf.schema)?.has('string'),
      (leaf, base, hostile) => asCase(`${where(leaf)}=${describeValue(hostile)}`, setAt(base, leaf.path, hostile), ''),
      (base, hostile, path) => asCase(`whole body ${describeValue(hostile)}`, hostile, path),
    )
    const missing = mutate(
      fc.constant(null),
      (leaf) => leaf.required,
      (leaf, base) => asCase(`required ${where(leaf)} missing`, setAt(base, leaf.path, REMOVE), ''),
      (base, _v, path) => asCase('body {} (nothing required)', {}, path),
    )
    const unknownId = mutate(
      fc.uuid({ version: 4 }),
      (leaf) => deref(leaf.schema).format === 'uuid',
      (leaf, base, uuid) => asCase(`${where(leaf)}=unknown id`, setAt(base, leaf.path, uuid), ''),
      (base, _v, path) => asCase('plausible body', base, path),
    )
    // Every free-text string hostile at once (patterned and enumerated ones kept, so the body can pass).
    const poisoned = fc
      .tuple(bodyBaseArb(bodySchema), fc.array(fc.constantFrom(...HOSTILE_STRINGS), { minLength: 1, maxLength: 8 }), pathArb)
      .map(([base, hostile, path]) => {
        let body = base
        const used = new Set<string>()
        leavesOf(base, bodySchema)
          .filter((leaf) => isFreeText(leaf.schema))
          .forEach((leaf, i) => {
            const value = hostile[i % hostile.length]
            used.add(value)
            body = setAt(body, leaf.path, value)
          })
        return asCase(`every free-text string hostile (${[...used].map(describeValue).join(', ')})`, body, path)
      })
    const hugeNumber = mutate(
      fc.constantFrom(...RAW_NUMBERS),
      (leaf) => !!allowedTypes(leaf.schema)?.has('integer'),
      (leaf, base, raw) => asCase(`${where(leaf)}=${raw}`, setAt(base, leaf.path, rawNumber(raw)), ''),
      (_b, raw, path) => asCase(`whole body ${raw}`, rawNumber(raw), path),
    )
    arbs.push(
      fc.oneof(
        { weight: 3, arbitrary: hostileString },
        { weight: 3, arbitrary: wrongType },
        { weight: 1, arbitrary: missing },
        { weight: 1, arbitrary: unknownId },
        { weight: 1, arbitrary: poisoned },
        { weight: 1, arbitrary: hugeNumber },
      ),
    )
  }
  if (op.query.length > 0) {
    const model: Record<string, fc.Arbitrary<string>> = {}
    for (const param of op.query) model[param.name] = fc.oneof(hostileParamArb, validArb(param.schema, param.name).map(String))
    arbs.push(
      fc.record(model, { requiredKeys: [] }).map((partial) => {
        const values = partial as Record<string, string>
        // Several long values at once would overflow the request line: shorten them (see MAX_QUERY_CHARS).
        if (buildQuery(values).length > MAX_QUERY_CHARS) for (const [k, v] of Object.entries(values)) values[k] = v.slice(0, 300)
        const all = { ...requiredQuery(op), ...values }
        const invalid = Object.entries(values).some(([name, value]) => surelyInvalidParam(value, op.query.find((p) => p.name === name)!.schema))
        return {
          what: `query ${Object.entries(values)
            .map(([k, v]) => `${k}=${describeValue(v)}`)
            .join(' ')}`,
          invalid,
          path: buildPath(op),
          query: buildQuery(all),
        }
      }),
    )
  }
  if (op.pathParams.length > 0) {
    arbs.push(
      fc.tuple(fc.constantFrom(...op.pathParams), fc.oneof(hostilePathArb, fc.uuid({ version: 4 }))).map(([param, value]) => ({
        what: `path ${param.name}=${describeValue(value)}`,
        invalid: surelyInvalidParam(value, param.schema),
        path: buildPath(op, { [param.name]: value }),
        query: buildQuery(requiredQuery(op)),
        contentType: op.body ? JSON_CT : undefined,
        body: op.body ? toJsonText(fc.sample(validArb(op.body), { numRuns: 1, seed: SEED })[0]) : undefined,
      })),
    )
  }
  const transport = transportCases(op, buildPath(op), buildQuery(requiredQuery(op))).filter((c) => !c.core)
  if (transport.length > 0) arbs.push(fc.constantFrom(...transport))
  return arbs.length > 0 ? fc.oneof(...arbs) : undefined
}

// ---------------------------------------------------------------------------------------------
// The sweep
// ---------------------------------------------------------------------------------------------

const CJK = /[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff]/
const CODE_OF_STATUS: Record<number, RegExp> = {
  400: /^VALIDATION_FAILED$/,
  401: /^(UNAUTHENTICATED|INVALID_CREDENTIALS|TOTP_REQUIRED|INVALID_TOTP|ENROLMENT_REFUSED)$/,
  404: /^NOT_FOUND$/,
  413: /^PAYLOAD_TOO_LARGE$/,
  415: /^UNSUPPORTED_MEDIA_TYPE$/,
  429: /^(RATE_LIMITED|ACCOUNT_LOCKED)$/,
}

interface Sent {
  status: number
  ms: number
  requestId: string | null
  text: string
  json: unknown
}

/** Writes per `table:OPERATION` (from the probe triggers) and the set of user tables (count/newest oid). */
interface Snapshot {
  writes: Map<string, number>
  tables: string
}

/**
 * Tables a refused request may legitimately write. audit_events: every refusal is audited (append-only:
 * inserts only). For the data gateway (app-token and public token routes) API.md adds: "Every call,
 * allowed or denied, is written to the call log" (call_logs, with its daily roll-up call_log_daily), and
 * calls are counted for the rate limit (rate_counters).
 */
const GATEWAY_REFUSAL_LOGS = new Set(['call_logs', 'call_log_daily', 'rate_counters'])
/** A refused login is counted per IP and username (login_throttle), so the limit holds across processes. */
const LOGIN_REFUSAL_COUNTERS = new Set(['login_throttle'])
/**
 * Refusals that checked the caller's own password or TOTP code count toward the lockout (users:
 * failed_logins), so a borrowed session cannot guess them.
 */
const CREDENTIAL_CHECK_ACTIONS = new Set(['identity.password.change', 'identity.totp.enroll', 'identity.totp.disable'])
const PROBE = 'bad_input_probe'

describe('bad-input sweep generated from the OpenAPI document', () => {
  let t: TestApp
  let world: World
  let operations: Operation[]
  let tableNames: string[] = []
  /** An app access token for app-authenticated routes (API.md "Data service gateway"), when the API offers one. */
  let appToken: string | undefined
  /** The credential of a front-end node enrolled in `before`, for the node-agent routes (exchange.agent.call). */
  let nodeCredential: string | undefined
  const accepted: string[] = []
  let requestCount = 0

  before(async () => {
    t = await buildTestApp()
    world = await buildWorld(t.db)
    // Existing objects for path ids, owned by nobody who calls: editing them cannot lock a caller out.
    const spareOrg = await buildOrg(t.db, { name: `备用测试单位${SEED}` })
    const spareUser = await buildUser(t.db, { orgId: spareOrg.id, roles: ['REQUESTER'] })
    const resource = await t.request('POST', '/api/v1/catalog/resources', { token: world.tokens.cataloger, body: resourceBody() })
    assert.equal(resource.status, 201, JSON.stringify(resource.body))
    knownIds = { '/api/v1/orgs/{id}': spareOrg.id, '/api/v1/users/{id}': spareUser.id, '/api/v1/catalog/resources/{id}': resource.body.id }
    const created = await t.request('POST', '/api/v1/apps', { token: world.tokens.requester, body: { name: '坏输入测试应用', ipAllowList: [] } })
    if (created.status === 201) {
      const issued = await t.request('POST', '/api/v1/gateway/token', { body: { appKey: created.body.appKey, appSecret: created.body.appSecret } })
      if (issued.status === 200) appToken = issued.body.accessToken
    }
    // A node enrolled the way an operator and the agent do it, so the agent routes read their bodies
    // behind a real credential instead of refusing everything with 401.
    const node = await t.request('POST', '/api/v1/exchange/nodes', { token: world.tokens.nodeOperator, body: { name: '坏输入测试前置机' } })
    assert.equal(node.status, 201, JSON.stringify(node.body))
    const enrolled = await t.request('POST', '/api/v1/exchange/agent/enrol', {
      body: { token: node.body.enrolmentToken, connections: [], version: 'bad-input' },
    })
    assert.equal(enrolled.status, 200, JSON.stringify(enrolled.body))
    nodeCredential = enrolled.body.credential

    // Every table of the current schema, excluding nothing, gets a probe trigger (in this throwaway
    // test database only) that counts committed row writes per table and operation: a write that is
    // rolled back rolls its count back too. Cheap enough to read after every request, and it sees
    // updates that keep the row count. Row counts are reconciled against it per operation below.
    const tables = await sql<{ name: string }>`
      select table_name as name from information_schema.tables
      where table_schema = current_schema() and table_type = 'BASE TABLE' order by table_name`.execute(t.db)
    tableNames = tables.rows.map((r) => r.name)
    assert.ok(tableNames.length > 5, 'tables found in the current schema')
    await sql
      .raw(`
      create schema ${PROBE};
      create table ${PROBE}.writes (tbl text not null, op text not null, n bigint not null, primary key (tbl, op));
      create function ${PROBE}.count_write() returns trigger language plpgsql as $$
      begin
        insert into ${PROBE}.writes values (tg_table_name, tg_op, 1) on conflict (tbl, op) do update set n = ${PROBE}.writes.n + 1;
        return null;
      end $$;`)
      .execute(t.db)
    for (const name of tableNames) {
      const id = `"${name.replace(/"/g, '""')}"`
      await sql.raw(`create trigger ${PROBE}_rows after insert or update or delete on ${id} for each row execute function ${PROBE}.count_write()`).execute(t.db)
      await sql.raw(`create trigger ${PROBE}_truncate after truncate on ${id} for each statement execute function ${PROBE}.count_write()`).execute(t.db)
    }
  })
  after(() => t?.close())

  const snapshot = async (): Promise<Snapshot> => {
    // One round trip; plain rows, not a JSON object (the CamelCasePlugin would rename its keys).
    const { rows } = await sql<{ tbl: string; op: string; n: string }>`
      select tbl, op, n::text from ${sql.raw(PROBE)}.writes
      union all
      select '', 'tables', count(*)::text || '/' || coalesce(max(c.oid::text::bigint), 0)::text
        from pg_class c join pg_namespace s on s.oid = c.relnamespace
       where c.relkind in ('r', 'p') and s.nspname not in ('pg_catalog', 'information_schema', ${PROBE}) and s.nspname !~ '^pg_'`.execute(t.db)
    // Row triggers fire on the partition (audit_events_YYYYMM, migration 0013): count them as their table.
    const writes = new Map<string, number>()
    for (const row of rows.filter((r) => r.tbl !== '')) {
      const key = `${row.tbl.replace(/^audit_events_\d{6}$/, 'audit_events')}:${row.op}`
      writes.set(key, (writes.get(key) ?? 0) + Number(row.n))
    }
    return { writes, tables: rows.find((row) => row.tbl === '')!.n }
  }

  /** Writes between two snapshots that a refused request (or a GET) must not make. */
  const differences = (op: Operation, before: Snapshot, after: Snapshot) => {
    const changed: string[] = []
    for (const [key, n] of after.writes) {
      const delta = n - (before.writes.get(key) ?? 0)
      if (delta === 0) continue
      const [table, kind] = key.split(':')
      if (table === 'audit_events' && kind === 'INSERT') continue
      if ((op.appAuth || op.isPublic) && GATEWAY_REFUSAL_LOGS.has(table)) continue
      if (op.isPublic && LOGIN_REFUSAL_COUNTERS.has(table)) continue
      if (op.action && CREDENTIAL_CHECK_ACTIONS.has(op.action) && table === 'users' && kind === 'UPDATE') continue
      changed.push(`${table} (${delta} × ${kind})`)
    }
    if (after.tables !== before.tables) changed.push(`the set of tables (count/newest oid ${before.tables} → ${after.tables})`)
    return changed
  }

  /** Row counts of every table of the current schema (plain count(*), no trigger involved). */
  const rowCounts = async () => {
    const query = tableNames
      .map((name) => `select '${name.replace(/'/g, "''")}' as t, count(*)::int as n from "${name.replace(/"/g, '""')}"`)
      .join(' union all ')
    const { rows } = await sql.raw<{ t: string; n: number }>(query).execute(t.db)
    return new Map(rows.map((row) => [row.t, Number(row.n)]))
  }

  /** Row counts must move exactly by the inserts minus deletes the probe saw (so no write escaped it). */
  const reconcile = (countsBefore: Map<string, number>, countsAfter: Map<string, number>, before: Snapshot, after: Snapshot) => {
    const problems: string[] = []
    for (const [table, n] of countsAfter) {
      const delta = (kind: string) => (after.writes.get(`${table}:${kind}`) ?? 0) - (before.writes.get(`${table}:${kind}`) ?? 0)
      const expected = (countsBefore.get(table) ?? 0) + delta('INSERT') - delta('DELETE')
      if (delta('TRUNCATE') === 0 && n !== expected) problems.push(`${table}: ${n} rows, expected ${expected} from the recorded writes`)
    }
    return problems
  }

  async function send(op: Operation, c: Case): Promise<Sent> {
    const headers: Record<string, string> = {}
    if (op.token) headers.authorization = `Bearer ${op.token}`
    if (c.contentType) headers['content-type'] = c.contentType
    const started = performance.now()
    const response = await fetch(t.baseUrl + c.path + c.query, { method: op.method, headers, body: c.body })
    const text = await response.text()
    const ms = performance.now() - started
    let json: unknown
    try {
      json = JSON.parse(text)
    } catch {
      json = undefined
    }
    return { status: response.status, ms, requestId: response.headers.get('x-request-id'), text, json }
  }

  function responseProblems(op: Operation, c: Case, sent: Sent): string[] {
    const problems: string[] = []
    if (sent.ms > MAX_MS) problems.push(`took ${Math.round(sent.ms)} ms`)
    if (!sent.requestId) problems.push('no x-request-id header')
    if (sent.status >= 500) problems.push('server error')
    if (sent.status === 401 && op.token) problems.push('401 with a valid token')
    if (sent.status >= 400) {
      const error = (sent.json as { error?: { code?: unknown; message?: unknown; details?: unknown } } | undefined)?.error
      if (!error || typeof error !== 'object') problems.push('no error envelope')
      else {
        const expected = CODE_OF_STATUS[sent.status] ?? /^[A-Z_]+$/
        if (typeof error.code !== 'string' || !expected.test(error.code)) problems.push(`code ${JSON.stringify(error.code)} for status ${sent.status}`)
        if (typeof error.message !== 'string' || !CJK.test(error.message)) problems.push(`message not Chinese: ${JSON.stringify(error.message)}`)
        if (
          error.details !== undefined &&
          !(Array.isArray(error.details) && error.details.every((d) => typeof d?.field === 'string' && typeof d?.message === 'string'))
        ) {
          problems.push('details is not [{field, message}]')
        }
      }
    } else if (c.invalid) problems.push('accepted input that is invalid by construction (validation hole)')
    return problems
  }

  const describeCase = (op: Operation, c: Case, sent: Sent) => {
    const body =
      c.body === undefined
        ? ''
        : ` ${c.contentType ?? '(no content-type)'} ${String(c.body).slice(0, 160)}${String(c.body).length > 160 ? `…(${c.body.length} chars)` : ''}`
    const url = `${c.path}${c.query}`
    return `${op.method} ${url.length > 200 ? `${url.slice(0, 200)}…` : url} [${c.what}]${body} → ${sent.status} ${sent.text.slice(0, 300)}`
  }

  /** Runs one operation's cases; returns failures (all of them, not just the first) and a status histogram. */
  async function sweep(op: Operation) {
    const failures: string[] = []
    const statuses = new Map<number, number>()
    const countsAtStart = await rowCounts()
    const atStart = await snapshot()
    let baseline = atStart
    const run = async (c: Case) => {
      requestCount++
      let sent: Sent
      try {
        sent = await send(op, c)
        if (sent.ms > MAX_MS && (sent.status >= 400 || op.method === 'GET')) {
          // A loaded machine can stall any one request; an input that is really slow is slow twice.
          const again = await send(op, c)
          sent = { ...sent, ms: Math.min(sent.ms, again.ms) }
        }
      } catch (error) {
        failures.push(`request failed (${(error as Error).message}): ${describeCase(op, c, { status: 0, ms: 0, requestId: null, text: '', json: undefined })}`)
        baseline = await snapshot()
        return
      }
      statuses.set(sent.status, (statuses.get(sent.status) ?? 0) + 1)
      const problems = responseProblems(op, c, sent)
      const after = await snapshot()
      const refused = sent.status >= 400
      if (refused || op.method === 'GET') {
        const changed = differences(op, baseline, after)
        if (changed.length > 0) problems.push(`${refused ? 'refused' : 'GET'} request changed ${changed.join(', ')}`)
      } else accepted.push(`${op.label} as ${op.caller}: ${sent.status} for [${c.what}]`)
      baseline = after
      if (problems.length > 0) failures.push(`${problems.join('; ')}: ${describeCase(op, c, sent)}`)
      if (TRACE) console.log(`${Math.round(sent.ms)}ms ${describeCase(op, c, sent)}`)
    }
    for (const c of fixedCases(op)) await run(c)
    const numRuns = op.isPublic ? LOGIN_RUNS : RUNS
    const arb = randomCaseArb(op)
    if (arb)
      await fc.assert(
        fc.asyncProperty(arb, async (c) => run(c)),
        { numRuns, seed: SEED, endOnFailure: true },
      )
    for (const problem of reconcile(countsAtStart, await rowCounts(), atStart, await snapshot())) failures.push(`row count drift: ${problem}`)
    return { failures, statuses }
  }

  test('operations with inputs are found in the OpenAPI document', async (ctx) => {
    const response = await t.request<OpenApiDoc>('GET', '/api/openapi.json')
    assert.equal(response.status, 200)
    const doc = response.body
    components = doc.components?.schemas ?? {}
    const registry = t.app.routeRegistry
    operations = []
    for (const [path, methods] of Object.entries(doc.paths)) {
      for (const [lower, spec] of Object.entries(methods)) {
        const method = lower.toUpperCase()
        if (!['GET', 'POST', 'PUT', 'PATCH', 'DELETE'].includes(method)) continue
        const url = path.replace(/\{(\w+)\}/g, ':$1')
        const route = registry.find((r) => r.method === method && r.url === url)
        assert.ok(route, `${method} ${path} from the document is registered`)
        const params = spec.parameters ?? []
        const query = params.filter((p) => p.in === 'query')
        const pathParams = params.filter((p) => p.in === 'path')
        const json = spec.requestBody?.content?.[JSON_CT]
        const multipart = !!spec.requestBody?.content?.['multipart/form-data']
        if (!json && !multipart && query.length === 0 && pathParams.length === 0) continue
        if (route.public && !json) continue
        const appAuth = (route as { appAuth?: boolean }).appAuth === true
        const rule = route.action ? ruleOf(route.action) : undefined
        if (!route.public && !rule) continue // the route matrix reports routes without a rule
        let caller: Operation['caller']
        if (route.public) caller = 'anonymous'
        // Node-agent routes take the enrolled node's credential (exchange.test.ts also tries forged and stolen ones).
        else if (appAuth && route.action === 'exchange.agent.call') caller = 'node'
        else if (appAuth) caller = 'app'
        else if (rule!.roles === 'any-user') caller = 'requester'
        else if (rule!.roles.length > 0) caller = USER_OF_ROLE[rule!.roles[0]]
        else continue // no role may call it
        operations.push({
          method,
          path,
          label: `${method} ${path}`,
          action: route.action,
          isPublic: route.public,
          appAuth,
          caller,
          token: caller === 'anonymous' ? undefined : caller === 'app' ? appToken : caller === 'node' ? nodeCredential : world.tokens[caller],
          query,
          pathParams,
          body: json?.schema,
          bodyRequired: spec.requestBody?.required ?? false,
          multipart,
        })
      }
    }
    assert.ok(operations.length >= 5, `only ${operations.length} operations with inputs`)
    assert.ok(
      operations.some((op) => op.path === '/api/v1/auth/login'),
      'login is swept too',
    )
    assert.ok(
      operations.some((op) => op.caller === 'node' && op.path === '/api/v1/exchange/agent/heartbeat'),
      'the node-agent routes are swept with a node credential',
    )
    ctx.diagnostic(`${operations.length} operations with inputs; seed ${SEED} (BAD_INPUT_SEED), ${RUNS} random cases each`)
    if (operations.some((op) => op.appAuth) && !appToken) ctx.diagnostic('no app access token could be obtained: app-token routes are swept without one')
  })

  test('PATCH bodies declare no defaults (a default in a partial update overwrites stored values)', () => {
    const offenders: string[] = []
    for (const op of operations.filter((o) => o.method === 'PATCH' && o.body)) {
      const schema = deref(op.body!)
      for (const [key, sub] of Object.entries(schema.properties ?? {})) {
        if (deref(sub).default !== undefined) offenders.push(`${op.label}: ${key} defaults to ${JSON.stringify(deref(sub).default)}`)
      }
    }
    assert.deepEqual(offenders, [], `PATCH properties with a default (an edit that omits them resets them):\n${offenders.join('\n')}`)
  })

  test('every operation refuses malformed and hostile input cleanly', async (ctx) => {
    const started = performance.now()
    for (const op of operations.filter((o) => !ONLY || o.label.includes(ONLY))) {
      await ctx.test(`${op.label} as ${op.caller}`, async (sub: TestContext) => {
        const { failures, statuses } = await sweep(op)
        sub.diagnostic(
          `statuses ${[...statuses]
            .sort(([a], [b]) => a - b)
            .map(([s, n]) => `${s}×${n}`)
            .join(' ')}`,
        )
        assert.deepEqual(failures, [], `${failures.length} failing cases (seed ${SEED}):\n${failures.join('\n')}`)
      })
    }
    ctx.diagnostic(`sweep: ${requestCount} requests in ${Math.round(performance.now() - started)} ms`)
    if (accepted.length > 0) {
      ctx.diagnostic(`non-GET requests that succeeded (not refused; check none is a validation hole):`)
      for (const line of accepted) ctx.diagnostic(`  ${line.slice(0, 300)}`)
    }
  })

  test('transport-level refusals also use the envelope and carry X-Request-Id', async () => {
    const failures: string[] = []
    const check = async (what: string, path: string) => {
      const response = await fetch(t.baseUrl + path, { headers: { authorization: `Bearer ${world.tokens.sysAdmin}` } })
      const text = await response.text()
      let code: unknown
      try {
        code = JSON.parse(text)?.error?.code
      } catch {}
      if (response.status >= 500 || typeof code !== 'string' || !response.headers.get('x-request-id')) {
        failures.push(`${what}: GET ${path.slice(0, 80)} → ${response.status} ${text.slice(0, 200)} (x-request-id: ${response.headers.get('x-request-id')})`)
      }
    }
    const withPathParam = operations.find((op) => op.method === 'GET' && op.pathParams.length > 0)
    if (withPathParam) {
      await check('malformed percent-encoding in a path parameter', withPathParam.path.replace(/\{\w+\}/, '%E0%A4%A'))
      await check('a lone surrogate (\\ud800 as bytes) in a path parameter', withPathParam.path.replace(/\{\w+\}/, encodeComponent('\ud800')))
      await check('a 101-character path parameter', withPathParam.path.replace(/\{\w+\}/, 'A'.repeat(101)))
    }
    const withQuery = operations.find((op) => op.method === 'GET' && op.query.some((p) => allowedTypes(p.schema)?.has('string')))
    if (withQuery) {
      const param = withQuery.query.find((p) => allowedTypes(p.schema)?.has('string'))!
      await check('a 100 000-character query value', `${buildPath(withQuery)}?${param.name}=${'A'.repeat(100_000)}`)
    }
    assert.deepEqual(failures, [], failures.join('\n'))
  })

  test('the audit chain is intact after the sweep', async () => {
    const verification = await verifyAuditChain(t.db)
    assert.equal(verification.ok, true, `audit chain broken at ${verification.firstBadId}`)
    assert.ok(verification.count > 0, 'refusals were audited')
  })
})
