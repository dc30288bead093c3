import type { Readable } from 'node:stream'
import pg from 'pg'
import { from as copyFrom, to as copyTo } from 'pg-copy-streams'
import {
  type Connector,
  KEY_COLUMN,
  type RowBatches,
  type SourceSpec,
  type TargetColumn,
  type WriteOptions,
  type WriteResult,
  mergeBatches,
  splitRanges,
} from './connector.ts'
import { overErrorLimit } from './text.ts'

const ident = (name: string) =>
  name
    .split('.')
    .map((part) => `"${part.replaceAll('"', '""')}"`)
    .join('.')
const literal = (value: string) => `'${value.replaceAll("'", "''")}'`
const PAGE = 5000
// A delivery line starts with `_gs_key` and the row-filter flag (t or f).
const FLAG = /^([^\t\n]*)\tt\t/gm
const NOT_MATCHING = /^[^\t\n]*\tf\t/m

const TYPES: Record<string, string> = {
  text: 'text',
  numeric: 'numeric',
  bigint: 'bigint',
  double: 'double precision',
  date: 'date',
  timestamp: 'timestamp',
  boolean: 'boolean',
}
const pgType = (type: string) => TYPES[type] ?? (/^varchar\(\d+\)$/.test(type) ? type : 'text')

const copyValue = (value: string | null) =>
  value === null ? '\\N' : value.replace(/[\\\n\r\t]/g, (c) => ({ '\\': '\\\\', '\n': '\\n', '\r': '\\r', '\t': '\\t' })[c]!)

/** PostgreSQL through `pg`: cursors to read, COPY to write (and to read a whole table as CSV). */
export class PostgresConnector implements Connector {
  readonly kind = 'postgres' as const
  private readonly pool: pg.Pool

  constructor(url: string) {
    this.pool = new pg.Pool({ connectionString: url, max: 8 })
  }

  async columnTypes(table: string) {
    const [schema, name] = table.includes('.') ? table.split('.') : [null, table]
    const result = await this.pool.query(
      `select column_name, data_type from information_schema.columns where table_name = $1 and ($2::text is null and table_schema = any(current_schemas(false)) or table_schema = $2)`,
      [name, schema],
    )
    return new Map(result.rows.map((r) => [String(r.column_name), String(r.data_type).toLowerCase()]))
  }

  private select(spec: SourceSpec, extra: string[] = []) {
    const conditions = [
      ...(spec.where ? [`(${spec.where})`] : []),
      ...(spec.since ? [`${ident(spec.since.column)} >= ${literal(spec.since.value)}`] : []),
      ...extra,
    ]
    return `select ${spec.columns.map((c) => `${ident(c)}::text`).join(', ')} from ${ident(spec.table)}${conditions.length ? ` where ${conditions.join(' and ')}` : ''}`
  }

  async sample(spec: SourceSpec, limit: number) {
    const result = await this.pool.query({ text: `${this.select(spec)} limit ${Number(limit)}`, rowMode: 'array' })
    return result.rows as (string | null)[][]
  }

  async maxOf(table: string, column: string, where: string | null) {
    const result = await this.pool.query(`select max(${ident(column)})::text as m from ${ident(table)}${where ? ` where ${where}` : ''}`)
    return (result.rows[0]?.m as string | null) ?? null
  }

  private async *cursor(text: string): AsyncGenerator<(string | null)[][]> {
    const client = await this.pool.connect()
    try {
      await client.query('begin isolation level repeatable read read only')
      await client.query(`declare agent_read no scroll cursor for ${text}`)
      for (;;) {
        const page = await client.query({ text: `fetch ${PAGE} from agent_read`, rowMode: 'array' })
        if (page.rows.length === 0) break
        yield page.rows as (string | null)[][]
      }
      await client.query('commit')
      client.release()
    } catch (error) {
      client.release(true)
      throw error
    }
  }

