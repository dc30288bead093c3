import { sql } from 'kysely'
import { createDemand, fulfilDemand, respondDemand, triageDemand } from '../modules/demands/index.ts'
import { createElement } from '../modules/elements/index.ts'
import { findActiveTableMount } from '../modules/mounts/index.ts'
import { acceptObjection, raiseObjection, verifyObjection } from '../modules/objections/index.ts'
import { addCaseNote, decideCase, escalateCase } from '../modules/sharing/index.ts'
import type { Config } from '../platform/config/config.ts'
import { makeCtx } from '../platform/context.ts'
import type { Db } from '../platform/db/database.ts'
import type { DemandStatus, ObjectionStatus } from '../platform/db/schema.ts'
import type { DemoDirectory } from './directory.ts'

/**
 * Supervision in the Weifang demo (SPEC §6.8–6.10, R-10): the data element registry with its designated
 * source departments (loaded before the catalog, so submissions are checked against it), then, after the
 * sharing activity, objections and demands in each state and a decided coordination case.
 */

const at = (day: string, time = '10:00') => new Date(`${day}T${time}:00+08:00`)

/** The city's obvious 一数一源 designations: element → source department (by org name). */
const ELEMENTS: readonly { name: string; standardRef?: string; aliases: string[]; source: string; note?: string }[] = [
  { name: '公民身份号码', standardRef: 'GB 11643-1999', aliases: ['身份证号', '身份证号码', '居民身份证号码'], source: '潍坊市公安局', note: '人口基础信息库' },
  { name: '统一社会信用代码', standardRef: 'GB 32100-2015', aliases: ['社会信用代码'], source: '潍坊市市场监督管理局', note: '法人基础信息库（市场主体）' },
  { name: '不动产单元号', standardRef: 'GB/T 37346-2019', aliases: ['不动产单元代码'], source: '潍坊市自然资源和规划局', note: '自然资源和空间地理基础信息库' },
  { name: '社会保障卡号', aliases: ['社保卡号'], source: '潍坊市人力资源和社会保障局' },
  { name: '婚姻登记证号', aliases: ['结婚证字号'], source: '潍坊市民政局' },
  { name: '医疗机构登记号', aliases: ['医疗机构执业许可证登记号'], source: '潍坊市卫生健康委员会' },
  { name: '排污许可证编号', aliases: ['排污许可证号'], source: '潍坊市生态环境局' },
  { name: '投资项目统一代码', aliases: ['项目代码'], source: '潍坊市发展和改革委员会' },
  { name: '学籍号', aliases: ['全国学籍号'], source: '潍坊市教育局' },
]

export async function loadDataElements(db: Db, config: Config, directory: DemoDirectory, when: Date) {
  const ctx = makeCtx({ db, actor: directory.actor('authority'), config, now: () => when })
  const orgs = new Map((await db.selectFrom('orgs').select(['id', 'name']).execute()).map((org) => [org.name, org.id]))
  for (const element of ELEMENTS) {
    await createElement(ctx, {
      name: element.name,
      standardRef: element.standardRef,
      aliases: element.aliases,
      sourceOrgId: orgs.get(element.source)!,
      note: element.note,
    })
  }
  return ELEMENTS.length
}

