import { type MissingPart, missingForSubmission } from '../../../../common/catalog-completeness.ts'
import { RESOURCE_STATUSES } from '../../../../common/catalog.ts'
import { recordAudit } from '../../platform/audit/record.ts'
import type { Actor } from '../../platform/auth/actor.ts'
import { type Action, authorize, authorizeLoaded, can } from '../../platform/auth/policy.ts'
import { workdayDeadline } from '../../platform/calendar/working-days.ts'
import type { Ctx } from '../../platform/context.ts'
import type { Executor, Trx } from '../../platform/db/database.ts'
import { AppError, type ErrorDetail, invalidState, notFound, validationFailed } from '../../platform/http/errors.ts'
import { changedFields, contentOf, searchTokensOf, toStoredItems, versionContent } from './content.ts'
import { activeMountKindsOf } from './mount-kinds.ts'
import { presentResource } from './presenter.ts'
import {
  type ResourceRow,
  findClassNode,
  findLastPublishedBefore,
  findNameClash,
  findResourceVersion,
  findVersion,
  findVisibleResource,
  hasChildClass,
  insertResource,
  insertVersion,
  leadOrgOfClass,
  listVersions,
  lockResource,
  mountSummaries,
  nextSequence,
  visibleInZone,
  updateResource,
  updateVersion,
} from './queries.ts'
import { entriesChanged, publicationChanged } from './publication.ts'
import { closeReviewTasksOnPublish } from './review-tasks.ts'
import { checkDraftRules, checkResourceRules } from './rules.ts'
import type { CreateResourceBody, SearchQuery, UpdateResourceBody } from './schemas.ts'
import { oneSourceWarnings, recordOneSourceCases } from '../elements/index.ts'
import { SEARCH_RESULT_CAP, searchResources } from './search/queries.ts'
import { parseSearch, searchTerms } from './search/text.ts'
import { expansionsOf } from './synonyms/queries.ts'

// Catalog review by the authority: 5 working days (SPEC §7.1 table).
const REVIEW_WORKDAYS = 5

/** Class rules (SPEC §4.1–4.2; API.md): a leaf at 目 level or below; 基础/主题 only for the library's lead department; 部门 only under the department's own node. */
async function classProblems(db: Executor, classCode: string, providerOrgId: string): Promise<ErrorDetail[]> {
  const node = await findClassNode(db, classCode)
  if (!node) return [{ field: 'classCode', message: `分类 ${classCode} 不存在` }]
  if (node.depth < 3 || (await hasChildClass(db, classCode))) {
    return [{ field: 'classCode', message: `请选择末级分类（目或细目），「${node.name}」下还有子分类或层级不够` }]
  }
  const lead = await leadOrgOfClass(db, classCode)
  if (classCode[0] !== '3' && lead !== providerOrgId) {
    return [{ field: 'classCode', message: `「${node.name}」属于基础/主题信息资源，只能由其牵头部门编目` }]
  }
  // SPEC §4.1: a department's own entries go under its own 部门 node (the node, or an ancestor, names it).
  if (classCode[0] === '3' && lead !== null && lead !== providerOrgId) {
    return [{ field: 'classCode', message: `「${node.name}」是其他部门的部门信息资源分类，只能在本部门的分类下编目` }]
  }
  return []
}

/**
 * Validates an entry (rules that need only the entry itself, plus its class and name). A draft saved from
 * the form may still lack parts (`draft`); an imported entry and a submission are checked whole.
 */
async function validateEntry(
  trx: Executor,
  ctx: Ctx,
  body: CreateResourceBody,
  providerOrgId: string,
  knownItemIds: ReadonlySet<string>,
  options: { resourceId?: string; draft?: boolean } = {},
) {
  const { resourceId, draft = false } = options
  const { stored, problems } = toStoredItems(body.items, body.openFlag, knownItemIds)
  const env = { networkZone: ctx.config.networkZone }
  problems.push(...(draft ? checkDraftRules(body, env) : checkResourceRules(body, env)))
  problems.push(...(await classProblems(trx, body.classCode, providerOrgId)))
  if (await findNameClash(trx, providerOrgId, body.name, resourceId)) {
    problems.push({ field: 'name', message: `本单位已有名为「${body.name}」的目录` })
  }
  if (problems.length > 0) return { problems, content: null }
  return { problems, content: versionContent(body, stored) }
}

