import { createSignal } from '../../platform/signal.ts'

/**
 * The upstream allow-list changed. The gateway caches the list for at most its cache time; listening here
 * makes a removal made in this process apply to the very next call.
 */
const changed = createSignal()

export const onUpstreamHostsChanged = changed.on
export const upstreamHostsChanged = changed.emit
