import { randomInt } from 'node:crypto'
import { withUsccCheck } from '../../../common/uscc.ts'
import type { Role } from '../../../common/roles.ts'
import { hashPassword } from '../platform/auth/passwords.ts'
import { createSession } from '../platform/auth/sessions.ts'
import type { Executor } from '../platform/db/database.ts'
import type { CreateResourceBody } from '../modules/catalog/schemas.ts'

/** Factories: rows with sensible defaults and overrides (Outline's server/test/factories.ts). */

export const TEST_PASSWORD = 'Govshare@2026'
let passwordHash: Promise<string> | undefined
const testPasswordHash = () => (passwordHash ??= hashPassword(TEST_PASSWORD))

let sequence = 0
const next = () => ++sequence

/** A valid 统一社会信用代码 for a government organ of the city (prefix 11, region 370700). */
export const makeUscc = (region = '370700') => withUsccCheck(`11${region}${String(randomInt(1e8, 1e9 - 1)).padStart(9, '0')}`)

export interface OrgRow {
  id: string
  name: string
  code: string | null
  regionCode: string
}

export async function buildOrg(
  db: Executor,
  overrides: Partial<{ name: string; kind: 'authority' | 'department' | 'region'; regionCode: string; parentId: string; code: string | null }> = {},
): Promise<OrgRow> {
  const kind = overrides.kind ?? 'department'
  const regionCode = overrides.regionCode ?? '370700'
  return db
    .insertInto('orgs')
    .values({
      name: overrides.name ?? `测试部门${next()}`,
      code: overrides.code === undefined ? (kind === 'region' ? null : makeUscc(regionCode)) : overrides.code,
      regionCode,
      parentId: overrides.parentId ?? null,
      kind,
    })
    .returning(['id', 'name', 'code', 'regionCode'])
    .executeTakeFirstOrThrow()
}

export interface UserRow {
  id: string
  username: string
  orgId: string
  roles: Role[]
}

export async function buildUser(db: Executor, overrides: { orgId: string; roles: Role[]; username?: string; name?: string }): Promise<UserRow> {
  return db
    .insertInto('users')
    .values({
      username: overrides.username ?? `user${next()}_${randomInt(1e6)}`,
      name: overrides.name ?? '测试用户',
      orgId: overrides.orgId,
      roles: overrides.roles,
      passwordHash: await testPasswordHash(),
      mobile: null,
    })
    .returning(['id', 'username', 'orgId', 'roles'])
    .executeTakeFirstOrThrow()
}

/**
 * An app of an organisation, inserted directly (no secret is ever issued for it): requests name apps
 * (SPEC §7.6); tests that also call the gateway create apps over HTTP to get a secret.
 */
export async function buildAppRow(db: Executor, orgId: string, name = `测试应用${next()}`): Promise<string> {
  const row = await db
    .insertInto('apps')
    .values({ orgId, name, appKey: `gstest${next()}${randomInt(1e8, 1e9 - 1)}`, secretHash: 'unusable', ipAllowList: [] })
    .returning('id')
    .executeTakeFirstOrThrow()
  return row.id
}

/** A login token without going through the password check (login itself is tested in identity). */
export const tokenFor = (db: Executor, user: { id: string }, now = new Date('2026-03-02T02:00:00Z')) => createSession(db, user.id, now, '127.0.0.1')

export async function buildClassNode(db: Executor, code: string, name: string, leadOrgId: string | null = null) {
  const parentCode = code.length === 6 ? code.slice(0, 3) : code.length === 3 ? code.slice(0, 1) : code.slice(0, code.length - 3)
  const depth = code.length === 1 ? 1 : code.length === 3 ? 2 : code.length === 6 ? 3 : 4
  await db
    .insertInto('classNodes')
    .values({ code, name, parentCode, depth, leadOrgId })
    .onConflict((oc) => oc.column('code').doNothing())
    .execute()
}

/** A valid entry body (class 3, mixed share types ⇒ 有条件共享) that each test narrows with overrides. */
/** One information item as API input: a 100-character 无条件共享 string, not sensitive, unless `extra` says otherwise. */
export const itemInput = (name: string, nameEn: string, extra: Record<string, unknown> = {}) => ({
  name,
  nameEn,
  dataType: 'C' as const,
  length: 100,
  shareType: 1 as const,
  sensitive: false,
  piCategory: 'none' as const,
  secret: false,
  isPrimaryKey: false,
  isTimestamp: false,
  basicItem: false,
  ...extra,
})

