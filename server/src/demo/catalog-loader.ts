import {
  CreateResourceBody,
  ItemInput,
  type ResourceOut,
  contentOf,
  createResource,
  findVersion,
  reviewResource,
  submitResource,
  updateEntry,
  withdrawResource,
} from '../modules/catalog/index.ts'
import { addDays, beijingInstant } from '../platform/calendar/dates.ts'
import { loadWorkdayLookup } from '../platform/calendar/working-days.ts'
import type { Config } from '../platform/config/config.ts'
import { type Ctx, makeCtx } from '../platform/context.ts'
import type { Db } from '../platform/db/database.ts'
import { AppError } from '../platform/http/errors.ts'
import type { DemoDirectory } from './directory.ts'
import { mountDemoData } from './synthetic-data.ts'
import type { DemoEntry, DemoRevision } from './items.ts'

/**
 * Builds the demo catalog through the catalog's own commands (create, submit, review, edit,
 * withdraw), so every rule applies, on a fixed clock: entries are created and published on working
 * days between March and October 2026, drafts and pending entries in the last weeks before
 * CATALOG_END, so the review deadlines of pending entries still lie ahead.
 */

const CATALOG_START = '2026-03-02'
const LAST_TIMELINE_START = '2026-10-23'
const RECENT_FROM = '2026-11-09'
export const CATALOG_END = '2026-11-20'

/** Working days after a step's predecessor (SPEC §7.1: the authority reviews within 5). */
const GAP = { submit: 1, review: 2, withdraw: 25, revision: 30 } as const
const REVIEWER = 'authority'
const APPROVAL_COMMENT = '审核通过，同意发布。'

interface Step {
  at: Date
  entry: DemoEntry
  action: string
  run(at: Date): Promise<ResourceOut>
}

interface EntryState {
  id: string
  version: number
  mounted?: boolean
}

/** Working days in the demo's window, from the platform calendar (holidays and 调休 included). */
async function workdaysOf(db: Db): Promise<string[]> {
  const isWorkday = await loadWorkdayLookup(db, CATALOG_START, 120)
  const days: string[] = []
  for (let day = CATALOG_START; day <= CATALOG_END; day = addDays(day, 1)) if (isWorkday(day)) days.push(day)
  return days
}

/** Reports a loading step and its counts (the first start prints them while the demo loads). */
export type DemoProgress = (step: string, counts: Record<string, number>) => void