const fail = (problems: ErrorDetail[]) => validationFailed(problems, problems[0]?.message ?? '输入有误')

/** 409 ENTRY_INCOMPLETE: one code for every submission that still lacks something, the list in the form's words. */
const incomplete = (missing: MissingPart[], others: ErrorDetail[]) =>
  new AppError(409, 'ENTRY_INCOMPLETE', `目录尚缺：${[...new Set(missing.map((m) => m.label))].join('、')}，补全后才能提交审核`, [
    ...missing.map(({ field, message }) => ({ field, message })),
    ...others,
  ])

async function reload(trx: Executor, actor: Actor, id: string) {
  const row = await findVisibleResource(trx, id, actor)
  if (!row) throw notFound('目录')
  return withOneSourceWarnings(trx, actor, row)
}

/** The entry as presented, with its 一数一源 warnings for those who act on them: its provider and the authority. */
async function withOneSourceWarnings(db: Executor, actor: Actor, row: ResourceRow) {
  const presented = presentResource(row, actor, (await mountSummaries(db, [row.resourceId])).get(row.resourceId))
  if (!can(actor, 'catalog.draft.read', row)) return presented
  return { ...presented, oneSourceWarnings: await oneSourceWarnings(db, row) }
}

/** Creates a draft entry in an open transaction; returns its id, or the problems that stop it. */
export async function insertDraft(trx: Trx, ctx: Ctx, body: CreateResourceBody, options: { incomplete?: boolean } = {}) {
  const providerOrgId = ctx.actor.orgId
  const { problems, content } = await validateEntry(trx, ctx, body, providerOrgId, new Set(), { draft: options.incomplete })
  if (!content) return { problems, id: null }
  const { id } = await insertResource(trx, providerOrgId)
  await insertVersion(
    trx,
    {
      ...content,
      resourceId: id,
      version: 1,
      providerOrgId,
      status: 'draft',
      isLatest: true,
      contactName: content.contactName ?? ctx.actor.name,
      changedBy: ctx.actor.userId,
      changedAt: ctx.now(),
      changedFields: changedFields(null, content),
    },
    searchTokensOf(content),
  )
  await recordAudit(trx, ctx, { action: 'catalog.resource.create', objectType: 'resource', objectId: id, detail: { name: body.name } })
  return { problems, id }
}

export async function createResource(ctx: Ctx, body: CreateResourceBody) {
  authorize(ctx.actor, 'catalog.resource.create', { providerOrgId: ctx.actor.orgId })
  return ctx.db.transaction().execute(async (trx) => {
    const { problems, id } = await insertDraft(trx, ctx, body, { incomplete: true })
    if (!id) throw fail(problems)
    return reload(trx, ctx.actor, id)
  })
}

/** Locks an entry for a command: 404 when the actor does not see it (ids do not leak), 403 when it may not act. */
async function lockLatest(trx: Trx, ctx: Ctx, id: string, action: Action) {
  const resource = await lockResource(trx, id)
  const visible = resource ? await findVisibleResource(trx, id, ctx.actor) : undefined
  authorizeLoaded(ctx.actor, action, visible, '目录')
  const latest = (await findVersion(trx, id, resource!.latestVersion))!
  return { resource: resource!, latest }
}

/**
 * Edits an entry. A draft or returned version is edited in place; editing a published or
 * withdrawn entry starts the next version as a draft, and the published one stays visible.
 */
