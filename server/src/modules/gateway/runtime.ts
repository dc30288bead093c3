import type { Config } from '../../platform/config/config.ts'
import type { Db } from '../../platform/db/database.ts'
import { type ResolveHost, systemResolveHost } from '../../platform/outbound/guarded-request.ts'
import { findPublishedEntry, onEntriesChanged } from '../catalog/index.ts'
import { findDataSource, onMountsChanged } from '../mounts/index.ts'
import { flaggedKeysOf, onObjectionFlagsChanged } from '../objections/index.ts'
import { onOrgsChanged } from '../orgs/index.ts'
import { type UpstreamPolicy, loadUpstreamPolicy, onUpstreamHostsChanged } from '../security/index.ts'
import { findGrantForCall, onGrantsChanged } from '../sharing/index.ts'
import { appListeners } from './app-signal.ts'
import { type AppCaller, accessTokenDigest, lookupAccessToken } from './apps.ts'
import { CallJournal } from '../../platform/audit/call-journal.ts'
import { LookupProbeGuard } from './lookup-probes.ts'
import { GroupCounter } from './rate-limit.ts'
import { TtlCache } from './ttl-cache.ts'

type Entry = Awaited<ReturnType<typeof findPublishedEntry>>
type GrantLookup = Awaited<ReturnType<typeof findGrantForCall>>
type DataSource = Awaited<ReturnType<typeof findDataSource>>
type TokenLookup = Awaited<ReturnType<typeof lookupAccessToken>>

/** Per server instance: the gateway's caches, its shared-counter batcher, its call journal and its lookup-miss counts. */
export class GatewayRuntime {
  readonly counter: GroupCounter
  readonly journal: CallJournal
  readonly probes: LookupProbeGuard
  private readonly tokens: TtlCache<TokenLookup>
  private readonly entries: TtlCache<Entry>
  private readonly grants: TtlCache<GrantLookup>
  private readonly sources: TtlCache<DataSource>
  private readonly upstreamPolicies: TtlCache<UpstreamPolicy>
  private readonly objectionFlags: TtlCache<Set<string> | 'many'>
  private readonly unsubscribe: (() => void)[]
  /** How upstream API calls resolve host names (tests inject one) and how much of an answer they read. */
  readonly upstream: { resolveHost: ResolveHost; maxBytes: number }

  constructor(
    private readonly db: Db,
    private readonly config: Pick<Config, 'gatewayCacheMs' | 'upstreamMaxBytes' | 'upstreamLoopbackForTests' | 'gatewayLookupMissesPerMinute'>,
    resolveHost: ResolveHost = systemResolveHost,
  ) {
    const cacheMs = config.gatewayCacheMs
    this.upstream = Object.freeze({ resolveHost, maxBytes: config.upstreamMaxBytes })
    this.upstreamPolicies = new TtlCache(cacheMs)
    this.counter = new GroupCounter(db)
    this.probes = new LookupProbeGuard(config.gatewayLookupMissesPerMinute)
    this.journal = new CallJournal(db)
    this.tokens = new TtlCache(cacheMs)
    this.entries = new TtlCache(cacheMs)
    this.grants = new TtlCache(cacheMs)
    this.sources = new TtlCache(cacheMs)
    this.objectionFlags = new TtlCache(cacheMs)
    const clearApps = () => this.tokens.clear()
    appListeners.add(clearApps)
    this.unsubscribe = [
      () => appListeners.delete(clearApps),
      onOrgsChanged(clearApps),
      onGrantsChanged(() => this.grants.clear()),
      onMountsChanged(() => this.sources.clear()),
      onUpstreamHostsChanged(() => this.upstreamPolicies.clear()),
      onObjectionFlagsChanged(() => this.objectionFlags.clear()),
      // A publication or withdrawal changes what an entry lets flow, and the grants that follow it.
      onEntriesChanged(() => {
        this.entries.clear()
        this.grants.clear()
      }),
    ]
  }

  /** The app behind a live access token, or null (expiry checked on every call against `now`). */
  async resolveApp(token: string, now: Date): Promise<AppCaller | null> {
    // Keyed by the token's digest: the cache never holds a usable bearer token.
    const digest = accessTokenDigest(token)
    const found = await this.tokens.get(digest, () => lookupAccessToken(this.db, digest))
    if (!found || found.status !== 'active' || found.expiresAt <= now) return null
    return found.caller
  }

  entry(resourceId: string) {
    return this.entries.get(resourceId, () => findPublishedEntry(this.db, resourceId))
  }

  /** Only a usable grant is kept: a new grant, or a refusal's reason, is always read fresh. */
  grant(caller: AppCaller, resourceId: string, today: string) {
    return this.grants.get(
      `${caller.appId}:${resourceId}:${today}`,
      () => findGrantForCall(this.db, caller.orgId, resourceId, today, caller.appId),
      (g) => !!g.usable,
    )
  }

  source(resourceId: string, fresh = false) {
    if (fresh) this.sources.clear()
    return this.sources.get(
      resourceId,
      () => findDataSource(this.db, resourceId),
      (s) => !!(s.table || s.api),
    )
  }

  /** The entry's records flagged 有异议 (an empty set too is kept: most entries have none), or 'many'. */
  flaggedKeys(resourceId: string) {
    return this.objectionFlags.get(
      resourceId,
      () => flaggedKeysOf(this.db, resourceId),
      () => true,
    )
  }

  /** The upstream allow-list, as rules (a removal made in this process applies to the next call). */
  upstreamPolicy() {
    return this.upstreamPolicies.get('policy', () => loadUpstreamPolicy(this.db, this.config as Config))
  }

  async close() {
    for (const off of this.unsubscribe) off()
    await this.journal.idle()
  }
}