export async function loadCatalog(db: Db, config: Config, directory: DemoDirectory, entries: readonly DemoEntry[], progress: DemoProgress = () => undefined) {
  const workdays = await workdaysOf(db)
  const indexOf = (day: string) => workdays.findIndex((d) => d >= day)
  /** The Beijing time `minutes` after 09:00 on the `index`-th working day. */
  const at = (index: number, minutes: number) => {
    const day = workdays[index]
    if (!day) throw new Error(`the demo schedule runs past ${CATALOG_END}: move an entry's revisions or withdrawal earlier`)
    return new Date(beijingInstant(day, '09:00').getTime() + minutes * 60_000)
  }
  const as = (username: string) => (now: Date) => makeCtx({ db, actor: directory.actor(username), config, now: () => now })
  const asReviewer = as(REVIEWER)

  const timeline = entries.filter((e) => e.lifecycle?.state !== 'draft' && e.lifecycle?.state !== 'pending_review')
  const recent = entries.filter((e) => !timeline.includes(e))
  const lastStart = indexOf(LAST_TIMELINE_START)
  const recentFrom = indexOf(RECENT_FROM)

  const steps: Step[] = []
  entries.forEach((entry, n) => {
    const t = timeline.indexOf(entry)
    let day = t >= 0 ? Math.round((t * lastStart) / Math.max(1, timeline.length - 1)) : recentFrom + recent.indexOf(entry)
    const jitter = (n * 23) % 90
    const state: EntryState = { id: '', version: 0 }
    const asCataloger = as(directory.catalogerOf(entry.provider).username)
    const add = (action: string, minutes: number, run: (now: Date) => Promise<ResourceOut>) => {
      steps.push({ at: at(day, minutes + jitter), entry, action, run: async (now) => keep(state, await run(now)) })
    }
    const submit = () => {
      day += GAP.submit
      add('submit', 60, async (now) => {
        // Publication needs mounted data (SPEC §5.4 rule 6): synthetic rows, once per entry.
        if (!state.mounted) {
          const version = (await findVersion(db, state.id, state.version))!
          await mountDemoData(asCataloger(now), { id: state.id, name: version.name, shareModes: version.shareModes, items: version.items }, n + 1)
          state.mounted = true
        }
        return submitResource(asCataloger(now), state.id)
      })
    }
    const review = (decision: 'approve' | 'return', comment: string) => {
      day += GAP.review
      add(`review:${decision}`, 360, (now) => reviewResource(asReviewer(now), state.id, decision, comment))
    }

    const body = bodyOf(entry, directory)
    add('create', 0, (now) => createResource(asCataloger(now), body))
    const lifecycle = entry.lifecycle ?? { state: 'published' }
    switch (lifecycle.state) {
      case 'draft':
        break
      case 'pending_review':
        submit()
        break
      case 'returned':
        submit()
        review('return', lifecycle.comment)
        break
      case 'withdrawn':
        submit()
        review('approve', APPROVAL_COMMENT)
        day += GAP.withdraw
        add('withdraw', 90, (now) => withdrawResource(asCataloger(now), state.id, lifecycle.reason))
        break
      case 'published':
        submit()
        review('approve', APPROVAL_COMMENT)
        for (const revision of lifecycle.revisions ?? []) {
          day += GAP.revision
          add('revise', 30, (now) => revise(asCataloger(now), state, revision))
          if (revision.publish) {
            submit()
            review('approve', APPROVAL_COMMENT)
          }
        }
        break
    }
  })

  // One clock for the whole catalog: steps run in time order, so the audit chain reads chronologically.
  steps.sort((a, b) => a.at.getTime() - b.at.getTime())
  for (const [index, step] of steps.entries()) {
    // Loading takes a minute on the embedded database: say how far it is every 50 steps.
    if (index > 0 && index % 50 === 0) progress('catalog', { done: index, total: steps.length })
    try {
      await step.run(step.at)
    } catch (error) {
      throw new Error(`demo entry「${step.entry.name}」: ${step.action} at ${step.at.toISOString()} failed: ${explain(error)}`, { cause: error })
    }
  }
}

/**
 * Edits the latest version. The whole entry is sent, as the console does: the stored content with
 * the revision's changes, existing items keeping their ids (grants refer to them) and new ones added.
 */
async function revise(ctx: Ctx, state: EntryState, revision: DemoRevision) {
  const content = contentOf((await findVersion(ctx.db, state.id, state.version))!)
  const items = [...content.items, ...(revision.addItems ?? []).map((item) => ItemInput.parse(item))]
  return updateEntry(ctx, state.id, CreateResourceBody.parse({ ...content, ...revision.patch, items }))
}

function keep(state: EntryState, resource: ResourceOut) {
  state.id = resource.id
  state.version = resource.version
  return resource
}

/** The API body of an entry: its own 目 for class 3, the tenant's space scope, the cataloger's phone as contact. */
function bodyOf(entry: DemoEntry, directory: DemoDirectory): CreateResourceBody {
  const { provider, lifecycle: _lifecycle, ...fields } = entry
  const org = directory.org(provider)
  const classCode = fields.classCode ?? org.classCode
  if (!classCode) throw new Error(`demo entry「${entry.name}」: org "${provider}" has no 目 of its own`)
  const parsed = CreateResourceBody.safeParse({
    ...fields,
    classCode,
    spaceScope: fields.spaceScope ?? (org.regionCode === '370700' ? '全市' : '区县(市)'),
    contactPhone: fields.contactPhone ?? directory.catalogerOf(provider).mobile,
  })
  if (!parsed.success) throw new Error(`demo entry「${entry.name}」is not a valid catalog entry: ${parsed.error.message}`)
  return parsed.data
}

const explain = (error: unknown) =>
  error instanceof AppError ? `${error.code} ${error.message} ${JSON.stringify(error.details ?? [])}` : error instanceof Error ? error.message : String(error)
