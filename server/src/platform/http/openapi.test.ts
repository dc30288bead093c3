import assert from 'node:assert/strict'
import { readdir, readFile } from 'node:fs/promises'
import { join } from 'node:path'
import { after, before, describe, test } from 'node:test'
import { validate } from '@readme/openapi-parser'
import { buildTestApp, type TestApp } from '../../testing/test-app.ts'
import { ERROR_CODES } from './openapi.ts'

/**
 * The served OpenAPI document is the integrators' contract (issue 16): it validates with a third-party
 * validator, names the gateway's query parameters, declares multipart forms, every operation's error
 * responses (the envelope and its codes), examples for the main calls, and the gateway settings.
 */

interface Operation {
  parameters?: { in: string; name: string; schema?: Record<string, unknown> }[]
  requestBody?: { content: Record<string, { schema?: { properties?: Record<string, unknown>; required?: string[] }; example?: unknown }> }
  responses: Record<string, { $ref?: string; content?: Record<string, { example?: unknown }> }>
  security?: unknown[]
  description?: string
}
type Document = { paths: Record<string, Record<string, Operation>>; components: { responses: Record<string, any>; schemas: Record<string, any> } }

let t: TestApp
let doc: Document

before(async () => {
  t = await buildTestApp()
  const served = await t.request('GET', '/api/openapi.json')
  assert.equal(served.status, 200)
  doc = served.body
})
after(() => t.close())

const operations = () => Object.entries(doc.paths).flatMap(([path, methods]) => Object.entries(methods).map(([method, op]) => ({ path, method, op })))
const op = (method: string, path: string) => {
  const found = doc.paths[path]?.[method]
  assert.ok(found, `${method.toUpperCase()} ${path} is in the document`)
  return found
}

test('the served document validates with a third-party OpenAPI validator', async () => {
  const result = await validate(structuredClone(doc) as never)
  assert.equal(result.valid, true, JSON.stringify('errors' in result ? result.errors : result, null, 1).slice(0, 4000))
})

test('the gateway records route documents its query parameters: limit, offset, businessRef and the item lookups', () => {
  const records = op('get', '/api/v1/gateway/resources/{resourceId}/records')
  const query = (records.parameters ?? []).filter((p) => p.in === 'query')
  assert.deepEqual(query.map((p) => p.name).sort(), ['businessRef', 'limit', 'lookup', 'offset'])
  const limit = query.find((p) => p.name === 'limit')!.schema!
  assert.deepEqual([limit.type, limit.minimum, limit.maximum, limit.default], ['integer', 1, 1000, 20])
  const lookup = query.find((p) => p.name === 'lookup') as unknown as { style: string; explode: boolean; schema: { type: string } }
  assert.deepEqual([lookup.style, lookup.explode, lookup.schema.type], ['form', true, 'object'], 'item lookups are free-form ?nameEn=value parameters')
  for (const { path, method, op: o } of operations()) {
    for (const p of o.parameters ?? []) {
      assert.ok(
        !['type', 'additionalProperties', 'description', 'propertyNames'].includes(p.name),
        `${method} ${path}: parameter "${p.name}" is a schema keyword`,
      )
    }
  }
})

test('multipart uploads declare their form fields', () => {
  for (const path of ['/api/v1/catalog/resources/{id}/mounts/table', '/api/v1/catalog/resources/{id}/mounts/file', '/api/v1/catalog/import']) {
    const form = op('post', path).requestBody?.content['multipart/form-data']?.schema
    assert.ok(form, `${path} has a multipart/form-data body`)
    assert.deepEqual(form.required, ['file'], path)
    assert.equal((form.properties!.file as { format?: string }).format, 'binary', path)
  }
  assert.ok(op('post', '/api/v1/catalog/resources/{id}/mounts/table').requestBody!.content['multipart/form-data'].schema!.properties!.skipInvalidRows)
})

