import type { Ctx } from '../../platform/context.ts'
import type { Trx } from '../../platform/db/database.ts'
import type { StoredItem } from '../../platform/db/schema.ts'
import { createSignal } from '../../platform/signal.ts'

/**
 * What a publication or a withdrawal changed, for the modules that follow the catalog (sharing: the
 * grants of the entry, SPEC §7.2 "Effect of a change on live grants"). `previousItems` are those of the
 * entry's previously published version (null on a first publication).
 */
export type PublicationChange =
  | { kind: 'published'; resourceId: string; version: number; items: readonly StoredItem[]; previousItems: readonly StoredItem[] | null }
  | { kind: 'withdrawn'; resourceId: string; version: number; reason: string }

type Follower = (trx: Trx, ctx: Ctx, change: PublicationChange) => Promise<void>

// Followers run inside the publishing transaction, so a publication and its effect on grants commit together.
const followers = new Set<Follower>()

/** Registers a follower (a module above catalog calls this when it is registered); returns the unsubscribe. */
export function onPublicationChange(follower: Follower): () => void {
  followers.add(follower)
  return () => followers.delete(follower)
}

export async function publicationChanged(trx: Trx, ctx: Ctx, change: PublicationChange) {
  for (const follower of followers) await follower(trx, ctx, change)
}

/**
 * Emitted after the commit of a publication or withdrawal: the data gateway caches entries for at most
 * a second, and listening here makes the change take effect on the very next call.
 */
const entrySignal = createSignal()

export const onEntriesChanged = entrySignal.on
export const entriesChanged = entrySignal.emit