export function resourceBody(overrides: Partial<CreateResourceBody> = {}): CreateResourceBody {
  return {
    name: `社会组织登记信息${next()}`,
    classCode: '301001',
    abstract: '本市登记的社会团体、民办非企业单位和基金会的登记、变更、注销信息',
    formatClass: 3,
    formatType: 'PostgreSQL',
    shareModeClass: '共享平台方式',
    shareModes: ['api', 'table'],
    openFlag: false,
    updateCycle: 2,
    shareCondition: '仅向承担社会组织监管职责的部门提供',
    shareBasis: '《社会团体登记管理条例》第二十七条',
    relatedCodes: [],
    secret: false,
    dataGrade: '一般数据',
    survey: {},
    dutyRefs: [],
    items: [
      {
        name: '统一社会信用代码',
        nameEn: 'uscc',
        dataType: 'C',
        length: 18,
        shareType: 1,
        sensitive: false,
        piCategory: 'none',
        secret: false,
        isPrimaryKey: true,
        isTimestamp: false,
        basicItem: false,
      },
      {
        name: '组织名称',
        nameEn: 'org_name',
        dataType: 'C',
        length: 200,
        shareType: 1,
        sensitive: false,
        piCategory: 'none',
        secret: false,
        isPrimaryKey: false,
        isTimestamp: false,
        basicItem: false,
      },
      {
        name: '法定代表人身份证号',
        nameEn: 'legal_rep_id',
        dataType: 'C',
        length: 18,
        shareType: 2,
        shareCondition: '用于身份核验',
        sensitive: true,
        piCategory: 'sensitive_personal',
        secret: false,
        isPrimaryKey: false,
        isTimestamp: false,
        basicItem: false,
      },
      {
        name: '更新时间',
        nameEn: 'updated_at',
        dataType: 'T',
        shareType: 1,
        sensitive: false,
        piCategory: 'none',
        secret: false,
        isPrimaryKey: false,
        isTimestamp: true,
        basicItem: false,
      },
    ],
    ...overrides,
  }
}

/** One user per role in one department, plus the authority and a second department. */
export async function buildWorld(db: Executor) {
  const authority = await buildOrg(db, { name: `测试大数据局${next()}`, kind: 'authority' })
  const deptA = await buildOrg(db, { name: `测试公安局${next()}` })
  const deptB = await buildOrg(db, { name: `测试民政局${next()}` })
  await buildClassNode(db, '301001', '测试部门A')
  await buildClassNode(db, '301002', '测试部门B')
  const user = (orgId: string, roles: Role[]) => buildUser(db, { orgId, roles })
  const users = {
    sysAdmin: await user(authority.id, ['SYS_ADMIN']),
    secAdmin: await user(authority.id, ['SEC_ADMIN']),
    auditor: await user(authority.id, ['AUDITOR']),
    authAdmin: await user(authority.id, ['AUTH_ADMIN']),
    deptAdmin: await user(deptA.id, ['DEPT_ADMIN']),
    cataloger: await user(deptA.id, ['CATALOGER']),
    approver: await user(deptA.id, ['APPROVER']),
    requester: await user(deptB.id, ['REQUESTER']),
    nodeOperator: await user(deptA.id, ['NODE_OPERATOR']),
    catalogerB: await user(deptB.id, ['CATALOGER']),
  }
  const tokens = Object.fromEntries(await Promise.all(Object.entries(users).map(async ([key, u]) => [key, await tokenFor(db, u)] as const))) as Record<
    keyof typeof users,
    string
  >
  return { authority, deptA, deptB, users, tokens }
}

type Requester = {
  request: (method: string, path: string, options?: { token?: string; body?: unknown }) => Promise<{ status: number; body: any }>
  db?: Executor
}

/**
 * An upstream that never answers and is never looked up: `.invalid` names do not resolve (RFC 6761 §6.4;
 * the gateway's resolver answers them at once, without asking DNS). Listed straight in the database, as
 * the security administrator would list a department's host.
 */
export const PLACEHOLDER_UPSTREAM = 'http://upstream.invalid/unused'

/** A sample value of an item's data type, for one-row fixture uploads. */
export function sampleValue(item: { dataType: string; length?: number | null }, row = 1): string {
  switch (item.dataType) {
    case 'N':
    case 'Y':
    case 'I':
    case 'F':
    case 'B':
      return String(row)
    case 'D':
      return '2026-01-0' + ((row % 9) + 1)
    case 'T':
      return '2026-01-01 08:00:00'
    case 'L':
      return '是'
    default:
      return `样例${row}`.slice(0, item.length ?? 20)
  }
}

/**
 * Gives a platform-mode entry the active mount publication needs (SPEC §5.4 rule 6): a one-row table for
 * 库表 and 接口 entries with named items (the gateway serves 接口 calls from a mounted table too), else a
 * small file, else (a 接口 entry without items) the placeholder upstream. Tests that need a real upstream
 * start their own server and use publishApiResource.
 */