test('every operation declares its error responses with the envelope schema and their codes', () => {
  const envelope = doc.components.schemas.ErrorEnvelope
  assert.deepEqual(envelope.required, ['error'])
  assert.deepEqual(envelope.properties.error.required, ['code', 'message'])
  const all = operations()
  assert.ok(all.length >= 80, `${all.length} operations`)
  for (const { path, method, op: o } of all) {
    const label = `${method.toUpperCase()} ${path}`
    const errors = Object.entries(o.responses).filter(([status]) => Number(status) >= 400)
    assert.ok(
      errors.some(([s]) => s === '400'),
      `${label} declares 400`,
    )
    const secured = o.security === undefined || o.security.length > 0
    if (secured) assert.ok(errors.some(([s]) => s === '401') && errors.some(([s]) => s === '403'), `${label} declares 401 and 403`)
    if (path.includes('{'))
      assert.ok(
        errors.some(([s]) => s === '404'),
        `${label} declares 404`,
      )
    for (const [status, response] of errors) {
      // The readiness probe answers 503 with its own report (which check failed), not the error envelope.
      if (path === '/api/health/ready' && status === '503') continue
      assert.equal(response.$ref, `#/components/responses/Error${status}`, `${label} ${status}`)
      const shared = doc.components.responses[`Error${status}`]
      assert.equal(shared.content['application/json'].schema.allOf[0].$ref, '#/components/schemas/ErrorEnvelope')
      assert.deepEqual(shared.content['application/json'].schema.allOf[1].properties.error.properties.code.enum, [
        ...ERROR_CODES[Number(status) as keyof typeof ERROR_CODES],
      ])
    }
  }
  // Public routes say so (no bearer token needed); the rest inherit the bearer requirement.
  assert.deepEqual(op('get', '/api/health').security, [])
  assert.deepEqual(op('post', '/api/v1/auth/login').security, [])
})

test('the documented error codes cover every code the server throws', async () => {
  const root = join(import.meta.dirname, '..', '..')
  const thrown = new Map<string, number>()
  const walk = async (dir: string) => {
    for (const entry of await readdir(dir, { withFileTypes: true })) {
      const path = join(dir, entry.name)
      if (entry.isDirectory()) await walk(path)
      else if (entry.name.endsWith('.ts') && !entry.name.endsWith('.test.ts')) {
        const source = await readFile(path, 'utf8')
        for (const match of source.matchAll(/(?:AppError|GatewayRefusal)\(\s*(\d{3}),\s*'([A-Z_]+)'/g)) thrown.set(`${match[1]} ${match[2]}`, Number(match[1]))
      }
    }
  }
  await walk(root)
  assert.ok(thrown.size >= 20, `${thrown.size} codes found`)
  const missing = [...thrown.keys()].filter((key) => {
    const [status, code] = key.split(' ')
    return !(ERROR_CODES[Number(status) as keyof typeof ERROR_CODES] as readonly string[] | undefined)?.includes(code)
  })
  assert.deepEqual(missing, [], 'codes thrown but not in ERROR_CODES (platform/http/openapi.ts)')
})

test('the main calls carry examples', () => {
  const jsonBody = (o: Operation) => o.requestBody?.content['application/json']
  const okBody = (o: Operation, status: string) => o.responses[status]?.content?.['application/json']
  const login = op('post', '/api/v1/auth/login')
  assert.deepEqual(jsonBody(login)?.example, { username: 'mzj_user', password: 'Govshare@2026' })
  assert.ok(okBody(login, '200')?.example)
  for (const path of ['/api/v1/catalog/resources', '/api/v1/share-requests', '/api/v1/share-requests/{id}/decision', '/api/v1/gateway/token']) {
    assert.ok(jsonBody(op('post', path))?.example, `POST ${path} has a request example`)
  }
  assert.ok(okBody(op('post', '/api/v1/gateway/token'), '200')?.example)
  assert.ok(okBody(op('get', '/api/v1/gateway/resources/{resourceId}/records'), '200')?.example)
})

test('the gateway settings are documented with their parameter keys and defaults', () => {
  assert.match(op('post', '/api/v1/gateway/token').description ?? '', /gateway\.accessTokenSeconds 设定（默认 7200/)
  const records = op('get', '/api/v1/gateway/resources/{resourceId}/records').description ?? ''
  assert.match(records, /gateway\.defaultRateLimitPerMinute 设定（默认 600/)
  assert.match(records, /gateway\.defaultDailyQuota 设定（默认 100000/)
})

describe('the validator is not a rubber stamp', () => {
  test('it rejects the document as it was generated before (schema keywords as query parameters)', async () => {
    const broken = structuredClone(doc) as any
    broken.paths['/api/v1/gateway/resources/{resourceId}/records'].get.parameters.push({ schema: 'object', in: 'query', name: 'type' })
    const result = await validate(broken)
    assert.equal(result.valid, false)
  })
})
