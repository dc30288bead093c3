/**
 * Preloaded into the production server (`node --import tsx --import ./count-statements.ts server/src/main.ts`)
 * by bench/gateway.ts: counts every statement sent through pg.Client#query and answers the count over the
 * IPC channel the benchmark forked the server with. Nothing else of the server changes.
 */
import { appendFileSync } from 'node:fs'
import pg from 'pg'

let statements = 0
const query = pg.Client.prototype.query
// BENCH_STATEMENT_LOG=path appends each statement's first line (to see what a call sends).
const trace = process.env.BENCH_STATEMENT_LOG
pg.Client.prototype.query = function (this: pg.Client, ...args: unknown[]) {
  statements++
  if (trace) {
    const first = args[0] as string | { text?: string }
    appendFileSync(
      trace,
      `${String(typeof first === 'string' ? first : (first?.text ?? 'copy'))
        .replace(/\s+/g, ' ')
        .slice(0, 160)}\n`,
    )
  }
  return (query as (...a: unknown[]) => unknown).apply(this, args)
} as typeof query

process.on('message', (message) => {
  const id = (message as { statements?: number }).statements
  if (id !== undefined) process.send?.({ id, statements })
})
// The IPC channel must not keep the server alive past its own shutdown.
process.channel?.unref()
