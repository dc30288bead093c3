import { mkdir, readFile, rename, writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import { Readable } from 'node:stream'
import { type AgentConfig, openConnector } from './config.ts'
import { type Connector, type RowBatches, type TargetColumn, type WriteResult, compatible } from './connector.ts'
import { PostgresConnector } from './postgres.ts'
import { csvLine, lines, overErrorLimit, parseCopyLine, speedCap } from './text.ts'

export const AGENT_VERSION = '1.0.0'

interface Controls {
  channels: number
  splitPk: string | null
  speedRecords: number | null
  speedBytes: number | null
  errorLimitCount: number | null
  errorLimitShare: number | null
  writeMode: 'insert' | 'upsert'
}

interface FeedColumn {
  column: string
  itemId: string
  header: string
  dataType: string
}

type Task = Controls & {
  runId: string
  jobId: string
  type: 'verify' | 'feed' | 'deliver' | 'purge'
  mode?: 'full' | 'incremental'
  connection: string
  table: string
  // feed
  key?: string | null
  incremental?: string | null
  where?: string | null
  columns?: FeedColumn[] | TargetColumn[]
  carryDeletes?: boolean
  watermark?: string | null
  // delivery
  deletes?: number
}

class PlatformError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
  ) {
    super(message)
  }
}

/**
 * govshare-node: a department's front-end agent. It calls the platform (never the other way round), enrols once
 * with its one-time token, then heartbeats, takes tasks and runs them against the databases named in its config.
 */
export class NodeAgent {
  private credential: string | null = null
  private readonly connectors = new Map<string, Connector>()
  private readonly working = new Map<string, Promise<void>>()
  private problem: { message: string; at: number } | null = null
  private stopped = false
  private wake: (() => void) | null = null

  constructor(
    private readonly config: AgentConfig,
    private readonly log: (message: string) => void = (m) => console.log(`[govshare-node] ${m}`),
  ) {
    for (const [name, settings] of Object.entries(config.connections)) this.connectors.set(name, openConnector(settings))
  }

  private get connectionList() {
    return Object.entries(this.config.connections).map(([name, c]) => ({ name, kind: c.kind }))
  }

  private async call<T>(method: string, path: string, body?: unknown, init: { csv?: Readable; query?: Record<string, string> } = {}): Promise<T> {
    const url = new URL(this.config.platform + path)
    for (const [k, v] of Object.entries(init.query ?? {})) url.searchParams.set(k, v)
    const headers: Record<string, string> = {}
    if (this.credential) headers.authorization = `Bearer ${this.credential}`
    let payload: RequestInit['body']
    if (init.csv) {
      headers['content-type'] = 'text/csv'
      payload = init.csv as unknown as RequestInit['body']
    } else if (body !== undefined) {
      headers['content-type'] = 'application/json'
      payload = JSON.stringify(body)
    }
    const response = await fetch(url, { method, headers, body: payload, ...(init.csv ? { duplex: 'half' } : {}) } as RequestInit)
    if (!response.ok) {
      const error = (await response.json().catch(() => null)) as { error?: { code?: string; message?: string } } | null
      throw new PlatformError(response.status, error?.error?.code ?? 'HTTP_ERROR', error?.error?.message ?? `HTTP ${response.status}`)
    }
    return (response.status === 204 ? null : await response.json()) as T
  }

  /** The saved credential, or a new one from the one-time enrolment token. */
  async enrol() {
    await mkdir(this.config.stateDir, { recursive: true, mode: 0o700 })
    const file = join(this.config.stateDir, 'credential')
    this.credential = (await readFile(file, 'utf8').catch(() => '')).trim() || null
    if (this.credential) return
    if (!this.config.enrolmentToken) throw new Error('not enrolled: put the enrolment token from the console into the config ("enrolmentToken")')
    const enrolled = await this.call<{ nodeId: string; credential: string }>('POST', '/exchange/agent/enrol', {
      token: this.config.enrolmentToken,
      connections: this.connectionList,
      version: AGENT_VERSION,
    })
    await writeFile(`${file}.tmp`, enrolled.credential, { mode: 0o600 })
    await rename(`${file}.tmp`, file)
    this.credential = enrolled.credential
    this.log(`enrolled as node ${enrolled.nodeId}`)
  }

  /** One heartbeat: reports, takes the tasks it has room for and starts them. */
  async beat() {
    const problem = this.problem && Date.now() - this.problem.at < 5 * 60_000 ? this.problem.message : null
    const { tasks } = await this.call<{ tasks: Task[] }>('POST', '/exchange/agent/heartbeat', {
      connections: this.connectionList,
      problem,
      working: [...this.working.keys()],
    })
    for (const task of tasks) {
      if (this.working.has(task.runId) || this.working.size >= this.config.concurrency) continue
      const done = this.run(task).finally(() => {
        this.working.delete(task.runId)
        this.wake?.()
      })
      this.working.set(task.runId, done)
    }
    return tasks.length
  }

