import { once } from 'node:events'
import { finished } from 'node:stream/promises'
import { CompiledQuery } from 'kysely'
import type pg from 'pg'
import { from as copyFrom } from 'pg-copy-streams'
import type { Db } from '../../../platform/db/database.ts'

/**
 * Writes validated rows into a managed table in bounded chunks, never as one big statement or
 * one long transaction: COPY FROM STDIN on PostgreSQL (streamed, with backpressure), batched
 * INSERTs on PGlite (each batch its own short autocommit statement, so other requests run
 * between batches on the single embedded connection). Values are canonical text (values.ts).
 */
export interface RowSink {
  /** Queues one row (values in table-column order). Synchronous: the loader awaits per batch, not per row. */
  add(line: number, values: readonly (string | null)[]): void
  /**
   * Writes rows as the upload's own CSV text, which PostgreSQL then reads itself: lines `firstLine` …
   * `firstLine + rows − 1`, one record a line, each ended by LF (or CRLF when `crlf`). Only for rows whose
   * every value the caller checked to be already in the form the table stores (table-upload.ts). COPY only.
   */
  addCsv?(firstLine: number, rows: number, text: string, crlf: boolean): Promise<void>
  /** Writes out what is queued once there is enough of it; resolves when the sink can take more. */
  settle(): Promise<void>
  /** Flushes everything; resolves with the number of rows written. */
  finish(): Promise<number>
  /** Stops without flushing (the caller drops the table). */
  abort(): void
}

const quoteIdent = (name: string) => `"${name.replaceAll('"', '""')}"`
const columnList = (columns: readonly string[]) => ['_line', ...columns].map(quoteIdent).join(', ')

// ---- PostgreSQL: COPY ----

// One COPY statement per this many rows: progress is committed in steps and no statement runs for the whole file.
const COPY_CHUNK_ROWS = 100_000
// Bytes handed to the COPY stream per write.
const COPY_WRITE_BYTES = 256 * 1024
// UTF-8 bytes per UTF-16 code unit, at most.
const UTF8_MAX_PER_UNIT = 3

const COPY_SPECIAL = /[\\\n\r\t]/
const COPY_SPECIAL_ALL = /[\\\n\r\t]/g
const COPY_ESCAPES: Record<string, string> = { '\\': '\\\\', '\n': '\\n', '\r': '\\r', '\t': '\\t' }

/** One value in COPY text format (`\N` is NULL). */
export function copyField(value: string | null): string {
  if (value === null) return '\\N'
  return COPY_SPECIAL.test(value) ? value.replace(COPY_SPECIAL_ALL, (c) => COPY_ESCAPES[c]) : value
}

export interface CopySinkOptions {
  /**
   * The table has a unique index built before the load (so PostgreSQL maintains it while Node parses).
   * When a chunk breaks it, this drops the index; the chunk is then sent again and the load goes on
   * without it (the caller finds the duplicates afterwards). Each chunk is kept until it commits.
   */
  dropUniqueIndex?: () => Promise<void>
  /** The table's columns in the upload's column order, when the upload's CSV text may be written as it is (addCsv). */
  csvColumns?: readonly string[]
}

type CopyStream = ReturnType<typeof copyFrom>

/**
 * What the open COPY statement reads: rows encoded here in text format with their line numbers, or the
 * upload's CSV text, whose rows take their line numbers from _line's identity, set to the chunk's first line.
 */
type CopyMode = { csv: false } | { csv: true; crlf: boolean; firstLine: number }
const ROWS: CopyMode = { csv: false }

const isUniqueViolation = (error: unknown) => (error as { code?: string } | null)?.code === '23505'