export async function mountSomething(
  t: Requester,
  token: string,
  resource: { id: string; shareModes: string[]; items: { nameEn: string | null; dataType: string; length: number | null }[] },
) {
  const path = `/api/v1/catalog/resources/${resource.id}/mounts`
  const items = resource.items.filter((i) => i.nameEn)
  let res
  if ((resource.shareModes.includes('table') || resource.shareModes.includes('api')) && items.length > 0) {
    const csv = `${items.map((i) => i.nameEn).join(',')}\n${items.map((i) => sampleValue(i)).join(',')}\n`
    const form = new FormData()
    form.append('file', new Blob([Buffer.from(csv)]), 'sample.csv')
    res = await t.request('POST', `${path}/table`, { token, body: form })
  } else if (resource.shareModes.includes('file')) {
    const form = new FormData()
    form.append('file', new Blob([Buffer.from('样例文件')]), 'sample.txt')
    res = await t.request('POST', `${path}/file`, { token, body: form })
  } else if (resource.shareModes.includes('api')) {
    if (!t.db) throw new Error(`mount ${resource.id}: a 接口 entry without items needs the test database to list the placeholder upstream`)
    await t.db
      .insertInto('upstreamHosts')
      .values({ host: new URL(PLACEHOLDER_UPSTREAM).hostname, port: null, note: '测试占位上游' })
      .onConflict((oc) => oc.doNothing())
      .execute()
    res = await t.request('POST', `${path}/api`, { token, body: { upstreamUrl: PLACEHOLDER_UPSTREAM, method: 'GET', params: [] } })
  } else return
  if (res.status >= 300) throw new Error(`mount ${resource.id} → ${res.status} ${JSON.stringify(res.body)}`)
}

/** One HTTP step of a fixture: throws with the response when it fails, so a broken fixture is loud. */
async function step(t: Requester, method: string, path: string, token: string, body?: unknown) {
  const res = await t.request(method, path, { token, body })
  if (res.status >= 300) throw new Error(`${method} ${path} → ${res.status} ${JSON.stringify(res.body)}`)
  return res.body
}

/**
 * Compiles, submits and publishes an entry over HTTP as the given cataloger and authority; returns the
 * published resource. `mount` replaces mountSomething (e.g. registering an upstream API).
 */
export async function publishResource(
  t: Requester,
  tokens: { cataloger: string; authAdmin: string },
  overrides: Partial<CreateResourceBody> = {},
  mount?: (resource: any) => Promise<unknown>,
) {
  const created = await step(t, 'POST', '/api/v1/catalog/resources', tokens.cataloger, resourceBody(overrides))
  await (mount ? mount(created) : mountSomething(t, tokens.cataloger, created))
  await step(t, 'POST', `/api/v1/catalog/resources/${created.id}/submit`, tokens.cataloger)
  return step(t, 'POST', `/api/v1/catalog/resources/${created.id}/review`, tokens.authAdmin, { decision: 'approve' })
}

/**
 * A published 接口 entry served by an upstream API: SEC_ADMIN lists `allow` (the upstream host, or the
 * range a test name resolves to), the cataloger registers `upstream`, then the entry is published.
 */
export async function publishApiResource(
  t: Requester,
  tokens: { cataloger: string; authAdmin: string; secAdmin: string },
  upstream: { upstreamUrl: string; method?: 'GET' | 'POST'; params?: { name: string; required?: boolean }[]; timeoutMs?: number },
  allow: { host: string; port?: number | null }[],
  overrides: Partial<CreateResourceBody> = {},
) {
  for (const entry of allow) {
    const res = await t.request('POST', '/api/v1/security/upstream-hosts', { token: tokens.secAdmin, body: { port: null, ...entry, note: '测试上游' } })
    // Listed already by an earlier fixture of the same test app.
    if (res.status !== 201 && res.status !== 409) throw new Error(`allow ${entry.host} → ${res.status} ${JSON.stringify(res.body)}`)
  }
  const register = (resource: { id: string }) => step(t, 'POST', `/api/v1/catalog/resources/${resource.id}/mounts/api`, tokens.cataloger, upstream)
  return publishResource(t, tokens, { formatClass: 7, formatType: 'RESTful', shareModes: ['api'], ...overrides }, register)
}

/** New login tokens for every user of a world at `now` (tests that move the clock past the idle timeout). */
export async function refreshTokens(db: Executor, world: { users: Record<string, { id: string }>; tokens: Record<string, string> }, now: Date) {
  for (const [key, user] of Object.entries(world.users)) world.tokens[key] = await tokenFor(db, user, now)
}

/** SPEC §7.10: a case reaches the authority once the parties have negotiated (a note) and one of them escalates it. */
export async function toAuthority(t: Requester, w: { tokens: { approver: string; requester: string } }, caseId: string) {
  await step(t, 'POST', `/api/v1/coordination-cases/${caseId}/notes`, w.tokens.approver, { text: '双方已协商，未达成一致' })
  await step(t, 'POST', `/api/v1/coordination-cases/${caseId}/escalate`, w.tokens.requester, { text: '协商不成，提请主管部门协调' })
}
