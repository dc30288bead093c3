import type pg from 'pg'
import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client'

/**
 * The process's Prometheus metrics (`GET /metrics`). One registry per process, like the process it
 * describes: several apps built in one test process add to the same series, so tests compare deltas.
 */
export const metricsRegistry = new Registry()
collectDefaultMetrics({ register: metricsRegistry, prefix: 'govshare_' })

// Seconds: API answers are mostly milliseconds, uploads and exports take seconds.
const LATENCY_BUCKETS = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30]

export const httpRequests = new Counter({
  name: 'govshare_http_requests_total',
  help: 'HTTP requests answered, by method, route pattern and status code',
  labelNames: ['method', 'route', 'status'] as const,
  registers: [metricsRegistry],
})

export const httpDuration = new Histogram({
  name: 'govshare_http_request_duration_seconds',
  help: 'Time from request received to response sent, by method and route pattern',
  labelNames: ['method', 'route'] as const,
  buckets: LATENCY_BUCKETS,
  registers: [metricsRegistry],
})

export const gatewayCalls = new Counter({
  name: 'govshare_gateway_calls_total',
  help: 'Data gateway record reads by outcome (ok, unauthenticated, denied, not_found, throttled, refused, upstream_failed, error)',
  labelNames: ['outcome'] as const,
  registers: [metricsRegistry],
})

export const journalBatchSize = new Histogram({
  name: 'govshare_call_journal_batch_size',
  help: 'Gateway calls written and sealed into the audit chain per call-log batch',
  buckets: [1, 2, 5, 10, 20, 50, 100, 200],
  registers: [metricsRegistry],
})

export const jobRuns = new Counter({
  name: 'govshare_job_runs_total',
  help: 'Background task runs by task and result (ok or failed)',
  labelNames: ['task', 'result'] as const,
  registers: [metricsRegistry],
})

export const jobDuration = new Histogram({
  name: 'govshare_job_duration_seconds',
  help: 'Background task run time by task',
  labelNames: ['task'] as const,
  buckets: LATENCY_BUCKETS,
  registers: [metricsRegistry],
})

export const jobItems = new Counter({
  name: 'govshare_job_items_total',
  help: 'Rows or objects a background task acted on, by task',
  labelNames: ['task'] as const,
  registers: [metricsRegistry],
})

/** Records one call-log batch (the call journal reports each batch it writes). */
export function observeJournalBatch(size: number) {
  journalBatchSize.observe(size)
}

/** Records one background task run (platform/jobs/scheduler.ts). */
export function observeJobRun(task: string, result: 'ok' | 'failed', seconds: number, items: number) {
  jobRuns.inc({ task, result })
  jobDuration.observe({ task }, seconds)
  if (items > 0) jobItems.inc({ task }, items)
}

const pools = new Set<pg.Pool>()

/** Counts a database pool in the pool gauges until the returned function is called (on app close). */
export function trackPool(pool: pg.Pool): () => void {
  pools.add(pool)
  return () => pools.delete(pool)
}

const poolGauge = (name: string, help: string, read: (pool: pg.Pool) => number) =>
  new Gauge({
    name,
    help,
    registers: [metricsRegistry],
    collect() {
      let sum = 0
      for (const pool of pools) sum += read(pool)
      this.set(sum)
    },
  })

poolGauge('govshare_db_pool_connections', 'PostgreSQL pool: connections open (busy and idle)', (pool) => pool.totalCount)
poolGauge('govshare_db_pool_idle_connections', 'PostgreSQL pool: connections open and idle', (pool) => pool.idleCount)
poolGauge('govshare_db_pool_waiting_requests', 'PostgreSQL pool: queries waiting for a connection', (pool) => pool.waitingCount)
poolGauge('govshare_db_pool_max_connections', 'PostgreSQL pool: largest number of connections allowed', (pool) => pool.options.max ?? 10)

/** HTTP status of a gateway record read → its outcome label (the call log keeps the detailed reason). */
export function gatewayOutcome(status: number): string {
  if (status < 400) return 'ok'
  if (status === 401) return 'unauthenticated'
  if (status === 403) return 'denied'
  if (status === 404) return 'not_found'
  if (status === 429) return 'throttled'
  if (status === 502 || status === 504) return 'upstream_failed'
  if (status < 500) return 'refused'
  return 'error'
}
