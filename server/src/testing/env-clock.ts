import { readFileSync } from 'node:fs'

/**
 * Tests that spawn the real server (server/src/reliability/) move its clock through a file holding an
 * offset in milliseconds from the real time: deadlines are driven, never slept through. Honoured only
 * with NODE_ENV=test, so a production server never reads it.
 */
export function clockFromEnv(env: NodeJS.ProcessEnv = process.env): (() => Date) | undefined {
  const file = env.GOVSHARE_TEST_CLOCK_FILE
  if (env.NODE_ENV !== 'test' || !file) return undefined
  let offset = 0
  let readAt = 0
  return () => {
    const now = Date.now()
    // Re-read at most every 50 ms: the clock is asked for on every request and query.
    if (now - readAt > 50) {
      readAt = now
      try {
        offset = Number(readFileSync(file, 'utf8').trim()) || 0
      } catch {
        offset = 0
      }
    }
    return new Date(now + offset)
  }
}

/** Test mode only: GOVSHARE_TEST_TASK_INTERVAL_MS makes background tasks run that often. */
export function taskIntervalFromEnv(env: NodeJS.ProcessEnv = process.env): number | undefined {
  const value = Number(env.GOVSHARE_TEST_TASK_INTERVAL_MS)
  return env.NODE_ENV === 'test' && Number.isInteger(value) && value > 0 ? value : undefined
}
