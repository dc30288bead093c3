import { getHeapStatistics } from 'node:v8'
import { megabytes, uploadBusy, uploadTooLarge } from './refusals.ts'

/**
 * One process-wide memory budget for the uploads being parsed. Each upload takes a lease and
 * reserves the bytes it is about to hold (a buffered file as it arrives, a workbook's shared
 * strings once their size is known); the lease is released when the request ends. An upload that
 * finds the budget taken waits in line for at most `waitMs`, then gets 503 UPLOAD_BUSY with
 * Retry-After: the waits are bounded, so two uploads growing at once cannot wait on each other for
 * ever. An upload whose own need exceeds the whole budget can never run and gets 413 at once.
 */
export class MemoryBudget {
  #used = 0
  readonly #queue: { bytes: number; grant: () => void }[] = []

  constructor(
    readonly capacity: number,
    readonly waitMs: number,
  ) {}

  get used() {
    return this.#used
  }

  lease(): UploadLease {
    return new UploadLease(this)
  }

  /** Takes `bytes` now if they are free and nobody waits before us; otherwise waits in line. */
  async take(bytes: number): Promise<void> {
    if (this.#queue.length === 0 && this.#used + bytes <= this.capacity) {
      this.#used += bytes
      return
    }
    await new Promise<void>((resolve, reject) => {
      const waiter = {
        bytes,
        grant: () => {
          clearTimeout(timer)
          resolve()
        },
      }
      const timer = setTimeout(() => {
        this.#queue.splice(this.#queue.indexOf(waiter), 1)
        this.#drain()
        reject(uploadBusy(Math.max(1, this.waitMs / 1000)))
      }, this.waitMs)
      this.#queue.push(waiter)
    })
  }

  give(bytes: number) {
    this.#used -= bytes
    this.#drain()
  }

  #drain() {
    while (this.#queue.length > 0 && this.#used + this.#queue[0].bytes <= this.capacity) {
      const next = this.#queue.shift()!
      this.#used += next.bytes
      next.grant()
    }
  }
}

/** The bytes one upload holds in the budget. */
export class UploadLease {
  #held = 0
  #released = false

  constructor(readonly budget: MemoryBudget) {}

  get held() {
    return this.#held
  }

  /** Reserves `bytes` more (waits briefly, then 503); 413 when this upload alone would exceed the budget. */
  async reserve(bytes: number): Promise<void> {
    if (bytes <= 0 || this.#released) return
    if (this.#held + bytes > this.budget.capacity) {
      throw uploadTooLarge(
        `处理该文件约需 ${megabytes(this.#held + bytes)} 内存，超出服务器处理上传的上限 ${megabytes(this.budget.capacity)}，请拆分后分批上传`,
      )
    }
    await this.budget.take(bytes)
    this.#held += bytes
  }

  release() {
    if (this.#released) return
    this.#released = true
    this.budget.give(this.#held)
    this.#held = 0
  }
}

let shared: MemoryBudget | null = null

export interface BudgetSettings {
  /** Bytes; null = 40 % of the V8 heap limit. */
  uploadMemoryBytes: number | null
  uploadWaitMs: number
}

/** The heap is what a parse exhausts; leave the rest of it to requests that are not uploads. */
export const defaultUploadMemory = () => Math.floor(getHeapStatistics().heap_size_limit * 0.4)

/** The process's budget (every app built in this process shares it: they share one heap). */
export function uploadBudget(settings: BudgetSettings): MemoryBudget {
  const capacity = settings.uploadMemoryBytes ?? defaultUploadMemory()
  if (!shared || (shared.used === 0 && (shared.capacity !== capacity || shared.waitMs !== settings.uploadWaitMs))) {
    shared = new MemoryBudget(capacity, settings.uploadWaitMs)
  }
  return shared
}
