import type { FastifyBaseLogger } from 'fastify'
import type { Db } from '../db/database.ts'
import { loggableError } from '../http/request-log.ts'
import { observeJobRun } from '../metrics/metrics.ts'

/** A named background task: idempotent, safe to run in several processes at once (rows are claimed with SKIP LOCKED). */
export interface Task {
  name: string
  intervalMs: number
  run(db: Db, now: Date): Promise<number>
}

/**
 * Runs each task on its interval. No task overlaps itself in one process; across processes the tasks'
 * own row locks prevent double work. Returns a stop function for graceful shutdown.
 */
export function startScheduler(db: Db, tasks: readonly Task[], log: FastifyBaseLogger, clock: () => Date = () => new Date()) {
  const timers: NodeJS.Timeout[] = []
  for (const task of tasks) {
    let running = false
    const tick = async () => {
      if (running) return
      running = true
      const started = performance.now()
      try {
        const count = await task.run(db, clock())
        observeJobRun(task.name, 'ok', (performance.now() - started) / 1000, count)
        if (count > 0) log.info({ task: task.name, count }, 'background task did work')
      } catch (error) {
        observeJobRun(task.name, 'failed', (performance.now() - started) / 1000, 0)
        log.error({ err: loggableError(error), task: task.name }, 'background task failed')
      } finally {
        running = false
      }
    }
    timers.push(setInterval(tick, task.intervalMs))
    setTimeout(tick, 1_000).unref()
  }
  for (const timer of timers) timer.unref()
  return () => timers.forEach(clearInterval)
}
