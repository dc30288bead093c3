/**
 * An in-process notice with no payload: modules emit one after a commit (grants, organisations or
 * entries changed) and the data gateway drops what it cached, so the change applies to the next call
 * in this process; other processes see it within their cache time.
 */
export function createSignal() {
  const listeners = new Set<() => void>()
  return {
    /** Adds a listener; returns the function that removes it. */
    on(listener: () => void): () => void {
      listeners.add(listener)
      return () => listeners.delete(listener)
    },
    emit() {
      for (const listener of listeners) listener()
    },
  }
}
