import { readFile, stat, writeFile } from 'node:fs/promises'
import { join, resolve } from 'node:path'
import { checkpointSigner, sm2Supported } from '../platform/audit/checkpoint-signer.ts'
import type { Config } from '../platform/config/config.ts'
import type { Db } from '../platform/db/database.ts'
import { TRANSFER_MAX_BYTES, TransferRefused, exportZoneCatalog, importZoneCatalog } from '../modules/exchange/index.ts'
import { CliError } from './commands.ts'

/**
 * zone-export (on the 外网 instance) and zone-import (on the 内网 instance): the catalog crosses the
 * one-way gateway as a signed file (README "外网 → 内网 目录导入"). The 外网 instance's SM2 key lives in
 * its key directory (GOVSHARE_ZONE_KEY_DIR, created on the first export; never in the database); the 内网
 * instance is given only the public key (GOVSHARE_ZONE_TRUSTED_KEY, a PEM file).
 */

const keyDirOf = (args: Record<string, string | undefined>, config: Config) =>
  resolve(args.keyDir ?? process.env.GOVSHARE_ZONE_KEY_DIR ?? join(config.dataDir, '..', 'zone-key'))

export async function zoneExportCommand(db: Db, args: Record<string, string | undefined>, config: Config) {
  if (config.networkZone !== 'extranet') throw new CliError('zone-export 只能在外网实例上运行（GOVSHARE_NETWORK_ZONE=extranet）')
  if (!args.out) throw new CliError('请用 --out 指定导出文件路径')
  if (!sm2Supported()) throw new CliError('本机 Node/OpenSSL 不支持 SM2 签名，无法导出')
  const keyDir = keyDirOf(args, config)
  const signer = await checkpointSigner({ dir: keyDir, dataKey: null, algorithm: 'SM2-SM3', create: true })
  if (!signer?.publicKeyPem) throw new CliError(`无法读取或创建签名密钥（${keyDir}）`)
  // The public half is written beside the key for the operator to hand to the 内网 instance once.
  const publicKeyFile = join(keyDir, 'zone-export-public.pem')
  await writeFile(publicKeyFile, signer.publicKeyPem)
  const { envelope, payload } = await exportZoneCatalog(db, signer, {
    sourceInstance: args.instance ?? process.env.GOVSHARE_INSTANCE_NAME ?? 'govshare-extranet',
    now: new Date(),
  })
  const out = resolve(args.out)
  await writeFile(out, JSON.stringify(envelope), { flag: 'wx' }).catch((error: NodeJS.ErrnoException) => {
    throw error.code === 'EEXIST' ? new CliError(`文件 ${out} 已存在，请换一个导出路径`) : error
  })
  return { exportId: payload.exportId, entries: payload.entries.length, keyId: envelope.keyId, file: out, publicKeyFile }
}

export async function zoneImportCommand(db: Db, args: Record<string, string | undefined>, config: Config) {
  if (config.networkZone !== 'intranet') throw new CliError('zone-import 只能在内网实例上运行（GOVSHARE_NETWORK_ZONE=intranet）')
  if (!args.file) throw new CliError('请用 --file 指定要导入的导出文件')
  const keyPath = args.trustedKey ?? process.env.GOVSHARE_ZONE_TRUSTED_KEY
  if (!keyPath) throw new CliError('未配置受信任的外网实例公钥：请设置 GOVSHARE_ZONE_TRUSTED_KEY 或使用 --trusted-key')
  const trustedKey = await readFile(resolve(keyPath), 'utf8').catch(() => {
    throw new CliError(`无法读取受信任公钥文件 ${keyPath}`)
  })
  const path = resolve(args.file)
  const size = await stat(path).then(
    (s) => s.size,
    () => {
      throw new CliError(`无法读取导入文件 ${path}`)
    },
  )
  if (size > TRANSFER_MAX_BYTES) throw new CliError(`导入文件超过 ${TRANSFER_MAX_BYTES / 1024 / 1024} MB，拒绝导入`)
  try {
    return await importZoneCatalog(db, await readFile(path), trustedKey, new Date())
  } catch (error) {
    if (error instanceof TransferRefused) throw new CliError(error.message)
    throw error
  }
}