export async function updateEntry(ctx: Ctx, id: string, patch: UpdateResourceBody) {
  return ctx.db.transaction().execute(async (trx) => {
    const { resource, latest } = await lockLatest(trx, ctx, id, 'catalog.resource.update')
    if (latest.status === 'pending_review') throw invalidState('目录正在审核中，不能修改；如需修改请等待审核结果')
    if (resource.code && patch.classCode && patch.classCode !== latest.classCode) {
      throw fail([{ field: 'classCode', message: `目录已发布，资源代码 ${resource.code} 不可变，分类不能修改` }])
    }
    const merged: CreateResourceBody = { ...contentOf(latest), ...patch }
    const knownIds = new Set(latest.items.map((item) => item.id))
    const { problems, content } = await validateEntry(trx, ctx, merged, resource.providerOrgId, knownIds, { resourceId: id, draft: true })
    if (!content) throw fail(problems)

    const inPlace = latest.status === 'draft' || latest.status === 'returned'
    const base = inPlace && latest.version > 1 ? await findVersion(trx, id, latest.version - 1) : inPlace ? null : latest
    const before = base ? versionContent(contentOf(base), base.items) : null
    const fields = changedFields(before, content)
    const audit = { changedBy: ctx.actor.userId, changedAt: ctx.now(), changedFields: fields }
    if (inPlace) {
      await updateVersion(trx, latest.id, { ...content, ...audit, status: 'draft' }, searchTokensOf(content))
    } else {
      const version = latest.version + 1
      await updateVersion(trx, latest.id, { isLatest: false })
      await insertVersion(
        trx,
        {
          ...content,
          ...audit,
          resourceId: id,
          version,
          providerOrgId: resource.providerOrgId,
          status: 'draft',
          isLatest: true,
        },
        searchTokensOf(content),
      )
      await updateResource(trx, id, { latestVersion: version })
    }
    await recordAudit(trx, ctx, { action: 'catalog.resource.update', objectType: 'resource', objectId: id, detail: { fields } })
    return reload(trx, ctx.actor, id)
  })
}

export async function submitResource(ctx: Ctx, id: string) {
  return ctx.db.transaction().execute(async (trx) => {
    const { resource, latest } = await lockLatest(trx, ctx, id, 'catalog.resource.submit')
    if (latest.status !== 'draft' && latest.status !== 'returned') {
      throw invalidState(`目录当前为「${RESOURCE_STATUSES[latest.status as 'draft'] ?? latest.status}」，只有草稿或退回的目录可以提交审核`)
    }
    // Re-check everything: rules or the class tree may have changed since the draft was saved.
    const content = contentOf(latest)
    const { problems } = await validateEntry(trx, ctx, content, resource.providerOrgId, new Set(latest.items.map((i) => i.id)), { resourceId: id, draft: true })
    const missing = missingForSubmission(content, await activeMountKindsOf(trx, id))
    if (missing.length > 0) throw incomplete(missing, problems)
    if (problems.length > 0) throw fail(problems)
    const now = ctx.now()
    const { dueAt } = await workdayDeadline(trx, now, REVIEW_WORKDAYS)
    await updateVersion(trx, latest.id, { status: 'pending_review', submittedAt: now, reviewDueAt: dueAt })
    const warnings = await oneSourceWarnings(trx, latest)
    await recordOneSourceCases(trx, ctx, latest, warnings)
    await recordAudit(trx, ctx, {
      action: 'catalog.resource.submit',
      objectType: 'resource',
      objectId: id,
      detail: { version: latest.version, ...(warnings.length > 0 ? { oneSourceWarnings: warnings.map((w) => w.message) } : {}) },
    })
    return reload(trx, ctx.actor, id)
  })
}

export async function reviewResource(ctx: Ctx, id: string, decision: 'approve' | 'return', comment?: string) {
  const reviewed = await ctx.db.transaction().execute(async (trx) => {
    const { resource, latest } = await lockLatest(trx, ctx, id, 'catalog.resource.review')
    if (latest.status !== 'pending_review') throw invalidState('该目录不在待审核状态（可能已被审核）')
    const now = ctx.now()
    const reviewed = { reviewedBy: ctx.actor.userId, reviewedAt: now, reviewComment: comment ?? null }
    if (decision === 'return') {
      await updateVersion(trx, latest.id, { ...reviewed, status: 'returned' })
    } else {
      // The code is assigned once, at first publication, and never changes (SPEC §4.2).
      const code = resource.code ?? `${latest.classCode}/${String(await nextSequence(trx, latest.classCode)).padStart(4, '0')}`
      if (resource.publishedVersion !== null) {
        const previous = await findVersion(trx, id, resource.publishedVersion)
        if (previous) await updateVersion(trx, previous.id, { status: 'superseded', isPublished: false })
      }
      const previouslyPublished = await findLastPublishedBefore(trx, id, latest.version)
      await updateVersion(trx, latest.id, { ...reviewed, status: 'published', isPublished: true, publishedAt: now })
      await updateResource(trx, id, { code, publishedVersion: latest.version, firstPublishedAt: resource.firstPublishedAt ?? now })
      await closeReviewTasksOnPublish(trx, ctx, id, latest)
      await publicationChanged(trx, ctx, {
        kind: 'published',
        resourceId: id,
        version: latest.version,
        items: latest.items,
        previousItems: previouslyPublished?.items ?? null,
      })
    }
    await recordAudit(trx, ctx, {
      action: 'catalog.resource.review',
      objectType: 'resource',
      objectId: id,
      detail: { decision, version: latest.version },
    })
    // The version reviewed (returned or now published), even where the reviewer sees another one listed.
    return withOneSourceWarnings(trx, ctx.actor, (await findResourceVersion(trx, id, latest.version))!)
  })
  if (decision === 'approve') entriesChanged()
  return reviewed
}

