/**
 * An in-process notice that something changed, for caches to drop what they hold (listeners run after the
 * commit that made the change). Changes made by another process are seen when the cache entry expires.
 */
export function createSignal() {
  const listeners = new Set<() => void>()
  return Object.freeze({
    /** Adds a listener; returns the function that removes it. */
    on(listener: () => void): () => void {
      listeners.add(listener)
      return () => listeners.delete(listener)
    },
    emit() {
      for (const listener of listeners) listener()
    },
  })
}
