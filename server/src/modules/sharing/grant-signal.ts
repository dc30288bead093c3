/**
 * In-process notice that grants changed (created, revoked, suspended, resumed, expired). The data
 * gateway caches grant lookups for at most a second (gateway/ttl-cache.ts); listening here lets a
 * change made in this process take effect on the very next call. Listeners run after the commit.
 */
const listeners = new Set<() => void>()

export function onGrantsChanged(listener: () => void): () => void {
  listeners.add(listener)
  return () => listeners.delete(listener)
}

export function grantsChanged() {
  for (const listener of listeners) listener()
}
