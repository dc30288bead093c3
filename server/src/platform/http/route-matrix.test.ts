import assert from 'node:assert/strict'
import { randomBytes, randomUUID } from 'node:crypto'
import { after, before, describe, test } from 'node:test'
import type { Role } from '../../../../common/roles.ts'
import { ROLES } from '../../../../common/roles.ts'
import { buildApp } from '../../app.ts'
import { buildWorld, tokenFor } from '../../testing/factories.ts'
import { type ApiResponse, buildTestApp, type TestApp } from '../../testing/test-app.ts'
import type { RegisteredRoute } from '../auth/plugin.ts'
import { type Action, POLICY, isAction, ruleOf } from '../auth/policy.ts'

/**
 * The route matrix (STYLE.md §3): generated from what is registered (`app.routeRegistry`) and the
 * one policy table, never from a hand-written list, so a route added by any module is covered.
 */

type World = Awaited<ReturnType<typeof buildWorld>>
type UserKey = keyof World['users']

/** One world user per role (buildWorld gives each exactly one role). */
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
const SHORT: Record<Role | 'anonymous', string> = {
  anonymous: 'anon',
  SYS_ADMIN: 'SYS',
  SEC_ADMIN: 'SEC',
  AUDITOR: 'AUD',
  AUTH_ADMIN: 'AUTH',
  DEPT_ADMIN: 'DEPT',
  CATALOGER: 'CAT',
  APPROVER: 'APPR',
  REQUESTER: 'REQ',
  NODE_OPERATOR: 'NODE',
}

const CJK = /[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff]/
const BODY_METHODS = new Set(['POST', 'PUT', 'PATCH'])

/** Fills `:param` segments (a UUID, or a valid date for `:date`) and wildcards. */
function concretePath(url: string): string {
  return url.replace(/:(\w+)(\([^)]*\))?/g, (_m, name: string) => (name === 'date' || name.endsWith('Date') ? '2031-06-02' : randomUUID())).replace(/\*/g, 'x')
}

function envelopeProblems(response: ApiResponse): string[] {
  const problems: string[] = []
  if (!response.headers.get('x-request-id')) problems.push('no x-request-id header')
  if (response.status >= 400) {
    const error = (response.body as { error?: { code?: unknown; message?: unknown } } | undefined)?.error
    if (!error || typeof error !== 'object') problems.push(`no error envelope: ${JSON.stringify(response.body)?.slice(0, 200)}`)
    else {
      if (typeof error.code !== 'string' || !/^[A-Z_]+$/.test(error.code)) problems.push(`bad error code ${JSON.stringify(error.code)}`)
      if (typeof error.message !== 'string' || error.message.length === 0 || !CJK.test(error.message)) {
        problems.push(`error message not Chinese: ${JSON.stringify(error.message)}`)
      }
    }
  }
  return problems
}

const label = (route: Pick<RegisteredRoute, 'method' | 'url'>) => `${route.method} ${route.url}`
/**
 * Routes authenticated by an app access token instead of a user session (the data gateway): a user
 * session is not a credential there, so every caller of the matrix is refused (401, or 403).
 */
const isAppAuth = (route: RegisteredRoute) => (route as { appAuth?: boolean }).appAuth === true

