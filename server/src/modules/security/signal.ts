/**
 * In-process notice that the upstream allow-list changed. The gateway caches the list for at most its
 * cache time; listening here makes a removal made in this process apply to the very next call.
 */
const listeners = new Set<() => void>()

export function onUpstreamHostsChanged(listener: () => void): () => void {
  listeners.add(listener)
  return () => listeners.delete(listener)
}

export function upstreamHostsChanged() {
  for (const listener of listeners) listener()
}
