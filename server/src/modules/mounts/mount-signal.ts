/**
 * In-process notice that an entry's mounted data changed (a new batch swapped in, an API registered).
 * The data gateway caches where each entry's data lives for at most a second; listening here makes a
 * change made in this process visible on the very next call. Listeners run after the commit.
 */
const listeners = new Set<() => void>()

export function onMountsChanged(listener: () => void): () => void {
  listeners.add(listener)
  return () => listeners.delete(listener)
}

export function mountsChanged() {
  for (const listener of listeners) listener()
}
