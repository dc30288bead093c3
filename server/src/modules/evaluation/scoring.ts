import { INDICATORS, type IndicatorId } from '../../../../common/evaluation.ts'
import type { EvidenceTotals } from './metrics.ts'

/** Weight and threshold of each indicator, as in force for one tenant. */
export type TenantSettings = Record<IndicatorId, { weight: number; threshold: number }>

export interface IndicatorScore {
  indicator: IndicatorId
  numerator: number
  denominator: number
  /** The rate or count the formula gives (null: nothing to count). */
  value: number | null
  /** 0–100, or null when not applicable (left out of the weighted total). */
  score: number | null
  weight: number
  threshold: number
  detail: Record<string, number>
}

const round2 = (x: number) => Math.round(x * 100) / 100
const rate = (num: number, den: number) => (den > 0 ? num / den : null)
const pct = (value: number | null) => (value === null ? null : round2(100 * value))

const empty = (orgId: string, indicator: IndicatorId): EvidenceTotals => ({
  orgId,
  indicator,
  count: 0,
  okCount: 0,
  amount: 0,
  days: 0,
  distinct: 0,
  rejected: 0,
  rejectedWithBasis: 0,
  noBasis: 0,
  rows: 0,
})

/**
 * One department's indicators from its evidence totals (SPEC §9 formulas). `m9Max` is the highest
 * number of consumer departments among the tenant's departments (M9 is relative to the tenant).
 */
export function scoreDepartment(totals: ReadonlyMap<IndicatorId, EvidenceTotals>, settings: TenantSettings, m9Max: number, orgId = ''): IndicatorScore[] {
  return INDICATORS.map(({ id }): IndicatorScore => {
    const t = totals.get(id) ?? empty(orgId, id)
    const base = { indicator: id, weight: settings[id].weight, threshold: settings[id].threshold, detail: {} as Record<string, number> }
    switch (id) {
      case 'M4': {
        const value = rate(t.amount, t.days)
        return { ...base, numerator: t.amount, denominator: t.days, value, score: pct(value), detail: { mounts: t.count } }
      }
      case 'M7': {
        const value = rate(t.okCount, t.count)
        // SPEC §9: type 2/3 without a basis is zero tolerance.
        return {
          ...base,
          numerator: t.okCount,
          denominator: t.count,
          value,
          score: value === null ? null : t.noBasis > 0 ? 0 : pct(value),
          detail: { noBasis: t.noBasis },
        }
      }
      case 'M8': {
        if (t.count === 0) return { ...base, numerator: 0, denominator: 0, value: null, score: null, detail: { rejected: 0, rejectedWithBasis: 0 } }
        const basisRate = t.rejected > 0 ? t.rejectedWithBasis / t.rejected : 1
        const value = 0.5 * (1 - t.rejected / t.count) + 0.5 * basisRate
        return {
          ...base,
          numerator: t.count - t.rejected,
          denominator: t.count,
          value,
          score: pct(value),
          detail: { rejected: t.rejected, rejectedWithBasis: t.rejectedWithBasis },
        }
      }
      case 'M9': {
        const value = t.distinct
        const score = m9Max > 0 ? pct(value / m9Max) : null
        return { ...base, numerator: value, denominator: m9Max, value, score, detail: { calls: t.amount, rows: t.rows, callDays: t.count } }
      }
      case 'M11':
      case 'M12': {
        const step = id === 'M11' ? 20 : 25
        return { ...base, numerator: t.count, denominator: 0, value: t.count, score: Math.max(0, 100 - step * t.count), detail: {} }
      }
      case 'M6': {
        // Scored on timeliness; the data error rate (confirmed error records per record delivered by the
        // gateway) is reported beside it, since rates of a few per hundred thousand would not move a score.
        const value = rate(t.okCount, t.count)
        const delivered = totals.get('M9')?.rows ?? 0
        return {
          ...base,
          numerator: t.okCount,
          denominator: t.count,
          value,
          score: pct(value),
          detail: { confirmedRecords: t.amount, recordsDelivered: delivered },
        }
      }
      default: {
        const value = rate(t.okCount, t.count)
        return { ...base, numerator: t.okCount, denominator: t.count, value, score: pct(value), detail: {} }
      }
    }
  })
}

const DEDUCTIONS: readonly IndicatorId[] = ['M11', 'M12']

/** Weighted total over the applicable indicators (weights renormalised), 0–100; null when only the
 * security deductions apply. */
export function weightedTotal(scores: readonly IndicatorScore[]): number | null {
  // Security deductions alone (M11, M12 apply to everyone) say nothing of a department's sharing work.
  if (!scores.some((s) => s.score !== null && !DEDUCTIONS.includes(s.indicator))) return null
  const applicable = scores.filter((s) => s.score !== null && s.weight > 0)
  const weight = applicable.reduce((sum, s) => sum + s.weight, 0)
  if (weight === 0) return null
  return round2(applicable.reduce((sum, s) => sum + s.weight * s.score!, 0) / weight)
}

/** Standard competition ranking (1, 2, 2, 4) by total, highest first; no total, no rank. */
export function rankByTotal<T extends { total: number | null }>(rows: readonly T[]): (T & { rank: number | null })[] {
  const sorted = rows
    .filter((r) => r.total !== null)
    .map((r) => r.total!)
    .sort((a, b) => b - a)
  return rows.map((r) => ({ ...r, rank: r.total === null ? null : sorted.indexOf(r.total) + 1 }))
}

/**
 * A tenant's (or the city's) indicators: numerators and denominators summed over its departments, and
 * each score the mean of its departments' applicable scores.
 */
export function aggregate(departments: readonly IndicatorScore[][], settings: TenantSettings): IndicatorScore[] {
  return INDICATORS.map(({ id }) => {
    const parts = departments.map((d) => d.find((s) => s.indicator === id)!)
    const scored = parts.filter((s) => s.score !== null)
    const numerator = parts.reduce((sum, s) => sum + s.numerator, 0)
    const denominator = parts.reduce((sum, s) => sum + s.denominator, 0)
    return {
      indicator: id,
      numerator,
      denominator,
      value: denominator > 0 ? numerator / denominator : null,
      score: scored.length ? round2(scored.reduce((sum, s) => sum + s.score!, 0) / scored.length) : null,
      weight: settings[id].weight,
      threshold: settings[id].threshold,
      detail: { departments: scored.length },
    }
  })
}