describe('route matrix: every registered route × every role', () => {
  let t: TestApp
  let world: World
  let routes: RegisteredRoute[]

  before(async () => {
    t = await buildTestApp()
    world = await buildWorld(t.db)
    await t.app.ready()
    routes = [...t.app.routeRegistry].sort((a, b) => a.url.localeCompare(b.url) || a.method.localeCompare(b.method))
  })
  after(() => t.close())

  const guarded = () => routes.filter((r) => !r.public)

  /** A fresh session per call: a route like logout must not spoil the next call of the same role. */
  const freshToken = (role: Role) => tokenFor(t.db, world.users[USER_OF_ROLE[role]], t.clock.now())

  const call = (route: RegisteredRoute, token?: string) =>
    t.request(route.method, concretePath(route.url), { token, body: BODY_METHODS.has(route.method) ? {} : undefined })

  test('the registry is not empty and covers the v1 API', () => {
    assert.ok(guarded().length > 10, `only ${guarded().length} guarded routes registered`)
    assert.ok(
      routes.some((r) => r.url === '/api/v1/auth/login' && r.public),
      'login is registered as public',
    )
  })

  test('every non-public route declares an action that exists in POLICY', (ctx) => {
    const missing = guarded().filter((r) => !r.action || !isAction(r.action))
    assert.deepEqual(
      missing.map((r) => `${label(r)} → ${r.action ?? '(no action)'}`),
      [],
      `routes without a POLICY action:\n${missing.map((r) => `  ${label(r)} (${r.action})`).join('\n')}`,
    )
    // Informational: policy actions that no route uses yet (a rule for a route still to come, or dead).
    const used = new Set(guarded().map((r) => r.action))
    const unused = Object.keys(POLICY).filter((action) => !used.has(action))
    if (unused.length > 0) ctx.diagnostic(`POLICY actions without a route: ${unused.join(', ')}`)
  })

  test('an app with a route that declares neither an action nor public refuses to start', async () => {
    const bad = await buildApp({ db: t.db, dbKind: t.dbKind, config: t.config, clock: t.clock.now })
    bad.get('/api/v1/__matrix-no-action', async () => ({ ok: true }))
    await assert.rejects(async () => {
      await bad.ready()
    }, /__matrix-no-action/)
    await bad.close().catch(() => {})

    const unknown = await buildApp({ db: t.db, dbKind: t.dbKind, config: t.config, clock: t.clock.now })
    // A misspelt action does not compile; this one is forced past the type to prove the run-time check too.
    unknown.post('/api/v1/__matrix-unknown-action', { config: { action: 'matrix.nothing.never' as Action } }, async () => ({ ok: true }))
    await assert.rejects(async () => {
      await unknown.ready()
    }, /__matrix-unknown-action/)
    await unknown.close().catch(() => {})

    // Control: the same construction with a declared action starts.
    const good = await buildApp({ db: t.db, dbKind: t.dbKind, config: t.config, clock: t.clock.now })
    good.get('/api/v1/__matrix-declared', { config: { action: 'identity.session.me' } }, async () => ({ ok: true }))
    await good.ready()
    await good.close()
  })

  test('anonymous → 401, unlisted role → 403, listed role → allowed (never 401 or 5xx)', async (ctx) => {
    const failures: string[] = []
    const rows: string[] = []
    const roleDenied: { requestId: string; action: string; route: string }[] = []
    const columns: (Role | 'anonymous')[] = ['anonymous', ...ROLES]

    for (const route of guarded()) {
      const rule = route.action ? ruleOf(route.action) : undefined
      const cells: string[] = []
      for (const who of columns) {
        const token = who === 'anonymous' ? undefined : await freshToken(who)
        const response = await call(route, token)
        const code = (response.body as { error?: { code?: string } } | undefined)?.error?.code
        cells.push(`${SHORT[who]}=${response.status}`)
        const where = `${label(route)} as ${who}: ${response.status} ${code ?? ''}`
        for (const problem of envelopeProblems(response)) failures.push(`${where}: ${problem}`)
        if (response.status >= 500) {
          failures.push(`${where}: server error ${JSON.stringify(response.body)}`)
          continue
        }
        if (who === 'anonymous') {
          if (response.status !== 401 || code !== 'UNAUTHENTICATED') failures.push(`${where}: expected 401 UNAUTHENTICATED`)
          continue
        }
        if (isAppAuth(route)) {
          if (response.status !== 401 && response.status !== 403) failures.push(`${where}: a user session must not open an app-token route`)
          continue
        }
        if (!rule) {
          if (response.status !== 403) failures.push(`${where}: route without a policy rule must be refused`)
          continue
        }
        const listed = rule.roles === 'any-user' || rule.roles.includes(who)
        if (!listed) {
          if (response.status !== 403 || code !== 'FORBIDDEN') failures.push(`${where}: expected 403 FORBIDDEN (rule roles ${JSON.stringify(rule.roles)})`)
          else roleDenied.push({ requestId: response.headers.get('x-request-id') ?? '', action: route.action!, route: label(route) })
          continue
        }
        if (response.status === 401) failures.push(`${where}: a listed role was refused authentication`)
        if (response.status === 403 && !rule.when) failures.push(`${where}: 403 for a listed role on a rule without \`when\``)
      }
      rows.push(`${label(route).padEnd(56)} ${`${route.action ?? '-'}${isAppAuth(route) ? ' (app token)' : ''}`.padEnd(32)} ${cells.join(' ')}`)
    }

    ctx.diagnostic(`route matrix (${rows.length} routes × ${columns.length} callers):`)
    for (const row of rows) ctx.diagnostic(row)

    // Role refusals are written to the audit chain as 'denied', with the route's action.
    assert.ok(roleDenied.length > 0, 'the matrix produced no role refusal at all')
    const audited = await t.db
      .selectFrom('auditEvents')
      .select(['requestId', 'action', 'result', 'actorId'])
      .where(
        'requestId',
        'in',
        roleDenied.map((d) => d.requestId),
      )
      .execute()
    const byRequest = new Map(audited.map((row) => [row.requestId, row]))
    for (const denied of roleDenied) {
      const row = byRequest.get(denied.requestId)
      if (!row) failures.push(`${denied.route}: role refusal not in the audit chain (request ${denied.requestId})`)
      else if (row.result !== 'denied' || row.action !== denied.action || !row.actorId) {
        failures.push(`${denied.route}: audited as ${row.result} ${row.action} (actor ${row.actorId}), expected denied ${denied.action}`)
      }
    }
    ctx.diagnostic(`${roleDenied.length} role refusals checked in audit_events`)

    assert.deepEqual(failures, [], `${failures.length} matrix failures:\n${failures.join('\n')}`)
  })

  test('public routes answer without a token (never 401, never 5xx)', async () => {
    const failures: string[] = []
    for (const route of routes.filter((r) => r.public)) {
      const response = await call(route)
      if (response.status === 401 && route.url !== '/api/v1/auth/login') failures.push(`${label(route)}: 401 on a public route`)
      if (response.status >= 500) failures.push(`${label(route)}: ${response.status}`)
      for (const problem of envelopeProblems(response)) failures.push(`${label(route)} → ${response.status}: ${problem}`)
    }
    assert.deepEqual(failures, [], failures.join('\n'))
  })

  test('unknown, malformed, revoked and expired tokens get 401 on every route', async () => {
    const failures: string[] = []
    const expect401 = async (kind: string, token: string) => {
      for (const route of guarded()) {
        const response = await call(route, token)
        const code = (response.body as { error?: { code?: string } } | undefined)?.error?.code
        if (response.status !== 401 || code !== 'UNAUTHENTICATED') failures.push(`${kind} token: ${label(route)} → ${response.status} ${code}`)
        for (const problem of envelopeProblems(response)) failures.push(`${kind} token: ${label(route)}: ${problem}`)
      }
    }

    await expect401('unknown', randomBytes(32).toString('base64url'))
    await expect401('overlong', 'a'.repeat(500))

    const revoked = await freshToken('REQUESTER')
    const loggedOut = await t.request('POST', '/api/v1/auth/logout', { token: revoked })
    assert.equal(loggedOut.status, 204, JSON.stringify(loggedOut.body))
    await expect401('revoked', revoked)

    const start = t.clock.now()
    try {
      const idle = await freshToken('SYS_ADMIN')
      const control = await freshToken('SYS_ADMIN')
      t.clock.advanceMinutes(29)
      const stillAlive = await t.request('GET', '/api/v1/auth/me', { token: control })
      assert.equal(stillAlive.status, 200, 'a session idle 29 minutes is still valid')
      t.clock.set(start)
      t.clock.advanceMinutes(31)
      await expect401('expired (31 idle minutes)', idle)
    } finally {
      t.clock.set(start)
    }

    assert.deepEqual(failures, [], failures.join('\n'))
  })
})
