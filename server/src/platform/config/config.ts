import { resolve } from 'node:path'
import { parseDataKey } from '../crypto/sm4.ts'
import { ipEntryProblem } from '../http/ip-list.ts'

/** Every setting of the platform, read once from the environment (documented in README.md). */
/** The network an instance serves (SPEC §8.1). */
export type NetworkZone = 'extranet' | 'intranet'

export interface Config {
  host: string
  port: number
  /** postgres://… — empty means the embedded PGlite database. */
  databaseUrl: string | null
  dataDir: string
  /** 'auto' loads the Weifang demo into an empty embedded database; 'never' does not. */
  demo: 'auto' | 'never'
  /** The network zone this instance serves (SPEC §8.1): 涉密 data is refused on the 外网 instance. */
  networkZone: NetworkZone
  sessionIdleMinutes: number
  logLevel: string
  bodyLimitBytes: number
  /** Browser origins allowed to call the API cross-origin (CORS); empty = none. */
  corsOrigins: readonly string[]
  /** Strict-Transport-Security max-age in seconds; 0 = header not sent (set it when served over HTTPS). */
  hstsMaxAgeSeconds: number
  /** SM4 master key for data at rest (TOTP secrets, encrypted columns); null = not configured. */
  dataKey: Buffer | null
  /** TOTP is mandatory for approver and administrator roles (SPEC §8.2 S4). */
  totpRequired: boolean
  /** Failed logins per source IP per 15 minutes before 429 RATE_LIMITED. */
  loginFailuresPerIp: number
  /** Failed logins per username per hour before 429 RATE_LIMITED (on top of the 5-failure lockout). */
  loginFailuresPerUser: number
  /** Failed gateway/token requests per source IP per 15 minutes before 429 RATE_LIMITED. */
  tokenFailuresPerIp: number
  /** Failed gateway/token requests per app key per hour before 429 RATE_LIMITED. */
  tokenFailuresPerApp: number
  /** How long a server process may serve a gateway call from its cached app, grant and entry (0–1000 ms). */
  gatewayCacheMs: number
  /** Empty or refused lookups per app per minute (per process) before the app is throttled and flagged; 0 = off. */
  gatewayLookupMissesPerMinute: number
  /** Memory the uploads being parsed may hold together, in bytes; null = 40 % of the V8 heap limit. */
  uploadMemoryBytes: number | null
  /** How long an upload waits for that memory before 503 UPLOAD_BUSY. */
  uploadWaitMs: number
  /** Where signed checkpoints of the audit chain's head are kept, outside the database (platform/audit/checkpoint.ts). */
  auditCheckpointDir: string
  /** Minutes between audit checkpoints (1–1440): events newer than the latest checkpoint are not yet covered. */
  auditCheckpointMinutes: number
  /** Largest upstream API answer the gateway reads (bytes); a larger one is refused (SSRF, issue 13 §4). */
  upstreamMaxBytes: number
  /** Addresses or CIDR ranges that may read GET /metrics without a token (default: loopback only). */
  metricsAllow: readonly string[]
  /** Bearer token that may read GET /metrics from any address; null = none. */
  metricsToken: string | null
  /**
   * Tests only: lets loopback upstreams (127.0.0.0/8) pass when the allow-list names them, so tests can run
   * real upstream servers on 127.0.0.1. No environment variable sets it (loadConfig always gives false), and
   * buildApp refuses it outside node's test runner.
   */
  upstreamLoopbackForTests: boolean
}

/** `https://a.example, http://127.0.0.1:5173` → normalised origins; anything that is not an origin is refused. */
export function parseOrigins(text: string | undefined): string[] {
  const origins: string[] = []
  for (const part of (text ?? '')
    .split(',')
    .map((p) => p.trim())
    .filter(Boolean)) {
    let url: URL
    try {
      url = new URL(part)
    } catch {
      throw new Error(`GOVSHARE_CORS_ORIGINS: ${part} is not an origin (scheme://host[:port])`)
    }
    if (!['http:', 'https:'].includes(url.protocol) || url.origin !== part.replace(/\/$/, '')) {
      throw new Error(`GOVSHARE_CORS_ORIGINS: ${part} is not an origin (scheme://host[:port], no path)`)
    }
    origins.push(url.origin)
  }
  return origins
}

const positiveInt = (name: string, text: string | undefined, fallback: number) => {
  const value = text === undefined || text === '' ? fallback : Number(text)
  if (!Number.isInteger(value) || value < 0) throw new Error(`${name} must be a non-negative integer`)
  return value
}

// A revoked grant or disabled app stops working in other processes within this time: keep it short.
function gatewayCacheMs(text: string | undefined) {
  const ms = positiveInt('GOVSHARE_GATEWAY_CACHE_MS', text, 1000)
  if (ms > 1000) throw new Error('GOVSHARE_GATEWAY_CACHE_MS must be an integer from 0 to 1000')
  return ms
}

