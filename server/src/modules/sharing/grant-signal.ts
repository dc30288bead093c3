import { createSignal } from '../../platform/signal.ts'

/**
 * Emitted after grants changed (created, revoked, suspended, resumed, expired, items suspended). The
 * data gateway caches grant lookups for at most a second (gateway/ttl-cache.ts); listening here lets
 * a change made in this process take effect on the very next call.
 */
const grantSignal = createSignal()

export const onGrantsChanged = grantSignal.on
export const grantsChanged = grantSignal.emit