  read(spec: SourceSpec): RowBatches {
    if (!spec.split || spec.split.channels <= 1) return this.cursor(this.select(spec))
    const split = spec.split
    const self = this
    return (async function* () {
      const bounds = await self.pool.query(
        `select min(${ident(split.column)})::text as lo, max(${ident(split.column)})::text as hi from ${ident(spec.table)}${spec.where ? ` where ${spec.where}` : ''}`,
      )
      const lo = Number(bounds.rows[0]?.lo)
      const hi = Number(bounds.rows[0]?.hi)
      if (!Number.isFinite(lo) || !Number.isFinite(hi)) return
      const readers = splitRanges(Math.floor(lo), Math.ceil(hi), split.channels).map(([a, b]) =>
        self.cursor(self.select(spec, [`${ident(split.column)} between ${a} and ${b}`])),
      )
      yield* mergeBatches(readers)
    })()
  }

  /** The whole selection as CSV with a header row, straight from PostgreSQL's COPY (one channel only). */
  async copyCsv(spec: SourceSpec, header: string[]): Promise<{ stream: Readable; done: () => void }> {
    const client = await this.pool.connect()
    const columns = spec.columns.map((c, i) => `${ident(c)}::text as ${ident(header[i])}`).join(', ')
    const select = this.select(spec).replace(/^select .*? from /, `select ${columns} from `)
    const stream = client.query(copyTo(`copy (${select}) to stdout with (format csv, header)`))
    let released = false
    const done = () => {
      if (!released) client.release()
      released = true
    }
    stream.on('error', () => {
      if (!released) client.release(true)
      released = true
    })
    return { stream, done }
  }

  async *keys(table: string, column: string, where: string | null): AsyncIterable<string[]> {
    for await (const page of this.cursor(`select ${ident(column)}::text from ${ident(table)}${where ? ` where ${where}` : ''}`))
      yield page.map((r) => String(r[0]))
  }

  private async copyRows(client: pg.PoolClient, table: string, columns: TargetColumn[], rows: RowBatches, options: WriteOptions) {
    const stream = client.query(copyFrom(`copy ${ident(table)} (${[KEY_COLUMN, ...columns.map((c) => c.name)].map(ident).join(', ')}) from stdin`))
    let written = 0
    const finished = new Promise<void>((resolve, reject) => {
      stream.on('finish', () => resolve())
      stream.on('error', reject)
    })
    finished.catch(() => {})
    for await (const batch of rows) {
      const text = batch.map((row) => `${row.map(copyValue).join('\t')}\n`).join('')
      const bytes = Buffer.byteLength(text)
      if (!stream.write(text)) await new Promise((resolve) => stream.once('drain', resolve))
      written += batch.length
      await options.pace(batch.length, bytes)
    }
    stream.end()
    await finished
    return written
  }

  private createTable(table: string, columns: TargetColumn[]) {
    return `create table ${ident(table)} (${ident(KEY_COLUMN)} char(64) not null, ${columns.map((c) => `${ident(c.name)} ${pgType(c.type)}`).join(', ')})`
  }

  // Built once the rows are in: one sort instead of an index insert per row (a duplicate key fails the run here).
  private addKey(table: string) {
    const suffix = Math.random().toString(36).slice(2, 10)
    return `alter table ${ident(table)} add constraint ${ident(`gs_pk_${suffix}`)} primary key (${ident(KEY_COLUMN)})`
  }

  async replaceTable(table: string, columns: TargetColumn[], rows: RowBatches, options: WriteOptions): Promise<WriteResult> {
    return this.replaceWith(table, columns, (client, loading) => this.copyRows(client, loading, columns, rows, options))
  }

