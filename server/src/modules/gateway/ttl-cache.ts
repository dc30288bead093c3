/**
 * A small in-process cache for the gateway's hot lookups (token → app, grant, catalog entry, mount).
 *
 * Bounded staleness is the contract (README "Settings", GOVSHARE_GATEWAY_CACHE_MS): an entry is
 * served for at most `ttlMs` after it was read from the database. Changes made in this process
 * (revoke, suspend, disable, re-upload) call clear() and take effect at once; changes made by another
 * process sharing the database take effect within `ttlMs`. A load that started before a clear() is
 * not stored, so a read racing a revoke cannot put the old state back.
 */
export class TtlCache<V> {
  private readonly entries = new Map<string, { value: V; until: number }>()
  private readonly loading = new Map<string, Promise<V>>()
  private generation = 0

  constructor(
    private readonly ttlMs: number,
    private readonly maxEntries = 10_000,
  ) {}

  /**
   * The cached value of `key`, or the loader's (concurrent misses of one key share one load). Values
   * `keep` refuses (e.g. "not found") are returned but not stored, so what appears is seen at once.
   */
  async get(key: string, load: () => Promise<V>, keep: (value: V) => boolean = (v) => v !== undefined && v !== null, now = Date.now()): Promise<V> {
    if (this.ttlMs <= 0) return load()
    const hit = this.entries.get(key)
    if (hit && hit.until > now) return hit.value
    const pending = this.loading.get(key)
    if (pending) return pending
    const generation = this.generation
    const promise = load().then(
      (value) => {
        this.loading.delete(key)
        if (generation === this.generation && keep(value)) {
          if (this.entries.size >= this.maxEntries) this.entries.clear()
          this.entries.set(key, { value, until: Date.now() + this.ttlMs })
        }
        return value
      },
      (error: unknown) => {
        this.loading.delete(key)
        throw error
      },
    )
    this.loading.set(key, promise)
    return promise
  }

  clear() {
    this.generation++
    this.entries.clear()
    this.loading.clear()
  }
}
