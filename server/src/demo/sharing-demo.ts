import { sql } from 'kysely'
import { SHARE_TYPE } from '../../../common/catalog.ts'
import { createApp, createTokenThrottle, issueAccessToken } from '../modules/gateway/apps.ts'
import { readRecords } from '../modules/gateway/records.ts'
import { GatewayRuntime } from '../modules/gateway/runtime.ts'
import {
  addCaseNote,
  createShareRequest,
  decideShareRequest,
  escalateOverdueRequests,
  openCase,
  requestMoreInfo,
  withdrawShareRequest,
} from '../modules/sharing/index.ts'
import { type AuditEventInput, type AuditSource, appendAudit } from '../platform/audit/chain.ts'
import type { Config } from '../platform/config/config.ts'
import { AppError } from '../platform/http/errors.ts'
import { makeCtx } from '../platform/context.ts'
import type { Db } from '../platform/db/database.ts'
import type { StoredItem } from '../platform/db/schema.ts'
import type { DemoDirectory } from './directory.ts'
import { businessRefOf } from '../platform/http/client-refs.ts'
import { beijingInstant } from '../platform/calendar/dates.ts'

/**
 * Share requests in every state (API.md "Demo data"), made through the sharing commands on dates
 * after the catalog's: granted (by the provider, with masking; and automatically for 无条件 data),
 * pending, need_more_info, rejected with a coordination case, withdrawn, escalated after its deadline,
 * and a coordination case over 不予共享 data. The requester's app then reads the granted data through
 * the gateway on a few working days, so call logs, usage records (办件号) and their audit seals exist.
 */

interface Published {
  resourceId: string
  name: string
  providerOrgId: string
  shareType: number
  shareModes: string[]
  items: StoredItem[]
}

async function publishedEntries(db: Db): Promise<Published[]> {
  return db
    .selectFrom('resourceVersions')
    .select(['resourceId', 'name', 'providerOrgId', 'shareType', 'shareModes', 'items'])
    .where('isPublished', '=', true)
    .orderBy('name')
    .execute()
}

const REQUESTER_APPS: Record<string, string> = {
  mzj_user: '最低生活保障核对系统',
  rsj_user: '就业创业服务系统',
  wcq_user: '潍城区社会救助系统',
}

const WEEK_MS = 7 * 24 * 3600_000
/** The story's last step (the deadline job escalating the overdue request). */
const STORY_END = new Date('2026-11-20T09:00:00+08:00')

/**
 * The sharing story is told in the weeks before the demo is loaded: its dates move forward by whole
 * weeks (weekdays kept) so that its last day falls in the week before `loadedAt`. A request "pending,
 * within its deadline" then is, and 提交时间, 办理过程 and 答复期限 read as one story.
 */
function storyClock(loadedAt: Date) {
  const shiftMs = Math.max(0, Math.floor((loadedAt.getTime() - STORY_END.getTime()) / WEEK_MS)) * WEEK_MS
  const at = (day: string, time = '10:00') => new Date(beijingInstant(day, time).getTime() + shiftMs)
  const dateOf = (day: string) => new Date(at(day, '12:00').getTime() + 8 * 3600_000).toISOString().slice(0, 10)
  /** A 民政 办件号 of that day: MZ, the date, a serial. */
  const businessRefOn = (day: string, serial: string) => `MZ${dateOf(day).replaceAll('-', '')}${serial}`
  return { at, dateOf, businessRefOn }
}

