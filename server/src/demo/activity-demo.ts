import { sql } from 'kysely'
import { SHARE_TYPE } from '../../../common/catalog.ts'
import { createRun, issueNotices, respondNotice } from '../modules/evaluation/index.ts'
import { CallJournal } from '../platform/audit/call-journal.ts'
import { addDays, beijingDateTime, endOfBeijingDay } from '../platform/calendar/dates.ts'
import { deadlineWith, loadWorkdayLookup } from '../platform/calendar/working-days.ts'
import type { Config } from '../platform/config/config.ts'
import { makeCtx } from '../platform/context.ts'
import type { Db } from '../platform/db/database.ts'
import { seededRandom } from '../platform/seeded-random.ts'
import type { DemoDirectory } from './directory.ts'

/**
 * A year of recorded activity (2026) so the evaluation page has something to rank (SPEC §9): each
 * providing department gets a diligence that decides how often its clocks are kept — data batches on
 * its update cycle, conditional requests answered in time, catalog update tasks done within 15 WD —
 * and the approved requests are used through the gateway every week (written and sealed by the
 * gateway's call journal). Then the authority runs the quarterly and annual evaluations and issues the
 * third quarter's rectification notices, some of which the departments answer.
 */

const START = '2026-03-02'
const END = '2026-11-30'
const CYCLE_DAYS: Record<number, number> = { 2: 1, 3: 7, 4: 30, 5: 91, 6: 182, 7: 365 }
const bj = (day: string, time = '10:00') => new Date(`${day}T${time}:00+08:00`)