/** COPY into `table` (schema-qualified, already quoted) through a raw client the caller owns. */
export function copySink(client: pg.PoolClient, table: string, columns: readonly string[], options: CopySinkOptions = {}): RowSink {
  const rowStatement = `COPY ${table} (${columnList(columns)}) FROM STDIN`
  const csvStatement = options.csvColumns ? `COPY ${table} (${options.csvColumns.map(quoteIdent).join(', ')}) FROM STDIN (FORMAT csv)` : null
  let stream: CopyStream | null = null
  // The open statement's mode (and the chunk's, should it have to be sent again); where its CSV lines go on.
  let mode: CopyMode = ROWS
  let nextCsvLine = 0
  let failure: Error | null = null
  // Rows are encoded straight into fixed-size buffers (a row string written into a buffer measured
  // 2–6× faster than joining row strings or pieces and encoding the result).
  let buffer = Buffer.allocUnsafe(COPY_WRITE_BYTES)
  let filled = 0
  let full: Buffer[] = []
  let rowsInChunk = 0
  // Rows add() encoded that no statement has been sent yet.
  let pendingRows = 0
  let written = 0
  let uniqueIndex = options.dropUniqueIndex !== undefined
  // What this chunk has sent so far, while a unique violation could still make it resend.
  let chunkBytes: Buffer[] = []

  const open = async () => {
    if (mode.csv) await client.query('select setval(pg_get_serial_sequence($1, $2), $3, false)', [table, '_line', mode.firstLine])
    const s = client.query(copyFrom(mode.csv ? csvStatement! : rowStatement))
    s.on('error', (error: Error) => {
      if (stream === s) failure ??= error
    })
    stream = s
    return s
  }
  const send = async (bytes: Buffer) => {
    const s = stream ?? (await open())
    if (!s.write(bytes)) await once(s, 'drain')
  }
  /** Ends the open statement (its chunk commits). */
  const closeStream = async () => {
    const s = stream
    if (s) {
      s.end()
      await finished(s)
      stream = null
    }
    if (failure) throw failure
    chunkBytes = []
    rowsInChunk = 0
  }
  const sendFull = async () => {
    if (full.length === 0) return
    if (stream && mode.csv) await closeStream()
    mode = ROWS
    rowsInChunk += pendingRows
    pendingRows = 0
    const ready = full
    full = []
    // Kept before sending: if a write fails, the resend must include the buffers not yet written too.
    if (uniqueIndex) chunkBytes.push(...ready)
    for (const bytes of ready) await send(bytes)
  }
  const flushRows = async () => {
    if (filled > 0) {
      full.push(buffer.subarray(0, filled))
      buffer = Buffer.allocUnsafe(COPY_WRITE_BYTES)
      filled = 0
    }
    await sendFull()
  }
  const endChunk = async () => {
    await flushRows()
    await closeStream()
  }
  /**
   * Runs a step; a first unique violation drops the index and resends the chunk so far on a new COPY
   * in the chunk's own mode. The step is not resumed: each leaves what it has not sent queued.
   */
  const guarded = async (step: () => Promise<void>) => {
    try {
      if (failure) throw failure
      await step()
    } catch (error) {
      if (!uniqueIndex || !isUniqueViolation(error)) throw error
      uniqueIndex = false
      stream = null
      failure = null
      await options.dropUniqueIndex!()
      const resend = chunkBytes
      chunkBytes = []
      for (const bytes of resend) await send(bytes)
    }
  }
  const continuesCsv = (firstLine: number, crlf: boolean) => stream !== null && mode.csv && mode.crlf === crlf && nextCsvLine === firstLine

  return {
    add(line, values) {
      // join builds one flat string (appending field by field made a rope of ~20 pieces to flatten per row)
      const row = `${line}\t${values.map(copyField).join('\t')}\n`
      const room = row.length * UTF8_MAX_PER_UNIT
      if (filled + room > buffer.length) {
        if (filled > 0) full.push(buffer.subarray(0, filled))
        buffer = Buffer.allocUnsafe(Math.max(COPY_WRITE_BYTES, room))
        filled = 0
      }
      filled += buffer.write(row, filled)
      pendingRows++
      written++
    },
    addCsv: csvStatement
      ? async (firstLine, rows, text, crlf) => {
          // Rows encoded before these lines go first, in a statement of their own.
          await guarded(flushRows)
          // Once the lines are in the chunk, a resend after a violation carries them; until then, try again
          // (a violation that surfaced first leaves the resent chunk's statement open, perhaps of another mode).
          let inChunk = false
          while (!inChunk) {
            while (stream && !continuesCsv(firstLine, crlf)) await guarded(closeStream)
            await guarded(async () => {
              if (!stream) mode = { csv: true, crlf, firstLine }
              // One UTF-8 encoding per batch of lines instead of one per row.
              const bytes = Buffer.from(text)
              if (uniqueIndex) chunkBytes.push(bytes)
              nextCsvLine = firstLine + rows
              rowsInChunk += rows
              written += rows
              inChunk = true
              await send(bytes)
            })
          }
          if (rowsInChunk >= COPY_CHUNK_ROWS) await guarded(closeStream)
        }
      : undefined,
    async settle() {
      await guarded(async () => {
        if (full.length > 0) await sendFull()
        if (rowsInChunk >= COPY_CHUNK_ROWS) await endChunk()
      })
    },
    async finish() {
      await guarded(endChunk)
      await endChunk() // the resent chunk, after a violation
      return written
    },
    abort() {
      full = []
      filled = 0
      chunkBytes = []
      const s = stream
      stream = null
      s?.destroy(new Error('upload abandoned'))
    },
  }
}

