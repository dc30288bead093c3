import type { Task } from '../../platform/jobs/scheduler.ts'
import { checkFreshness, writeQualityReports } from './checks.ts'

/** Freshness and quality of mounted data (SPEC §7.3). */
export { freshnessRoutes as freshnessModule } from './routes.ts'
export { checkFreshness, writeQualityReports } from './checks.ts'

export const freshnessTasks: readonly Task[] = [
  // "Daily" in SPEC §7.3; run hourly so a lapse is seen the day it happens (each lapse is told once).
  { name: 'freshness.check', intervalMs: 60 * 60_000, run: checkFreshness },
  { name: 'freshness.quality-reports', intervalMs: 5 * 60_000, run: writeQualityReports },
]