export async function loadActivity(db: Db, config: Config, directory: DemoDirectory) {
  const rnd = seededRandom(20_260_101)
  const pick = <T>(xs: readonly T[]) => xs[Math.floor(rnd() * xs.length)]!
  const isWorkday = await loadWorkdayLookup(db, '2026-01-01', 300)
  const entries = await db
    .selectFrom('resourceVersions as v')
    .leftJoin('mounts as m', (join) => join.onRef('m.resourceId', '=', 'v.resourceId').on('m.kind', '=', 'table'))
    .select(['v.resourceId', 'v.version', 'v.name', 'v.providerOrgId', 'v.updateCycle', 'v.shareType', 'm.id as mountId', 'm.activeTable'])
    .where('v.isPublished', '=', true)
    .orderBy('v.name')
    .execute()
  const providers = [...new Set(entries.map((e) => e.providerOrgId))].sort()
  const diligence = new Map(providers.map((p) => [p, 0.5 + 0.5 * rnd()]))
  // Departments other than those of the demo's named journeys (their apps' call lists stay as the walkthrough tells).
  const requesters = await db
    .selectFrom('users')
    .select(['id', 'orgId'])
    .where(sql<boolean>`'REQUESTER' = any(roles)`)
    .where('orgId', 'not in', db.selectFrom('apps').select('orgId'))
    .orderBy('username')
    .execute()

  // Data batches on each table mount's update cycle; a less diligent department misses some.
  const batches: object[] = []
  for (const e of entries) {
    const every = CYCLE_DAYS[e.updateCycle]
    if (!e.mountId || !every) continue
    const keeps = diligence.get(e.providerOrgId)!
    await db
      .updateTable('mounts')
      .set({ createdAt: bj(START, '09:00') })
      .where('id', '=', e.mountId)
      .execute()
    for (let day = START; day <= END; ) {
      batches.push({
        mountId: e.mountId,
        tableName: e.activeTable ?? 'demo',
        status: 'replaced',
        rowsLoaded: 100,
        startedAt: bj(day, '01:00'),
        finishedAt: bj(day, '01:05'),
      })
      day = addDays(day, rnd() < keeps ? every : every + 1 + Math.floor(rnd() * Math.max(2, every)))
    }
  }
  for (let i = 0; i < batches.length; i += 1000)
    await db
      .insertInto('mountBatches')
      .values(batches.slice(i, i + 1000) as never)
      .execute()

  // Conditional requests each month, answered in time or not, and the weekly calls of the approved ones.
  const conditional = entries.filter((e) => e.shareType !== SHARE_TYPE.unconditional)
  const journal = new CallJournal(db)
  const calls: Promise<void>[] = []
  let requests = 0
  for (let month = 3; month <= 11; month++) {
    for (const provider of providers) {
      const own = conditional.filter((e) => e.providerOrgId === provider)
      const asking = requesters.filter((r) => r.orgId !== provider)
      if (own.length === 0 || asking.length === 0) continue
      for (let n = Math.floor(rnd() * 3); n > 0; n--) {
        const entry = pick(own)
        const requester = pick(asking)
        const day = `2026-${String(month).padStart(2, '0')}-${String(1 + Math.floor(rnd() * 26)).padStart(2, '0')}`
        const createdAt = bj(day)
        const { dueAt, dueDate } = deadlineWith(isWorkday, createdAt, 10)
        const onTime = rnd() < diligence.get(provider)!
        const escalated = !onTime && rnd() < 0.4
        const reject = rnd() < 0.15
        const decidedAt = escalated
          ? null
          : new Date(onTime ? createdAt.getTime() + (1 + Math.floor(rnd() * 8)) * 86_400_000 : dueAt.getTime() + (1 + Math.floor(rnd() * 5)) * 86_400_000)
        if (decidedAt && decidedAt > bj(END, '18:00')) continue
        requests++
        const approver = await db
          .selectFrom('users')
          .select('id')
          .where('orgId', '=', provider)
          .where(sql<boolean>`'APPROVER' = any(roles)`)
          .orderBy('username')
          .executeTakeFirst()
        await db
          .insertInto('shareRequests')
          .values({
            no: `SQ${day.replaceAll('-', '')}9${String(requests).padStart(3, '0')}`,
            resourceId: entry.resourceId,
            resourceVersion: entry.version,
            providerOrgId: provider,
            requesterOrgId: requester.orgId,
            requesterId: requester.id,
            itemIds: [],
            purpose: '业务协同',
            dutyBasis: '《潍坊市政务信息资源共享管理办法》第十二条',
            mode: 'api',
            validUntil: '2027-12-31',
            status: escalated ? 'escalated' : reject ? 'rejected' : 'granted',
            shareType: 2,
            dueAt,
            dueDate,
            decision: decidedAt ? (reject ? 'reject' : 'approve') : null,
            decisionReason: decidedAt && reject ? '申请用途与所列职责依据不一致' : null,
            decidedBy: decidedAt ? (approver?.id ?? null) : null,
            decidedAt,
            escalatedAt: escalated ? new Date(dueAt.getTime() + 60_000) : null,
            createdAt,
          })
          .execute()
        if (!decidedAt || reject) continue
        for (let week = decidedAt.getTime() + 86_400_000; week < bj(END, '18:00').getTime(); week += 7 * 86_400_000) {
          for (let c = Math.floor(rnd() * 6); c > 0; c--) {
            const at = new Date(week + Math.floor(rnd() * 5) * 86_400_000 + Math.floor(rnd() * 8 * 3_600_000))
            calls.push(
              journal.record({
                requestInAt: at,
                responseOutAt: new Date(at.getTime() + 40),
                consumerOrgId: requester.orgId,
                providerOrgId: provider,
                resourceId: entry.resourceId,
                rowsReturned: 1 + Math.floor(rnd() * 20),
                result: 'success',
                requestBytes: 200,
                responseBytes: 2_000,
              }),
            )
          }
        }
      }
    }
  }
  await Promise.all(calls)
  await journal.idle()

  // a law revision in April opens an update task for a few entries of each provider.
  let tasks = 0
  const authorityUser = directory.actor('authority')
  for (const provider of providers) {
    const occurredAt = bj('2026-04-01')
    const event = await db
      .insertInto('catalogChangeEvents')
      .values({ orgId: provider, kind: 'law_revision', occurredAt, description: '《山东省政务信息资源管理办法》修订', createdBy: authorityUser.userId })
      .returning('id')
      .executeTakeFirstOrThrow()
    const { dueAt, dueDate } = deadlineWith(isWorkday, occurredAt, 15)
    for (const entry of entries.filter((e) => e.providerOrgId === provider).slice(0, 3)) {
      const onTime = rnd() < diligence.get(provider)!
      const doneAt = onTime
        ? bj(addDays('2026-04-01', 5 + Math.floor(rnd() * 10)))
        : rnd() < 0.8
          ? new Date(dueAt.getTime() + (3 + Math.floor(rnd() * 20)) * 86_400_000)
          : null
      await db
        .insertInto('catalogReviewTasks')
        .values({
          eventId: event.id,
          resourceId: entry.resourceId,
          orgId: provider,
          dueDate,
          dueAt,
          status: doneAt ? 'done' : 'open',
          resolution: doneAt ? 'updated' : null,
          doneBy: null,
          doneAt,
        })
        .execute()
      tasks++
    }
  }

  // The authority's evaluations: three closed quarters, the third quarter's notices, then the year so far.
  const asAuthority = (at: Date) => makeCtx({ db, actor: authorityUser, config, now: () => at })
  const runs = []
  for (const [from, to, label, at] of [
    ['2026-01-01', '2026-03-31', '2026年第一季度', '2026-04-08'],
    ['2026-04-01', '2026-06-30', '2026年第二季度', '2026-07-08'],
    ['2026-07-01', '2026-09-30', '2026年第三季度', '2026-10-12'],
  ] as const) {
    runs.push(await createRun(asAuthority(bj(at)), { from, to, label }))
  }
  const notices = await issueNotices(asAuthority(bj('2026-10-13')), runs[2]!.id)
  let answered = 0
  for (const notice of notices.items.filter(() => rnd() < 0.5)) {
    const admin = await db
      .selectFrom('users')
      .select('username')
      .where('orgId', '=', notice.orgId)
      .where(sql<boolean>`'DEPT_ADMIN' = any(roles)`)
      .orderBy('username')
      .executeTakeFirst()
    if (!admin) continue
    await respondNotice(
      makeCtx({ db, actor: directory.actor(admin.username), config, now: () => bj('2026-10-28') }),
      notice.id,
      '已明确专人负责数据更新和申请答复，建立周调度机制',
    )
    answered++
  }
  const today = beijingDateTime(new Date()).date
  const yearEnd = today < '2026-12-31' ? endOfBeijingDay(today) : bj('2027-01-05')
  runs.push(await createRun(asAuthority(new Date(Math.min(yearEnd.getTime(), Date.now()))), { from: '2026-01-01', to: '2026-12-31', label: '2026年度' }))
  return { batches: batches.length, requests, calls: calls.length, tasks, runs: runs.length, notices: notices.items.length, answered }
}