export async function loadSupervision(db: Db, config: Config, directory: DemoDirectory) {
  const ctx = (username: string, when: Date) => makeCtx({ db, actor: directory.actor(username), config, now: () => when })
  const counts: Record<string, number> = {}
  const note = (kind: string, status: ObjectionStatus | DemandStatus) => (counts[`${kind}.${status}`] = (counts[`${kind}.${status}`] ?? 0) + 1)
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

  // Objections on data 市民政局 received under its grant (the household data of the demo's sharing).
  const mzj = directory.actor('mzj_user').orgId
  const grant = await db
    .selectFrom('grants')
    .select(['resourceId', 'itemIds', 'providerOrgId'])
    .where('consumerOrgId', '=', mzj)
    .where('status', '=', 'active')
    .orderBy('createdAt')
    .executeTakeFirst()
  if (grant) {
    const keys = await recordKeys(db, grant.resourceId)
    const provider = await approverOf(grant.providerOrgId)
    const raise = (day: string, key: string, type: 'error' | 'outdated' | 'inconsistent', description: string) =>
      raiseObjection(ctx('mzj_user', at(day)), {
        resourceId: grant.resourceId,
        itemIds: grant.itemIds.slice(0, 2),
        recordKeys: [key],
        type,
        description,
        evidence: [],
      })
    // Accepted and being verified: the record shows 有异议.
    const verifying = await raise('2026-11-23', keys[0], 'error', '低保复核时申请人出示户口簿，姓名与平台数据不一致（户口簿为“王秀英”）')
    await acceptObjection(ctx('authority', at('2026-11-24')), verifying.id, { decision: 'accept', comment: '材料齐全，予以受理' })
    note('objection', 'verifying')
    // Explained by the provider: the data is right.
    const explained = await raise('2026-11-16', keys[1] ?? keys[0], 'outdated', '平台显示的户籍地址为迁出前地址')
    await acceptObjection(ctx('authority', at('2026-11-17')), explained.id, { decision: 'accept' })
    await verifyObjection(ctx(provider, at('2026-11-19')), explained.id, {
      outcome: 'explain',
      comment: '经核查，该居民 2026 年 10 月已迁回原籍，平台数据为最新登记信息',
    })
    note('objection', 'explained')
    // Waiting for the authority's acceptance.
    await raise('2026-11-30', keys[2] ?? keys[0], 'inconsistent', '同一人员在人社参保数据中的出生日期不同')
    note('objection', 'raised')
  }

  // Demands in each state of the matching flow.
  const orgs = new Map((await db.selectFrom('orgs').select(['id', 'name']).execute()).map((org) => [org.name, org.id]))
  const demand = (username: string, day: string, title: string, wantedItems: string[], description: string, dutyBasis: string) =>
    createDemand(ctx(username, at(day)), { title, description, wantedItems, purpose: '行政依据', dutyBasis, urgency: 'normal', appIds: [] })
  await demand(
    'rsj_user',
    '2026-11-30',
    '灵活就业人员登记信息',
    ['姓名', '公民身份号码', '从业类型', '登记日期'],
    '核定灵活就业人员社保补贴需要',
    '《就业促进法》第五十二条',
  )
  note('demand', 'submitted')

  const zrj = orgs.get('潍坊市自然资源和规划局')!
  const assigned = await demand(
    'mzj_user',
    '2026-11-20',
    '不动产登记信息',
    ['不动产单元号', '权利人名称', '坐落', '建筑面积'],
    '最低生活保障家庭经济状况核对需要核验申请人名下房产',
    '《社会救助暂行办法》第十一条',
  )
  await triageDemand(ctx('authority', at('2026-11-23')), assigned.id, { decision: 'assign', providerOrgId: zrj, comment: '属自然资源和规划局职责，请编目挂接' })
  await respondDemand(ctx(await approverOf(zrj), at('2026-11-25')), assigned.id, { decision: 'accept', comment: '已列入本局编目计划' })
  note('demand', 'accepted')

  const ybj = orgs.get('潍坊市医疗保障局')!
  const declined = await demand(
    'mzj_user',
    '2026-11-10',
    '个人医疗费用明细',
    ['姓名', '公民身份号码', '就诊机构', '自付金额'],
    '因病致贫家庭认定需要',
    '《社会救助暂行办法》第二十八条',
  )
  await triageDemand(ctx('authority', at('2026-11-11')), declined.id, { decision: 'assign', providerOrgId: ybj })
  await respondDemand(ctx(await approverOf(ybj), at('2026-11-13')), declined.id, {
    decision: 'decline',
    comment: '诊疗明细属个人敏感信息，仅能提供年度自付金额合计',
  })
  note('demand', 'declined')

  const fulfilledBy = await db
    .selectFrom('resourceVersions')
    .select(['resourceId', 'providerOrgId', 'name'])
    .where('isPublished', '=', true)
    .where('providerOrgId', '=', orgs.get('潍坊市市场监督管理局')!)
    .orderBy('name')
    .executeTakeFirst()
  if (fulfilledBy) {
    const fulfilled = await demand(
      'rsj_user',
      '2026-10-26',
      fulfilledBy.name,
      ['统一社会信用代码', '企业名称', '登记状态'],
      '企业职工参保登记核验需要',
      '《社会保险法》第五十七条',
    )
    await triageDemand(ctx('authority', at('2026-10-27')), fulfilled.id, { decision: 'assign', providerOrgId: fulfilledBy.providerOrgId })
    const scj = await approverOf(fulfilledBy.providerOrgId)
    await respondDemand(ctx(scj, at('2026-10-28')), fulfilled.id, { decision: 'accept' })
    await fulfilDemand(ctx(scj, at('2026-11-06')), fulfilled.id, { resourceId: fulfilledBy.resourceId, comment: '已编目挂接并发布' })
    note('demand', 'fulfilled')
  }
  const rejected = await demand('wcq_user', '2026-11-18', '居民消费记录', ['姓名', '消费金额'], '了解辖区消费情况', '工作需要')
  await triageDemand(ctx('authority', at('2026-11-19')), rejected.id, { decision: 'reject', comment: '非履职必需，且涉及个人信息，不予受理' })
  note('demand', 'rejected')

  // The coordination case of the refused request: negotiated, taken to the authority, decided.
  const kase = await db
    .selectFrom('coordinationCases')
    .select(['id', 'providerOrgId'])
    .where('origin', '=', 'refused_request')
    .orderBy('createdAt')
    .executeTakeFirst()
  if (kase) {
    await addCaseNote(ctx('rsj_user', at('2026-11-13')), kase.id, '补充了就业困难人员认定文件，提供方仍未同意')
    await escalateCase(ctx('rsj_user', at('2026-11-16')), kase.id, '协商未果，提请市大数据局协调')
    // Upheld: the request stays refused (the demo keeps a request in every state); the decision says what would change it.
    await decideCase(ctx('authority', at('2026-11-20')), kase.id, {
      decision: 'uphold_refusal',
      text: '申请所列信息项超出就业困难人员认定所需，维持拒绝；申请方可按认定所需的最少信息项重新申请',
    })
    counts['case.decided'] = 1
  }
  return counts
}

/** A few record keys of an entry's mounted table (its primary-key column, when stored in clear). */
async function recordKeys(db: Db, resourceId: string): Promise<string[]> {
  const entry = await db
    .selectFrom('resourceVersions')
    .select('items')
    .where('resourceId', '=', resourceId)
    .where('isPublished', '=', true)
    .executeTakeFirstOrThrow()
  const key = entry.items.find((item) => item.isPrimaryKey)
  const mount = await findActiveTableMount(db, resourceId)
  const column = mount?.columns.find((c) => c.itemId === key?.id && !c.sealed)
  if (!mount || !column) return ['370702198001010011', '370705197502020022', '370781199003030033']
  const rows = await sql<{ key: string }>`select ${sql.ref(column.column)}::text as key from ${sql.raw(mount.tableName)} order by 1 limit 3`.execute(db)
  return rows.rows.map((row) => row.key)
}
