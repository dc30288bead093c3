/**
 * In-process notice that an organisation changed (disabled, re-enabled, renamed). The data gateway
 * caches which app a token belongs to; listening here makes a disabled organisation's apps and
 * tokens stop on the very next call. Listeners run after the commit.
 */
const listeners = new Set<() => void>()

export function onOrgsChanged(listener: () => void): () => void {
  listeners.add(listener)
  return () => listeners.delete(listener)
}

export function orgsChanged() {
  for (const listener of listeners) listener()
}