// ---- PGlite: batched INSERT … SELECT FROM unnest ----

// Rows per statement, and text per statement: each batch stays a short statement (tens of ms).
const INSERT_BATCH_ROWS = 2000
const INSERT_BATCH_CHARS = 4 * 1024 * 1024

export interface SinkColumn {
  name: string
  /** The column's SQL type (layout.ts sqlTypeOf). */
  sqlType: string
}

// Text-like columns travel as text[] and are assigned (so a too-long value errors instead of being cut by a cast).
const arrayType = (sqlType: string) => (/^(varchar|text)/.test(sqlType) ? 'text' : sqlType)

/**
 * Batched INSERTs through Kysely into `table` (schema-qualified, already quoted): one array
 * parameter per column, `insert … select * from unnest($1::bigint[], $2::text[], …)`. Measured
 * on PGlite at about twice the speed of multi-row VALUES (and no 65535-parameter ceiling for
 * wide tables); each batch is its own autocommit statement, so other requests run in between.
 */
export function insertSink(db: Db, table: string, columns: readonly SinkColumn[]): RowSink {
  const casts = ['$1::bigint[]', ...columns.map((c, i) => `$${i + 2}::${arrayType(c.sqlType)}[]`)]
  const statement = `insert into ${table} (${columnList(columns.map((c) => c.name))}) select * from unnest(${casts.join(', ')})`
  const empty = () => Array.from({ length: columns.length + 1 }, () => [] as (string | number | null)[])
  let arrays = empty()
  let rows = 0
  let chars = 0
  let written = 0
  let aborted = false

  const flush = async () => {
    if (rows === 0 || aborted) return
    const batch = arrays
    arrays = empty()
    rows = 0
    chars = 0
    await db.executeQuery(CompiledQuery.raw(statement, batch))
  }

  return {
    add(line, values) {
      arrays[0].push(line)
      for (let i = 0; i < values.length; i++) {
        const value = values[i]
        arrays[i + 1].push(value)
        if (value) chars += value.length
      }
      rows++
      written++
    },
    async settle() {
      if (rows >= INSERT_BATCH_ROWS || chars >= INSERT_BATCH_CHARS) await flush()
    },
    async finish() {
      await flush()
      return written
    },
    abort() {
      aborted = true
      arrays = empty()
      rows = 0
    },
  }
}