export async function withdrawResource(ctx: Ctx, id: string, reason: string) {
  const withdrawn = await ctx.db.transaction().execute(async (trx) => {
    const { resource } = await lockLatest(trx, ctx, id, 'catalog.resource.withdraw')
    if (resource.publishedVersion === null) throw invalidState('只有已发布的目录可以下架')
    const published = (await findVersion(trx, id, resource.publishedVersion))!
    await updateVersion(trx, published.id, { status: 'withdrawn', isPublished: false, withdrawnReason: reason })
    await updateResource(trx, id, { publishedVersion: null })
    await publicationChanged(trx, ctx, { kind: 'withdrawn', resourceId: id, version: published.version, reason })
    await recordAudit(trx, ctx, { action: 'catalog.resource.withdraw', objectType: 'resource', objectId: id, detail: { reason } })
    return reload(trx, ctx.actor, id)
  })
  entriesChanged()
  return withdrawn
}

export async function getResource(ctx: Ctx, id: string, version?: number) {
  const visible = await findVisibleResource(ctx.db, id, ctx.actor)
  if (!visible || !visibleInZone(ctx.config.networkZone, visible)) throw notFound('目录')
  if (version === undefined || version === visible.version) return withOneSourceWarnings(ctx.db, ctx.actor, visible)
  const row = await findResourceVersion(ctx.db, id, version)
  const ownerView = can(ctx.actor, 'catalog.draft.read', visible)
  if (!row || (!ownerView && !row.publishedAt)) throw notFound('该版本')
  const mounts = (await mountSummaries(ctx.db, [id])).get(id)
  return presentResource({ ...row, publishedVersion: visible.publishedVersion } as ResourceRow, ctx.actor, mounts)
}

export async function searchCatalog(ctx: Ctx, query: SearchQuery) {
  let parsed = null
  if (query.q) {
    const result = parseSearch(query.q, await expansionsOf(ctx.db, searchTerms(query.q)))
    if ('tooShort' in result) throw fail([{ field: 'q', message: `检索词「${result.tooShort}」太短：中文检索词至少两个字` }])
    parsed = result
  }
  const { items, total, totalCapped, beyondCap } = await searchResources(ctx.db, ctx.actor, query, parsed, ctx.config.networkZone)
  if (beyondCap) {
    throw fail([{ field: 'page', message: `检索结果超过 ${SEARCH_RESULT_CAP} 条，只能查看前 ${SEARCH_RESULT_CAP} 条：请增加检索词或筛选条件` }])
  }
  const mounts = await mountSummaries(
    ctx.db,
    items.map((row) => row.resourceId),
  )
  // What the console highlights: each term and the synonyms it was widened with.
  const matchedTerms = [...new Set(parsed?.groups.flat() ?? [])]
  return {
    items: items.map((row) => presentResource(row, ctx.actor, mounts.get(row.resourceId))),
    total,
    totalCapped,
    matchedTerms,
    page: query.page,
    pageSize: query.pageSize,
  }
}

export async function listResourceVersions(ctx: Ctx, id: string) {
  const visible = await findVisibleResource(ctx.db, id, ctx.actor)
  if (!visible || !visibleInZone(ctx.config.networkZone, visible)) throw notFound('目录')
  const ownerView = can(ctx.actor, 'catalog.draft.read', visible)
  const rows = await listVersions(ctx.db, id, ownerView)
  return {
    items: rows.map((row) => {
      const status = row.status === 'superseded' ? 'published' : row.status
      return {
        ...row,
        status: row.status,
        statusLabel: row.status === 'superseded' ? '已被新版本替代' : RESOURCE_STATUSES[status as 'draft'],
        changedAt: new Date(row.changedAt),
        reviewedAt: row.reviewedAt ? new Date(row.reviewedAt) : null,
        publishedAt: row.publishedAt ? new Date(row.publishedAt) : null,
      }
    }),
  }
}
