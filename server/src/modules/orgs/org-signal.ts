import { createSignal } from '../../platform/signal.ts'

/**
 * Emitted after an organisation changed (disabled, re-enabled, renamed). The data gateway caches which
 * app a token belongs to; listening here makes a disabled organisation's apps and tokens stop on the
 * very next call.
 */
const orgSignal = createSignal()

export const onOrgsChanged = orgSignal.on
export const orgsChanged = orgSignal.emit
