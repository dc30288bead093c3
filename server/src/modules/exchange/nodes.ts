import { randomBytes, timingSafeEqual } from 'node:crypto'
import type { Selectable } from 'kysely'
import { recordAudit } from '../../platform/audit/record.ts'
import { appendAudit } from '../../platform/audit/chain.ts'
import { authorizeLoaded, scopeOf } from '../../platform/auth/policy.ts'
import type { Ctx } from '../../platform/context.ts'
import { sm3Hex } from '../../platform/crypto/sm3.ts'
import type { Db, Executor } from '../../platform/db/database.ts'
import type { ExchangeNodesTable } from '../../platform/db/schema.ts'
import { scopeWhere } from '../../platform/db/scope.ts'
import { AppError, conflict } from '../../platform/http/errors.ts'
import { sql } from 'kysely'

export type NodeRow = Selectable<ExchangeNodesTable>
export type NodeStatus = 'pending' | 'online' | 'degraded' | 'offline' | 'revoked'

// SPEC §6.3 / issue 14: an enrolment token is good for 24 hours and for one enrolment.
const ENROL_TTL_MS = 24 * 60 * 60 * 1000
// Offline after three missed beats; degraded when a beat is late or the agent reports a problem.
const MISSED_BEATS_OFFLINE = 3

const digest = (secret: string) => sm3Hex(`govshare-node:${secret}`)

/** The status the console shows, from the last heartbeat and the agent's own report. */
export function nodeStatus(node: Pick<NodeRow, 'enrolledAt' | 'heartbeatAt' | 'heartbeatSeconds' | 'problem' | 'revokedAt'>, now: Date): NodeStatus {
  if (node.revokedAt) return 'revoked'
  if (!node.enrolledAt) return 'pending'
  if (!node.heartbeatAt) return 'offline'
  const silentMs = now.getTime() - new Date(node.heartbeatAt).getTime()
  const beatMs = node.heartbeatSeconds * 1000
  if (silentMs > MISSED_BEATS_OFFLINE * beatMs) return 'offline'
  if (node.problem || silentMs > 1.5 * beatMs) return 'degraded'
  return 'online'
}

const newEnrolment = (now: Date) => {
  const token = `gse_${randomBytes(24).toString('base64url')}`
  return { token, enrolTokenDigest: digest(token), enrolExpiresAt: new Date(now.getTime() + ENROL_TTL_MS) }
}

/** Registers a node of the actor's organisation; the enrolment token is shown once, only its digest is kept. */
export async function createNode(ctx: Ctx, body: { name: string; note?: string | null; heartbeatSeconds?: number }) {
  return ctx.db.transaction().execute(async (trx) => {
    const taken = await trx.selectFrom('exchangeNodes').select('id').where('orgId', '=', ctx.actor.orgId).where('name', '=', body.name).executeTakeFirst()
    if (taken) throw conflict('本单位已有同名前置机')
    const { token, ...enrolment } = newEnrolment(ctx.now())
    const node = await trx
      .insertInto('exchangeNodes')
      .values({
        orgId: ctx.actor.orgId,
        name: body.name,
        note: body.note ?? null,
        connections: '[]',
        heartbeatSeconds: body.heartbeatSeconds ?? 30,
        createdBy: ctx.actor.userId,
        ...enrolment,
      })
      .returningAll()
      .executeTakeFirstOrThrow()
    await recordAudit(trx, ctx, { action: 'exchange.node.create', objectType: 'exchange_node', objectId: node.id, detail: { name: body.name } })
    return { node, enrolmentToken: token }
  })
}

/** A new enrolment token for a node (lost, or moved to another machine): its credential stops working at once. */
export async function reissueEnrolment(ctx: Ctx, nodeId: string) {
  return ctx.db.transaction().execute(async (trx) => {
    const found = await trx.selectFrom('exchangeNodes').selectAll().where('id', '=', nodeId).forUpdate().executeTakeFirst()
    const node = authorizeLoaded(ctx.actor, 'exchange.node.update', found, '前置机', '只能管理本单位的前置机')
    if (node.revokedAt) throw new AppError(409, 'INVALID_STATE', '该前置机已注销，不能重新签发注册码')
    const { token, ...enrolment } = newEnrolment(ctx.now())
    const updated = await trx
      .updateTable('exchangeNodes')
      .set({ ...enrolment, credentialDigest: null, enrolledAt: null, heartbeatAt: null })
      .where('id', '=', node.id)
      .returningAll()
      .executeTakeFirstOrThrow()
    await recordAudit(trx, ctx, { action: 'exchange.node.update', objectType: 'exchange_node', objectId: node.id, detail: { reissued: true } })
    return { node: updated, enrolmentToken: token }
  })
}

// Jobs that still need their node: it must not be revoked under them (a purge in progress included).
const LIVE_JOB_STATUSES = ['verifying', 'active', 'paused', 'purging'] as const

/**
 * Revokes a node of the actor's organisation: its credential and any unspent enrolment token stop working at
 * once; the row stays, so its runs keep their node. Refused while a job on it still runs or purges.
 */