export async function loadSharing(db: Db, config: Config, directory: DemoDirectory, loadedAt = new Date()) {
  const { at, dateOf, businessRefOn } = storyClock(loadedAt)
  const entries = await publishedEntries(db)
  const orgOf = (username: string) => directory.actor(username).orgId
  const ctx = (username: string, when: Date) => makeCtx({ db, actor: directory.actor(username), config, now: () => when })
  const approverOf = async (orgId: string) =>
    (
      await db
        .selectFrom('users')
        .select('username')
        .where('orgId', '=', orgId)
        .where(sql<boolean>`'APPROVER' = any(roles)`)
        .orderBy('username')
        .executeTakeFirstOrThrow()
    ).username

  /** A published entry of another department with the wanted share type and an API mode; the first not used yet. */
  const used = new Set<string>()
  const find = (requester: string, shareType: number, providerName?: RegExp) => {
    const entry = entries.find(
      (e) =>
        !used.has(e.resourceId) &&
        e.providerOrgId !== orgOf(requester) &&
        e.shareType === shareType &&
        e.shareModes.includes('api') &&
        (!providerName || providerName.test(e.name)),
    )
    if (!entry) throw new Error(`demo: no published entry of share type ${shareType} for ${requester}`)
    used.add(entry.resourceId)
    return entry
  }
  // Each requesting department's business system: an 接口 request names the apps its grant is for (SPEC §7.6).
  const apps = new Map<string, Awaited<ReturnType<typeof createApp>>>()
  for (const [requester, name] of Object.entries(REQUESTER_APPS))
    apps.set(requester, await createApp(ctx(requester, at('2026-10-20')), { name, ipAllowList: [] }))
  const apply = (requester: string, entry: Published, when: Date, purpose: '行政依据' | '工作参考' | '数据校核' | '业务协同', dutyBasis: string) =>
    createShareRequest(ctx(requester, when), {
      resourceId: entry.resourceId,
      itemIds: entry.items.filter((item) => item.shareType !== SHARE_TYPE.notShared).map((item) => item.id),
      purpose,
      dutyBasis,
      mode: 'api',
      appIds: [apps.get(requester)!.id],
      validUntil: dateOf('2027-12-31'),
    })

  const counts: Record<string, number> = {}
  const note = (status: string) => (counts[status] = (counts[status] ?? 0) + 1)

  // Granted by the provider, narrowed to items with masking.
  const household = find('mzj_user', 2, /人口|户籍/)
  const granted = await apply('mzj_user', household, at('2026-11-02'), '数据校核', '《社会救助暂行办法》第十一条：最低生活保障家庭经济状况核对')
  await decideShareRequest(ctx(await approverOf(household.providerOrgId), at('2026-11-04', '15:00')), granted.id, {
    decision: 'approve',
    reason: '同意，身份证号、姓名按规则脱敏后提供',
    itemIds: granted.itemIds.slice(0, Math.max(2, granted.itemIds.length - 1)),
  })
  note('granted')
  await readAsApp(db, config, apps.get('mzj_user')!, household.resourceId, [
    { at: at('2026-11-05', '09:12'), businessRef: businessRefOn('2026-11-05', '00031'), query: { limit: '10' } },
    { at: at('2026-11-05', '09:13'), businessRef: businessRefOn('2026-11-05', '00031'), query: { limit: '10', offset: '10' } },
    { at: at('2026-11-06', '14:40'), businessRef: businessRefOn('2026-11-06', '00107'), query: { limit: '5' } },
    // A parameter that is not a granted item: refused, and logged like every call.
    { at: at('2026-11-09', '10:05'), businessRef: businessRefOn('2026-11-09', '00012'), query: { address: '奎文区' } },
    { at: at('2026-11-10', '16:22'), businessRef: businessRefOn('2026-11-10', '00045'), query: { limit: '20' } },
  ])

  // Unconditional data: granted at once.
  await apply('rsj_user', find('rsj_user', 1), at('2026-11-03'), '业务协同', '企业职工参保登记“一件事”联办')
  note('granted')

  // Pending, within its deadline.
  await apply('wcq_user', find('wcq_user', 2), at('2026-11-19', '09:30'), '行政依据', '潍城区城乡低保资格认定')
  note('pending')

  // Waiting for the requester's 补正.
  const incomplete = find('mzj_user', 2)
  const needInfo = await apply('mzj_user', incomplete, at('2026-11-16'), '工作参考', '养老服务补贴资格审核')
  await requestMoreInfo(ctx(await approverOf(incomplete.providerOrgId), at('2026-11-17', '11:00')), needInfo.id, '请补充养老服务补贴政策文件文号及使用范围')
  note('need_more_info')

  // Rejected with reasons, then taken to coordination.
  const refusedEntry = find('rsj_user', 2)
  const refused = await apply('rsj_user', refusedEntry, at('2026-11-05'), '工作参考', '就业困难人员认定')
  await decideShareRequest(ctx(await approverOf(refusedEntry.providerOrgId), at('2026-11-10', '16:20')), refused.id, {
    decision: 'reject',
    reason: '申请用途“工作参考”不足以支持获取个人敏感信息，请明确具体履职事项和法律依据',
  })
  const dispute = await openCase(ctx('rsj_user', at('2026-11-11')), {
    requestId: refused.id,
    statement: '就业困难人员认定须核验申请人家庭情况，属法定职责（《就业促进法》第五十二条）',
  })
  await addCaseNote(ctx(await approverOf(refusedEntry.providerOrgId), at('2026-11-12')), dispute.id, '同意在补充认定文件后，按脱敏方式提供必要信息项')
  note('rejected')

  // Withdrawn by the requester.
  const withdrawn = await apply('mzj_user', find('mzj_user', 2), at('2026-11-06'), '工作参考', '婚姻登记档案核查')
  await withdrawShareRequest(ctx('mzj_user', at('2026-11-09')), withdrawn.id, '已通过线下函调获取，撤回申请')
  note('withdrawn')

  // Not answered in 10 working days: escalated to the authority by the deadline job.
  await apply('rsj_user', find('rsj_user', 2), at('2026-10-26'), '行政依据', '工伤认定调查核实')
  await escalateOverdueRequests(db, at('2026-11-20', '09:00'))
  note('escalated')

  // 不予共享 data needed for a duty: straight to coordination.
  const closed = entries.find((e) => e.shareType === SHARE_TYPE.notShared && e.providerOrgId !== orgOf('wcq_user'))
  if (closed) {
    await openCase(ctx('wcq_user', at('2026-11-18')), { resourceId: closed.resourceId, statement: '辖区困难群众精准帮扶需要核对相关信息，申请协调' })
    note('coordination')
  }
  return counts
}