function checkpointMinutes(text: string | undefined) {
  const minutes = positiveInt('GOVSHARE_AUDIT_CHECKPOINT_MINUTES', text, 5)
  if (minutes < 1 || minutes > 1440) throw new Error('GOVSHARE_AUDIT_CHECKPOINT_MINUTES must be an integer from 1 to 1440')
  return minutes
}

function upstreamMaxBytes(text: string | undefined) {
  const bytes = positiveInt('GOVSHARE_UPSTREAM_MAX_BYTES', text, 4 * 1024 * 1024)
  if (bytes < 1024) throw new Error('GOVSHARE_UPSTREAM_MAX_BYTES must be at least 1024')
  return bytes
}

/** `127.0.0.1, 10.0.0.0/8, ::1` → entries for the /metrics allow-list; unset = loopback, `none` = no address. */
export function parseMetricsAllow(text: string | undefined): string[] {
  if (text === undefined) return ['127.0.0.1', '::1']
  if (text.trim() === 'none') return []
  return text
    .split(',')
    .map((p) => p.trim())
    .filter(Boolean)
    .map((entry) => {
      const problem = ipEntryProblem(entry)
      if (problem)
        throw new Error(`GOVSHARE_METRICS_ALLOW: ${entry} is ${problem === 'address' ? 'not an IP address or CIDR range' : 'an invalid prefix length'}`)
      return entry
    })
}

function metricsToken(text: string | undefined) {
  if (!text) return null
  if (text.length < 16) throw new Error('GOVSHARE_METRICS_TOKEN must be at least 16 characters')
  return text
}

export function loadConfig(env: NodeJS.ProcessEnv = process.env): Config {
  const zone = env.GOVSHARE_NETWORK_ZONE ?? 'extranet'
  if (zone !== 'extranet' && zone !== 'intranet') throw new Error('GOVSHARE_NETWORK_ZONE must be extranet or intranet')
  const totpRequired = (env.GOVSHARE_TOTP_REQUIRED ?? 'false') === 'true'
  const dataKey = parseDataKey(env.GOVSHARE_DATA_KEY)
  // Without a key no secret can be stored, so nobody who needs TOTP could ever log in.
  if (totpRequired && !dataKey) throw new Error('GOVSHARE_TOTP_REQUIRED=true needs GOVSHARE_DATA_KEY')
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
    corsOrigins: Object.freeze(parseOrigins(env.GOVSHARE_CORS_ORIGINS)),
    hstsMaxAgeSeconds: positiveInt('GOVSHARE_HSTS_MAX_AGE', env.GOVSHARE_HSTS_MAX_AGE, 0),
    dataKey,
    totpRequired,
    loginFailuresPerIp: positiveInt('GOVSHARE_LOGIN_MAX_FAILURES_PER_IP', env.GOVSHARE_LOGIN_MAX_FAILURES_PER_IP, 20),
    loginFailuresPerUser: positiveInt('GOVSHARE_LOGIN_MAX_FAILURES_PER_USER', env.GOVSHARE_LOGIN_MAX_FAILURES_PER_USER, 10),
    tokenFailuresPerIp: positiveInt('GOVSHARE_TOKEN_MAX_FAILURES_PER_IP', env.GOVSHARE_TOKEN_MAX_FAILURES_PER_IP, 20),
    tokenFailuresPerApp: positiveInt('GOVSHARE_TOKEN_MAX_FAILURES_PER_APP', env.GOVSHARE_TOKEN_MAX_FAILURES_PER_APP, 10),
    gatewayCacheMs: gatewayCacheMs(env.GOVSHARE_GATEWAY_CACHE_MS),
    gatewayLookupMissesPerMinute: positiveInt('GOVSHARE_GATEWAY_LOOKUP_MISSES_PER_MINUTE', env.GOVSHARE_GATEWAY_LOOKUP_MISSES_PER_MINUTE, 30),
    uploadMemoryBytes: env.GOVSHARE_UPLOAD_MEMORY_MB ? positiveInt('GOVSHARE_UPLOAD_MEMORY_MB', env.GOVSHARE_UPLOAD_MEMORY_MB, 0) * 1024 * 1024 : null,
    uploadWaitMs: positiveInt('GOVSHARE_UPLOAD_WAIT_MS', env.GOVSHARE_UPLOAD_WAIT_MS, 3000),
    auditCheckpointDir: resolve(env.GOVSHARE_AUDIT_CHECKPOINT_DIR || 'data/audit-checkpoints'),
    auditCheckpointMinutes: checkpointMinutes(env.GOVSHARE_AUDIT_CHECKPOINT_MINUTES),
    upstreamMaxBytes: upstreamMaxBytes(env.GOVSHARE_UPSTREAM_MAX_BYTES),
    metricsAllow: Object.freeze(parseMetricsAllow(env.GOVSHARE_METRICS_ALLOW)),
    metricsToken: metricsToken(env.GOVSHARE_METRICS_TOKEN),
    upstreamLoopbackForTests: false,
  })
}