  async start() {
    await this.enrol()
    while (!this.stopped) {
      try {
        await this.beat()
      } catch (error) {
        this.log(`heartbeat failed: ${(error as Error).message}`)
      }
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, this.config.pollSeconds * 1000)
        this.wake = () => {
          clearTimeout(timer)
          resolve()
        }
      })
    }
  }

  /** Waits for the runs in progress. */
  async idle() {
    await Promise.allSettled([...this.working.values()])
  }

  async stop() {
    this.stopped = true
    this.wake?.()
    await this.idle()
    for (const connector of this.connectors.values()) await connector.close()
  }

  private connector(name: string) {
    const connector = this.connectors.get(name)
    if (!connector) throw new Error(`本机配置中没有名为「${name}」的连接`)
    return connector
  }

  private async run(task: Task) {
    const started = Date.now()
    try {
      if (task.type === 'verify') await this.verify(task)
      else if (task.type === 'feed') await this.feed(task)
      else if (task.type === 'deliver') await this.deliver(task)
      else await this.purge(task)
      this.log(`${task.type} ${task.mode ?? ''} run ${task.runId} done in ${Date.now() - started} ms`)
    } catch (error) {
      const message = (error as Error).message.slice(0, 900)
      this.problem = { message, at: Date.now() }
      this.log(`${task.type} run ${task.runId} failed: ${message}`)
      if (error instanceof PlatformError && error.code === 'RUN_CLOSED') return
      // A feed reports through its data upload; a failed upload already closed the run on the platform.
      await this.call('POST', `/exchange/agent/runs/${task.runId}/report`, { ok: false, error: message }).catch(() => {})
    }
  }

  private async verify(task: Task) {
    const connector = this.connector(task.connection)
    const columns = task.columns as FeedColumn[]
    const types = await connector.columnTypes(task.table)
    const problems: { column: string; message: string }[] = []
    if (types.size === 0) problems.push({ column: task.table, message: '源表不存在或无权读取' })
    else {
      for (const c of columns) {
        const type = types.get(c.column)
        if (!type) problems.push({ column: c.column, message: '源表中没有该列' })
        else if (!compatible(c.dataType, type)) problems.push({ column: c.column, message: `列类型 ${type} 与信息项的数据类型不符` })
      }
      for (const [what, column] of [
        ['主键列', task.key],
        ['增量字段', task.incremental],
        ['切分键', task.splitPk],
      ] as const) {
        if (column && !types.has(column)) problems.push({ column, message: `${what}不在源表中` })
      }
    }
    let sampled = 0
    if (problems.length === 0) {
      try {
        const rows = await connector.sample({ table: task.table, columns: columns.map((c) => c.column), where: task.where ?? null }, 100)
        sampled = rows.length
        columns.forEach((c, i) => {
          if ('NYBFI'.includes(c.dataType) && rows.some((r) => r[i] !== null && !Number.isFinite(Number(r[i]))))
            problems.push({ column: c.column, message: '抽样数据中有非数值' })
        })
      } catch (error) {
        problems.push({ column: task.table, message: `抽样读取失败：${(error as Error).message.slice(0, 200)}` })
      }
    }
    await this.call('POST', `/exchange/agent/runs/${task.runId}/verify`, { problems, sampled })
  }

  private keysFile(jobId: string) {
    return join(this.config.stateDir, `keys-${jobId}.json`)
  }

  private async feed(task: Task) {
    const connector = this.connector(task.connection)
    const columns = task.columns as FeedColumn[]
    const pace = speedCap({ records: task.speedRecords, bytes: task.speedBytes })
    // The watermark is read before the rows: a row changed while reading is read again next time, never skipped.
    const watermark = task.incremental ? await connector.maxOf(task.table, task.incremental, task.where ?? null) : null
    let mode = task.mode ?? 'full'
    let keys: Set<string> | null = null
    let deletes: string[] = []
    if (task.carryDeletes && task.key) {
      keys = new Set()
      for await (const page of connector.keys(task.table, task.key, task.where ?? null)) for (const k of page) keys.add(k)
      if (mode === 'incremental') {
        const previous = await readFile(this.keysFile(task.jobId), 'utf8')
          .then((t) => JSON.parse(t) as string[])
          .catch(() => null)
        // Without the keys of the last load the deletes cannot be known: load in full instead.
        if (previous === null) mode = 'full'
        else deletes = previous.filter((k) => !keys!.has(k))
      }
    }
    if (mode === 'incremental' && deletes.length > 0) await this.call('POST', `/exchange/agent/runs/${task.runId}/deletes`, { keys: deletes })
    const spec = {
      table: task.table,
      columns: columns.map((c) => c.column),
      where: task.where ?? null,
      since: mode === 'incremental' && task.incremental && task.watermark ? { column: task.incremental, value: task.watermark } : null,
      split: task.splitPk && task.channels > 1 ? { column: task.splitPk, channels: task.channels } : null,
    }
    const header = columns.map((c) => c.header)
    let body: Readable
    let release = () => {}
    if (connector instanceof PostgresConnector && !spec.split) {
      const copy = await connector.copyCsv(spec, header)
      release = copy.done
      body = copy.stream.pipe(
        new (await import('node:stream')).Transform({
          transform(chunk: Buffer, _e, callback) {
            pace(0, chunk.length).then(() => callback(null, chunk), callback)
          },
        }),
      )
    } else {
      const rows = connector.read(spec)
      body = Readable.from(
        (async function* () {
          yield csvLine(header)
          for await (const batch of rows) {
            const text = batch.map(csvLine).join('')
            await pace(batch.length, Buffer.byteLength(text))
            yield text
          }
        })(),
      )
    }
    try {
      await this.call('POST', `/exchange/agent/runs/${task.runId}/feed`, undefined, {
        csv: body,
        query: { mode, ...(watermark !== null ? { watermark } : {}) },
      })
    } finally {
      release()
    }
    if (keys) {
      const file = this.keysFile(task.jobId)
      await writeFile(`${file}.tmp`, JSON.stringify([...keys]))
      await rename(`${file}.tmp`, file)
    }
  }

  private async deliver(task: Task) {
    const connector = this.connector(task.connection)
    const columns = task.columns as TargetColumn[]
    const pace = speedCap({ records: task.speedRecords, bytes: task.speedBytes })
    const errorLimit = { count: task.errorLimitCount, share: task.errorLimitShare }
    const response = await fetch(`${this.config.platform}/exchange/agent/runs/${task.runId}/rows`, { headers: { authorization: `Bearer ${this.credential}` } })
    if (!response.ok || !response.body) {
      const error = (await response.json().catch(() => null)) as { error?: { code?: string; message?: string } } | null
      throw new PlatformError(response.status, error?.error?.code ?? 'HTTP_ERROR', error?.error?.message ?? `HTTP ${response.status}`)
    }
    let bytes = 0
    let read = 0
    const stale: string[] = []
    const body = Readable.fromWeb(response.body as never)
    const counted = (async function* () {
      for await (const chunk of body) {
        bytes += (chunk as Buffer).length
        yield chunk as Buffer
      }
    })()
    // Each line: key, whether the row still passes the grant's row filter, the masked values.
    const batches: RowBatches = (async function* () {
      for await (const page of lines(counted)) {
        const rows: (string | null)[][] = []
        for (const line of page) {
          if (!line) continue
          const [key, matches, ...values] = parseCopyLine(line)
          read++
          if (matches === 't') rows.push([key, ...values])
          else stale.push(key!)
        }
        if (rows.length > 0) yield rows
      }
    })()
    const options = { mode: task.writeMode, pace, errorLimit }
    let result: WriteResult
    if (task.mode === 'full' && connector instanceof PostgresConnector) {
      // PostgreSQL takes the platform's COPY text as it comes: no parsing and re-encoding of each row here.
      const text = (async function* () {
        // Cut at the last newline byte, so no character is split between chunks.
        let rest: Buffer | null = null
        for await (const chunk of counted) {
          const data: Buffer = rest ? Buffer.concat([rest, chunk]) : chunk
          const end = data.lastIndexOf(10)
          rest = end + 1 < data.length ? data.subarray(end + 1) : null
          if (end >= 0) yield data.toString('utf8', 0, end + 1)
        }
        if (rest) throw new Error('交付数据不完整（最后一行不完整）')
      })()
      result = await connector.replaceTableFromCopyText(task.table, columns, text, options)
      read = result.written
    } else if (task.mode === 'full') result = await connector.replaceTable(task.table, columns, batches, options)
    else {
      // Deletes come first in the transaction, so the changed rows are collected before it opens.
      const { keys } = await this.call<{ keys: string[] }>('GET', `/exchange/agent/runs/${task.runId}/deletes`)
      const changed: (string | null)[][][] = []
      for await (const batch of batches) changed.push(batch)
      result = await connector.applyChanges(
        task.table,
        columns,
        [...keys, ...stale],
        (async function* () {
          yield* changed
        })(),
        options,
      )
    }
    if (overErrorLimit(result.failed, read, errorLimit) && result.failed > 0) throw new Error(`写入失败 ${result.failed} 行，超过错误上限`)
    await this.call('POST', `/exchange/agent/runs/${task.runId}/report`, {
      ok: true,
      rowsRead: read,
      rowsWritten: result.written,
      rowsDeleted: result.deleted,
      rowsFailed: result.failed,
      bytes,
    })
  }

  private async purge(task: Task) {
    const rows = await this.connector(task.connection).purge(task.table)
    await this.call('POST', `/exchange/agent/runs/${task.runId}/report`, { ok: true, rowsDeleted: rows })
  }
}
