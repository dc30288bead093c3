import { access, mkdir, open, readFile, readdir, rename } from 'node:fs/promises'
import { join } from 'node:path'
import { BEIJING_OFFSET_MS } from '../calendar/dates.ts'
import type { Db, Executor } from '../db/database.ts'
import type { Task } from '../jobs/scheduler.ts'
import { type CheckpointAlgorithm, checkpointSigner, writeSynced } from './checkpoint-signer.ts'
import { canonicalJson } from './chain.ts'

/**
 * Signed checkpoints of the audit chain's head, kept outside the database (SPEC §8.4 S12). The chain
 * shows an edited or deleted event in the middle, but not a deleted tail, nor a chain rewritten and
 * re-hashed from genesis: both leave a chain that links. A checkpoint (event id, its hash, signed with
 * a key that is not in the database) is written at a fixed interval and after each archive, one file per
 * checkpoint in its own directory; verification checks that the latest one's event is still in the chain
 * with the same hash. Events newer than the latest checkpoint are covered by the next one only.
 */

export interface CheckpointSettings {
  dir: string
  dataKey: Buffer | null
}

/** What a checkpoint file holds (signature over the other fields, canonical JSON). */
export interface Checkpoint {
  v: 1
  eventId: number
  hash: string
  at: string
  writtenAt: string
  algorithm: CheckpointAlgorithm
  keyId: string
  signature: string
}

export type CheckpointCode = 'CHECKPOINT_MATCHED' | 'NO_CHECKPOINT' | 'CHECKPOINT_INVALID' | 'CHAIN_TRUNCATED' | 'CHAIN_REWRITTEN' | 'CHECKPOINT_ARCHIVED'

export interface CheckpointCheck {
  ok: boolean
  /** Stable result code (see CheckpointCode). */
  code: CheckpointCode
  message: string
  file: string | null
  checkpoint: Omit<Checkpoint, 'v' | 'signature'> | null
}

const FILE = /^checkpoint-(\d{20})\.json$/
const ALGORITHMS: readonly CheckpointAlgorithm[] = ['SM2-SM3', 'HMAC-SM3']
const PUBLIC_KEY = 'signing-key.pub.pem'
const exists = (path: string) =>
  access(path).then(
    () => true,
    () => false,
  )
const fileName = (eventId: number) => `checkpoint-${String(eventId).padStart(20, '0')}.json`
const signedBytes = (fields: Omit<Checkpoint, 'signature'>) => Buffer.from(`govshare-audit-checkpoint\n${canonicalJson(fields)}`)

/** 2026-03-02 10:00:00 in Beijing time, as messages show times. */
const beijing = (iso: string) => new Date(new Date(iso).getTime() + BEIJING_OFFSET_MS).toISOString().slice(0, 19).replace('T', ' ')

/** The newest event of the chain: online, else the end of the newest archived segment; null for an empty chain. */
async function chainHead(db: Executor): Promise<{ eventId: number; hash: string; at: Date } | null> {
  const online = await db.selectFrom('auditEvents').select(['id', 'hash', 'at']).orderBy('id', 'desc').limit(1).executeTakeFirst()
  if (online) return { eventId: Number(online.id), hash: online.hash, at: new Date(online.at) }
  const archived = await db
    .selectFrom('auditArchives')
    .select(['lastId', 'lastHash', 'lastAt'])
    .where('lastId', 'is not', null)
    .orderBy('id', 'desc')
    .limit(1)
    .executeTakeFirst()
  return archived ? { eventId: Number(archived.lastId), hash: archived.lastHash, at: new Date(archived.lastAt ?? 0) } : null
}

/** Writes `dir/name` so a crash leaves either no file or the whole file (temp file, fsync, rename, fsync of the directory). */
async function writeDurably(dir: string, name: string, content: string) {
  const partial = join(dir, `.${name}.${process.pid}.partial`)
  await writeSynced(partial, content)
  await rename(partial, join(dir, name))
  const directory = await open(dir, 'r')
  try {
    await directory.sync()
  } finally {
    await directory.close()
  }
}

/**
 * Signs and writes a checkpoint of the chain's current head, unless one exists for that event already.
 * Returns 1 when it wrote one, 0 otherwise (the scheduler's count). Reads committed rows only: it runs off
 * the request path and takes no lock.
 */
export async function writeCheckpoint(db: Db, settings: CheckpointSettings, now: Date): Promise<number> {
  const head = await chainHead(db)
  if (!head) return 0
  const name = fileName(head.eventId)
  await mkdir(settings.dir, { recursive: true, mode: 0o700 })
  if (await exists(join(settings.dir, name))) return 0
  const signer = (await checkpointSigner({ dir: settings.dir, dataKey: settings.dataKey, create: true }))!
  const fields: Omit<Checkpoint, 'signature'> = {
    v: 1,
    eventId: head.eventId,
    hash: head.hash,
    at: head.at.toISOString(),
    writtenAt: now.toISOString(),
    algorithm: signer.algorithm,
    keyId: signer.keyId,
  }
  const checkpoint: Checkpoint = { ...fields, signature: signer.sign(signedBytes(fields)) }
  await writeDurably(settings.dir, name, `${JSON.stringify(checkpoint, null, 2)}\n`)
  // The public key beside the checkpoints, for checking them without the platform (openssl dgst -sm3 -verify).
  if (signer.publicKeyPem && !(await exists(join(settings.dir, PUBLIC_KEY)))) await writeDurably(settings.dir, PUBLIC_KEY, signer.publicKeyPem)
  return 1
}

