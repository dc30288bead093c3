import { seededRandom } from '../../server/src/platform/seeded-random.ts'

/** A seeded random source (mulberry32), so every run generates the same catalog and term order. */
export class Rng {
  /** Uniform in [0, 1). */
  readonly next: () => number

  constructor(seed: number) {
    this.next = seededRandom(seed)
  }

  /** Integer in [min, max]. */
  int(min: number, max: number): number {
    return min + Math.floor(this.next() * (max - min + 1))
  }

  chance(p: number): boolean {
    return this.next() < p
  }

  pick<T>(list: readonly T[]): T {
    return list[Math.floor(this.next() * list.length)]
  }

  /** The i-th element with weight 1/(i+1): the first few dominate. */
  zipf<T>(list: readonly T[]): T {
    return this.weighted(list.map((value, i): [T, number] => [value, 1 / (i + 1)]))
  }

  weighted<T>(pairs: readonly (readonly [T, number])[]): T {
    const total = pairs.reduce((sum, [, w]) => sum + w, 0)
    let r = this.next() * total
    for (const [value, w] of pairs) {
      r -= w
      if (r < 0) return value
    }
    return pairs[pairs.length - 1][0]
  }

  /** `k` distinct elements in random order. */
  sample<T>(list: readonly T[], k: number): T[] {
    return this.shuffle([...list]).slice(0, k)
  }

  /** Fisher–Yates, in place. */
  shuffle<T>(list: T[]): T[] {
    for (let i = list.length - 1; i > 0; i--) {
      const j = Math.floor(this.next() * (i + 1))
      ;[list[i], list[j]] = [list[j], list[i]]
    }
    return list
  }
}
