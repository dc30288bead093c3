import { resolve } from 'node:path'

/** Every setting of the platform, read once from the environment (documented in README.md). */
export interface Config {
  host: string
  port: number
  /** postgres://… — empty means the embedded PGlite database. */
  databaseUrl: string | null
  dataDir: string
  /** 'auto' loads the Weifang demo into an empty embedded database; 'never' does not. */
  demo: 'auto' | 'never'
  /** The network zone this instance serves (SPEC §8.1): 涉密 data is refused on the 外网 instance. */
  networkZone: 'extranet' | 'intranet'
  sessionIdleMinutes: number
  logLevel: string
  bodyLimitBytes: number
}

export function loadConfig(env: NodeJS.ProcessEnv = process.env): Config {
  const zone = env.GOVSHARE_NETWORK_ZONE ?? 'extranet'
  if (zone !== 'extranet' && zone !== 'intranet') throw new Error('GOVSHARE_NETWORK_ZONE must be extranet or intranet')
  const demo = env.GOVSHARE_DEMO ?? 'auto'
  if (demo !== 'auto' && demo !== 'never') throw new Error('GOVSHARE_DEMO must be auto or never')
  return Object.freeze({
    host: env.HOST ?? '127.0.0.1',
    port: Number(env.PORT ?? 3000),
    databaseUrl: env.DATABASE_URL || null,
    dataDir: resolve(env.GOVSHARE_DATA_DIR ?? 'data/pglite'),
    demo,
    networkZone: zone,
    sessionIdleMinutes: Number(env.GOVSHARE_SESSION_IDLE_MINUTES ?? 30),
    logLevel: env.LOG_LEVEL ?? 'info',
    bodyLimitBytes: Number(env.GOVSHARE_BODY_LIMIT_BYTES ?? 1_048_576),
  })
}