const stepping = (start: Date, stepMs: number) => {
  let at = start.getTime()
  return () => new Date((at += stepMs))
}

/**
 * Calls of the requester's app through the gateway's own read path, on the given times: each call is
 * checked against its grant, masked, logged and sealed as a live one.
 */
async function readAsApp(
  db: Db,
  config: Config,
  app: { appKey: string; appSecret: string },
  resourceId: string,
  calls: { at: Date; businessRef: string; query: Record<string, string> }[],
) {
  const runtime = new GatewayRuntime(db, { ...config, gatewayCacheMs: 0 })
  const tokenEnv = {
    db,
    dataKey: config.dataKey,
    ip: '10.37.7.21',
    throttle: createTokenThrottle(db),
    limits: { perIp: 0, perApp: 0 },
    denials: { record: (source: AuditSource, event: AuditEventInput) => appendAudit(db, source, event) },
  }
  try {
    let token = { day: '', accessToken: '' }
    for (const [i, call] of calls.entries()) {
      const requestId = `demo-call-${i + 1}`
      // A token a day (they last two hours), as the app's scheduler would fetch them.
      const day = call.at.toISOString().slice(0, 10)
      if (token.day !== day)
        token = { day, accessToken: (await issueAccessToken({ ...tokenEnv, now: call.at, requestId }, app.appKey, app.appSecret)).accessToken }
      const accessToken = token.accessToken
      await readRecords({
        db,
        runtime,
        networkZone: config.networkZone,
        dataKey: config.dataKey,
        // Each reading of the clock a few milliseconds on, so the call log shows a plausible duration.
        now: stepping(call.at, 6),
        sessionIdleMinutes: config.sessionIdleMinutes,
        token: accessToken,
        ip: '10.37.7.21',
        requestId,
        resourceId,
        query: call.query,
        rejected: null,
        businessRef: businessRefOf(call.businessRef, undefined),
        requestBytes: 0,
        log: console,
      }).catch((error: unknown) => {
        if (!(error instanceof AppError) || error.statusCode >= 500) throw error
      })
    }
  } finally {
    await runtime.close()
  }
}
