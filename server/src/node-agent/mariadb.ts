import type { Connection as CoreConnection } from 'mysql2'
import mysql from 'mysql2/promise'
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
    .map((part) => `\`${part.replaceAll('`', '``')}\``)
    .join('.')
const PAGE = 5000
// Rows per multi-row INSERT (DataX's MySQL writer batches the same way).
const INSERT_ROWS = 1000

const TYPES: Record<string, string> = {
  text: 'longtext',
  numeric: 'decimal(38,10)',
  bigint: 'bigint',
  double: 'double',
  date: 'date',
  timestamp: 'datetime(6)',
  boolean: 'tinyint(1)',
}
const myType = (type: string) => TYPES[type] ?? (/^varchar\(\d+\)$/.test(type) ? type : 'longtext')

/** Text the platform sends (PostgreSQL's forms) as MariaDB takes it. */
function myValue(value: string | null, type: string): string | number | null {
  if (value === null) return null
  if (type === 'boolean') return value === 't' || value === 'true' ? 1 : 0
  if (type === 'timestamp') return value.replace('T', ' ').replace(/(Z|[+-]\d{2}(:?\d{2})?)$/, '')
  return value
}

export interface MariaDbSettings {
  host: string
  port?: number
  user: string
  password?: string
  database: string
}

/** MariaDB through `mysql2`: values as strings (dates too), multi-row INSERT … ON DUPLICATE KEY UPDATE to write. */
export class MariaDbConnector implements Connector {
  readonly kind = 'mariadb' as const
  private readonly pool: mysql.Pool

  constructor({ host, port, user, password, database }: MariaDbSettings) {
    this.pool = mysql.createPool({
      host,
      port,
      user,
      password,
      database,
      connectionLimit: 8,
      dateStrings: true,
      supportBigNumbers: true,
      bigNumberStrings: true,
      decimalNumbers: false,
      charset: 'utf8mb4',
    })
  }

  async columnTypes(table: string) {
    const [schema, name] = table.includes('.') ? table.split('.') : [null, table]
    const [rows] = await this.pool.query(
      'select column_name as c, data_type as t from information_schema.columns where table_name = ? and table_schema = coalesce(?, database())',
      [name, schema],
    )
    return new Map((rows as { c: string; t: string }[]).map((r) => [String(r.c), String(r.t).toLowerCase()]))
  }

  private select(spec: SourceSpec, extra: string[] = []) {
    const conditions = [
      ...(spec.where ? [`(${spec.where})`] : []),
      ...(spec.since ? [`${ident(spec.since.column)} >= ${this.pool.escape(spec.since.value)}`] : []),
      ...extra,
    ]
    return `select ${spec.columns.map(ident).join(', ')} from ${ident(spec.table)}${conditions.length ? ` where ${conditions.join(' and ')}` : ''}`
  }

  private static text(row: unknown[]): (string | null)[] {
    return row.map((v) => (v === null || v === undefined ? null : Buffer.isBuffer(v) ? v.toString('utf8') : String(v)))
  }

  async sample(spec: SourceSpec, limit: number) {
    const [rows] = await this.pool.query({ sql: `${this.select(spec)} limit ${Number(limit)}`, rowsAsArray: true })
    return (rows as unknown[][]).map(MariaDbConnector.text)
  }

  async maxOf(table: string, column: string, where: string | null) {
    const [rows] = await this.pool.query({ sql: `select max(${ident(column)}) from ${ident(table)}${where ? ` where ${where}` : ''}`, rowsAsArray: true })
    const value = (rows as unknown[][])[0]?.[0]
    return value === null || value === undefined ? null : String(value)
  }

  /** Streams a query's rows (mysql2 reads the result as it arrives) in pages. */
  private async *stream(sql: string): AsyncGenerator<(string | null)[][]> {
    const connection = await this.pool.getConnection()
    try {
      // The promise wrapper has no streaming reads: the core connection underneath does.
      const core = (connection as unknown as { connection: CoreConnection }).connection
      const query = core.query({ sql, rowsAsArray: true }).stream({ highWaterMark: PAGE })
      let page: (string | null)[][] = []
      for await (const row of query as AsyncIterable<unknown[]>) {
        page.push(MariaDbConnector.text(row))
        if (page.length >= PAGE) {
          yield page
          page = []
        }
      }
      if (page.length > 0) yield page
    } finally {
      connection.release()
    }
  }

  read(spec: SourceSpec): RowBatches {
    if (!spec.split || spec.split.channels <= 1) return this.stream(this.select(spec))
    const split = spec.split
    const self = this
    return (async function* () {
      const [rows] = await self.pool.query({
        sql: `select min(${ident(split.column)}), max(${ident(split.column)}) from ${ident(spec.table)}${spec.where ? ` where ${spec.where}` : ''}`,
        rowsAsArray: true,
      })
      const [lo, hi] = (rows as unknown[][])[0].map(Number)
      if (!Number.isFinite(lo) || !Number.isFinite(hi)) return
      yield* mergeBatches(
        splitRanges(Math.floor(lo), Math.ceil(hi), split.channels).map(([a, b]) =>
          self.stream(self.select(spec, [`${ident(split.column)} between ${a} and ${b}`])),
        ),
      )
    })()
  }

  async *keys(table: string, column: string, where: string | null): AsyncIterable<string[]> {
    for await (const page of this.stream(`select ${ident(column)} from ${ident(table)}${where ? ` where ${where}` : ''}`)) yield page.map((r) => String(r[0]))
  }

  /** Writes the batches with multi-row INSERTs; a refused statement is retried row by row, counting the failures. */
  private async insertRows(connection: mysql.PoolConnection, table: string, columns: TargetColumn[], rows: RowBatches, options: WriteOptions, upsert: boolean) {
    const names = [KEY_COLUMN, ...columns.map((c) => c.name)].map(ident)
    const types = ['text', ...columns.map((c) => c.type)]
    const tail = upsert
      ? ` on duplicate key update ${names
          .slice(1)
          .map((n) => `${n} = values(${n})`)
          .join(', ')}`
      : ''
    const head = `insert ${upsert ? '' : 'ignore '}into ${ident(table)} (${names.join(', ')}) values `
    let written = 0
    let failed = 0
    let read = 0
    for await (const batch of rows) {
      for (let i = 0; i < batch.length; i += INSERT_ROWS) {
        const chunk = batch.slice(i, i + INSERT_ROWS).map((row) => row.map((v, c) => myValue(v, types[c])))
        read += chunk.length
        try {
          const [result] = await connection.query(`${head}${chunk.map(() => `(${names.map(() => '?').join(', ')})`).join(', ')}${tail}`, chunk.flat())
          const affected = (result as { affectedRows: number }).affectedRows
          written += upsert ? chunk.length : affected
          if (!upsert) failed += chunk.length - affected
        } catch {
          for (const row of chunk) {
            try {
              await connection.query(`${head}(${names.map(() => '?').join(', ')})${tail}`, row)
              written++
            } catch {
              failed++
            }
          }
        }
        if (failed > 0 && overErrorLimit(failed, read, options.errorLimit)) throw new Error(`写入失败 ${failed} 行，超过错误上限`)
        await options.pace(chunk.length, 0)
      }
    }
    return { written, failed }
  }

  async replaceTable(table: string, columns: TargetColumn[], rows: RowBatches, options: WriteOptions): Promise<WriteResult> {
    const loading = `${table}__gs_load`
    const old = `${table}__gs_old`
    const connection = await this.pool.getConnection()
    try {
      await connection.query(`drop table if exists ${ident(loading)}, ${ident(old)}`)
      await connection.query(
        `create table ${ident(loading)} (${ident(KEY_COLUMN)} char(64) not null primary key, ${columns.map((c) => `${ident(c.name)} ${myType(c.type)}`).join(', ')}) default charset = utf8mb4`,
      )
      const { written, failed } = await this.insertRows(connection, loading, columns, rows, options, false)
      // One RENAME swaps both names atomically; readers never see the table missing.
      const [exists] = await connection.query('select 1 from information_schema.tables where table_schema = database() and table_name = ?', [table])
      if ((exists as unknown[]).length > 0) await connection.query(`rename table ${ident(table)} to ${ident(old)}, ${ident(loading)} to ${ident(table)}`)
      else await connection.query(`rename table ${ident(loading)} to ${ident(table)}`)
      await connection.query(`drop table if exists ${ident(old)}`)
      return { written, deleted: 0, failed }
    } finally {
      connection.release()
    }
  }

  async applyChanges(table: string, columns: TargetColumn[], deletes: string[], rows: RowBatches, options: WriteOptions): Promise<WriteResult> {
    const connection = await this.pool.getConnection()
    try {
      await connection.beginTransaction()
      let deleted = 0
      for (let i = 0; i < deletes.length; i += 1000) {
        const chunk = deletes.slice(i, i + 1000)
        const [result] = await connection.query(`delete from ${ident(table)} where ${ident(KEY_COLUMN)} in (${chunk.map(() => '?').join(', ')})`, chunk)
        deleted += (result as { affectedRows: number }).affectedRows
      }
      const { written, failed } = await this.insertRows(connection, table, columns, rows, options, options.mode === 'upsert')
      await connection.commit()
      return { written, deleted, failed }
    } catch (error) {
      await connection.rollback().catch(() => {})
      throw error
    } finally {
      connection.release()
    }
  }

  async purge(table: string) {
    const [exists] = await this.pool.query('select 1 from information_schema.tables where table_schema = database() and table_name = ?', [table])
    let rows = 0
    if ((exists as unknown[]).length > 0) {
      const [count] = await this.pool.query({ sql: `select count(*) from ${ident(table)}`, rowsAsArray: true })
      rows = Number((count as unknown[][])[0][0])
    }
    await this.pool.query(`drop table if exists ${ident(table)}, ${ident(`${table}__gs_load`)}, ${ident(`${table}__gs_old`)}`)
    return rows
  }

  close() {
    return this.pool.end()
  }
}