export async function revokeNode(ctx: Ctx, nodeId: string) {
  return ctx.db.transaction().execute(async (trx) => {
    const found = await trx.selectFrom('exchangeNodes').selectAll().where('id', '=', nodeId).forUpdate().executeTakeFirst()
    const node = authorizeLoaded(ctx.actor, 'exchange.node.revoke', found, '前置机', '只能注销本单位的前置机')
    if (node.revokedAt) throw new AppError(409, 'INVALID_STATE', '该前置机已注销')
    const live = await trx
      .selectFrom('exchangeJobs')
      .select(({ fn }) => fn.countAll<string>().as('n'))
      .where('nodeId', '=', node.id)
      .where('status', 'in', LIVE_JOB_STATUSES)
      .executeTakeFirstOrThrow()
    if (Number(live.n) > 0) throw new AppError(409, 'INVALID_STATE', `该前置机上还有 ${live.n} 个未停止的交换任务，请先停止后再注销`)
    const now = ctx.now()
    const updated = await trx
      .updateTable('exchangeNodes')
      .set({ revokedAt: now, revokedBy: ctx.actor.userId, credentialDigest: null, enrolTokenDigest: null, enrolExpiresAt: null })
      .where('id', '=', node.id)
      .returningAll()
      .executeTakeFirstOrThrow()
    await recordAudit(trx, ctx, { action: 'exchange.node.revoke', objectType: 'exchange_node', objectId: node.id, detail: { name: node.name } })
    return updated
  })
}

/** The nodes the actor's scope covers, with their organisation's name; `orgId` narrows the authority's view. */
export async function listNodes(ctx: Ctx, filter: { orgId?: string } = {}) {
  return ctx.db
    .selectFrom('exchangeNodes as n')
    .innerJoin('orgs as o', 'o.id', 'n.orgId')
    .selectAll('n')
    .select('o.name as orgName')
    .where(scopeWhere(scopeOf(ctx.actor, 'exchange.node.read'), { orgId: sql.ref('n.org_id') }))
    .$if(filter.orgId !== undefined, (qb) => qb.where('n.orgId', '=', filter.orgId!))
    .orderBy('n.createdAt', 'desc')
    .execute()
}

export const findNode = (db: Executor, id: string) => db.selectFrom('exchangeNodes').selectAll().where('id', '=', id).executeTakeFirst()

const refusedEnrolment = () => new AppError(401, 'ENROLMENT_REFUSED', '注册码无效、已过期或已使用，请在控制台重新签发注册码')
const badCredential = () => new AppError(401, 'UNAUTHENTICATED', '前置机凭据无效，请重新注册')

const sameDigest = (a: string, b: string) => a.length === b.length && timingSafeEqual(Buffer.from(a), Buffer.from(b))

/**
 * The agent's one enrolment: the token is spent in the same statement that issues the credential, so a
 * token used twice (a stolen copy, a replay) is refused whichever use comes second; the refusal is audited.
 */
export async function enrolNode(db: Db, now: Date, ip: string, body: { token: string; connections: { name: string; kind: string }[]; version: string }) {
  const tokenDigest = digest(body.token)
  const secret = randomBytes(32).toString('base64url')
  return db
    .transaction()
    .execute(async (trx) => {
      const node = await trx
        .updateTable('exchangeNodes')
        .set({
          enrolTokenDigest: null,
          enrolExpiresAt: null,
          enrolledAt: now,
          heartbeatAt: now,
          connections: JSON.stringify(body.connections),
          agentVersion: body.version,
          problem: null,
        })
        .where('enrolTokenDigest', '=', tokenDigest)
        .where('enrolExpiresAt', '>', now)
        .returning(['id', 'orgId', 'name'])
        .executeTakeFirst()
      const source = { actorId: null, orgId: node?.orgId ?? null, roles: ['NODE'], ip, requestId: null, at: now }
      if (!node) {
        await appendAudit(trx, source, { action: 'exchange.agent.enrol', result: 'denied', objectType: 'exchange_node', detail: { reason: 'token' } })
        return null
      }
      const credential = `gsn_${node.id}.${secret}`
      await trx
        .updateTable('exchangeNodes')
        .set({ credentialDigest: digest(credential) })
        .where('id', '=', node.id)
        .execute()
      await appendAudit(trx, source, {
        action: 'exchange.agent.enrol',
        objectType: 'exchange_node',
        objectId: node.id,
        detail: { connections: body.connections.map((c) => c.name) },
      })
      return { nodeId: node.id, credential }
    })
    .then((result) => {
      if (!result) throw refusedEnrolment()
      return result
    })
}

const CREDENTIAL = /^gsn_([0-9a-f-]{36})\.[A-Za-z0-9_-]{20,100}$/

/** The node a credential belongs to, or 401. */
export async function authenticateNode(db: Executor, authorization: string | undefined): Promise<NodeRow> {
  const credential = authorization?.startsWith('Bearer ') ? authorization.slice(7).trim() : ''
  const match = CREDENTIAL.exec(credential)
  if (!match) throw badCredential()
  const node = await findNode(db, match[1])
  if (!node?.credentialDigest || node.revokedAt || !sameDigest(node.credentialDigest, digest(credential))) throw badCredential()
  return node
}

/** A heartbeat: the time, the connection names the agent has, and any problem it reports (degraded). */
export async function recordHeartbeat(
  db: Executor,
  node: NodeRow,
  now: Date,
  body: { connections: { name: string; kind: string }[]; problem?: string | null },
) {
  await db
    .updateTable('exchangeNodes')
    .set({ heartbeatAt: now, connections: JSON.stringify(body.connections), problem: body.problem ?? null })
    .where('id', '=', node.id)
    .execute()
}