type Latest = { file: string; checkpoint: Checkpoint } | { file: string; problem: string } | null

/** The checkpoint with the highest event id, with its signature checked. */
async function latestCheckpoint(settings: CheckpointSettings): Promise<Latest> {
  let names: string[]
  try {
    names = (await readdir(settings.dir)).filter((name) => FILE.test(name)).sort()
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return null
    throw error
  }
  const file = names.at(-1)
  if (!file) return null
  let checkpoint: Checkpoint
  try {
    checkpoint = JSON.parse(await readFile(join(settings.dir, file), 'utf8'))
  } catch {
    return { file, problem: `检查点文件 ${file} 无法读取或格式错误` }
  }
  const { signature, ...fields } = checkpoint
  if (
    fields.v !== 1 ||
    !Number.isSafeInteger(fields.eventId) ||
    fileName(fields.eventId) !== file ||
    typeof fields.hash !== 'string' ||
    typeof signature !== 'string' ||
    !ALGORITHMS.includes(fields.algorithm)
  ) {
    return { file, problem: `检查点文件 ${file} 格式错误` }
  }
  const signer = await checkpointSigner({ dir: settings.dir, dataKey: settings.dataKey, algorithm: fields.algorithm }).catch(() => null)
  if (!signer) return { file, problem: `检查点 ${file} 的签名密钥不可用（${fields.algorithm}），无法校验` }
  if (signer.keyId !== fields.keyId) return { file, problem: `检查点 ${file} 不是由本平台当前的签名密钥签署的` }
  if (!signer.verify(signedBytes(fields), signature)) return { file, problem: `检查点 ${file} 的签名校验失败，检查点文件可能被篡改` }
  return { file, checkpoint }
}

/**
 * Checks the chain in the database against the latest checkpoint: its event must still be there with the
 * same hash. An event gone means the chain's tail was deleted (CHAIN_TRUNCATED); another hash means the
 * chain was rewritten (CHAIN_REWRITTEN). A checkpoint whose event is archived can only be checked against
 * the archive files (CHECKPOINT_ARCHIVED; the audit-verify command does). No checkpoint yet is not a
 * failure (a new deployment), but it is said.
 */
export async function checkChainAgainstCheckpoint(db: Executor, settings: CheckpointSettings): Promise<CheckpointCheck> {
  const latest = await latestCheckpoint(settings)
  if (!latest)
    return {
      ok: true,
      code: 'NO_CHECKPOINT',
      message: '检查点目录中还没有检查点，尚不能发现哈希链尾部被删除（检查点按设定的间隔自动写入）',
      file: null,
      checkpoint: null,
    }
  if ('problem' in latest) return { ok: false, code: 'CHECKPOINT_INVALID', message: latest.problem, file: latest.file, checkpoint: null }
  const { signature: _, v: __, ...checkpoint } = latest.checkpoint
  const result = (ok: boolean, code: CheckpointCode, message: string): CheckpointCheck => ({ ok, code, message, file: latest.file, checkpoint })
  const at = `${beijing(checkpoint.writtenAt)} 的检查点`
  const event = await db.selectFrom('auditEvents').select('hash').where('id', '=', checkpoint.eventId).executeTakeFirst()
  let hash = event?.hash
  if (!event) {
    const segment = await db
      .selectFrom('auditArchives')
      .select(['lastId', 'lastHash', 'partitionName'])
      .where('firstId', '<=', checkpoint.eventId)
      .where('lastId', '>=', checkpoint.eventId)
      .executeTakeFirst()
    if (segment && Number(segment.lastId) !== checkpoint.eventId) {
      return result(
        false,
        'CHECKPOINT_ARCHIVED',
        `${at}所记的事件 ${checkpoint.eventId} 已归档（${segment.partitionName}），在线无法比对，请用 audit-verify 命令连同归档文件校验`,
      )
    }
    hash = segment?.lastHash
  }
  if (hash === undefined) {
    const head = await chainHead(db)
    return result(
      false,
      'CHAIN_TRUNCATED',
      `哈希链被截断：${at}记录到事件 ${checkpoint.eventId}，该事件已不在审计日志中（当前最后一条为 ${head?.eventId ?? '无'}），其后的事件可能被删除`,
    )
  }
  if (hash !== checkpoint.hash) return result(false, 'CHAIN_REWRITTEN', `哈希链被改写：事件 ${checkpoint.eventId} 的哈希与${at}不符`)
  return result(true, 'CHECKPOINT_MATCHED', `哈希链包含${at}（事件 ${checkpoint.eventId}），未发现尾部删除或改写`)
}

/** Settings of the checkpoint job and of verification, from the platform's configuration. */
export const checkpointSettingsOf = (config: { auditCheckpointDir: string; dataKey: Buffer | null }): CheckpointSettings => ({
  dir: config.auditCheckpointDir,
  dataKey: config.dataKey,
})

/** The background task: a checkpoint every `minutes` (GOVSHARE_AUDIT_CHECKPOINT_MINUTES) when the chain moved. */
export const checkpointTask = (settings: CheckpointSettings, minutes: number): Task => ({
  name: 'audit.checkpoint',
  intervalMs: minutes * 60_000,
  run: (db, now) => writeCheckpoint(db, settings, now),
})