  /**
   * A full delivery from the platform's COPY text lines (`_gs_key`, the row-filter flag, the values) without
   * parsing them: the flag is cut out and the rest goes to COPY as written. A full run carries matching rows
   * only; a line flagged otherwise fails the run.
   */
  async replaceTableFromCopyText(table: string, columns: TargetColumn[], chunks: AsyncIterable<string>, options: WriteOptions): Promise<WriteResult> {
    return this.replaceWith(table, columns, async (client, loading) => {
      const stream = client.query(copyFrom(`copy ${ident(loading)} (${[KEY_COLUMN, ...columns.map((c) => c.name)].map(ident).join(', ')}) from stdin`))
      const finished = new Promise<void>((resolve, reject) => {
        stream.on('finish', () => resolve())
        stream.on('error', reject)
      })
      finished.catch(() => {})
      let written = 0
      for await (const chunk of chunks) {
        if (NOT_MATCHING.test(chunk)) {
          stream.destroy()
          throw new Error('全量交付中出现不符合过滤条件的行')
        }
        const text = chunk.replace(FLAG, '$1\t')
        let rows = 0
        for (let at = text.indexOf('\n'); at >= 0; at = text.indexOf('\n', at + 1)) rows++
        if (!stream.write(text)) await new Promise((resolve) => stream.once('drain', resolve))
        written += rows
        await options.pace(rows, Buffer.byteLength(text))
      }
      stream.end()
      await finished
      return written
    })
  }

  private async replaceWith(table: string, columns: TargetColumn[], load: (client: pg.PoolClient, loading: string) => Promise<number>): Promise<WriteResult> {
    const loading = `${table}__gs_load`
    const client = await this.pool.connect()
    try {
      await client.query(`drop table if exists ${ident(loading)}`)
      await client.query(this.createTable(loading, columns))
      const written = await load(client, loading)
      await client.query(this.addKey(loading))
      await client.query('begin')
      await client.query(`drop table if exists ${ident(table)}`)
      await client.query(`alter table ${ident(loading)} rename to ${ident(table.split('.').pop()!)}`)
      await client.query('commit')
      client.release()
      return { written, deleted: 0, failed: 0 }
    } catch (error) {
      client.release(true)
      throw error
    }
  }

  async applyChanges(table: string, columns: TargetColumn[], deletes: string[], rows: RowBatches, options: WriteOptions): Promise<WriteResult> {
    const client = await this.pool.connect()
    try {
      await client.query('begin')
      let deleted = 0
      for (let i = 0; i < deletes.length; i += 10_000) {
        deleted +=
          (await client.query(`delete from ${ident(table)} where ${ident(KEY_COLUMN)} = any($1::text[])`, [deletes.slice(i, i + 10_000)])).rowCount ?? 0
      }
      await client.query(`create temp table gs_stage (like ${ident(table)}) on commit drop`)
      const staged = await this.copyRows(client, 'gs_stage', columns, rows, options)
      const names = columns.map((c) => ident(c.name))
      const conflict = options.mode === 'upsert' ? `do update set ${names.map((n) => `${n} = excluded.${n}`).join(', ')}` : 'do nothing'
      const written = (await client.query(`insert into ${ident(table)} select * from gs_stage on conflict (${ident(KEY_COLUMN)}) ${conflict}`)).rowCount ?? 0
      const failed = staged - written
      if (overErrorLimit(failed, staged, options.errorLimit) && options.mode === 'insert') throw new Error(`${failed} 行主键已存在，超过错误上限`)
      await client.query('commit')
      client.release()
      return { written, deleted, failed }
    } catch (error) {
      await client.query('rollback').catch(() => {})
      client.release(true)
      throw error
    }
  }

  async purge(table: string) {
    const client = await this.pool.connect()
    try {
      const exists = await client.query('select to_regclass($1) as t', [ident(table)])
      let rows = 0
      if (exists.rows[0]?.t) rows = Number((await client.query(`select count(*) as n from ${ident(table)}`)).rows[0].n)
      await client.query(`drop table if exists ${ident(table)}`)
      await client.query(`drop table if exists ${ident(`${table}__gs_load`)}`)
      return rows
    } finally {
      client.release()
    }
  }

  close() {
    return this.pool.end()
  }
}
