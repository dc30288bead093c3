import { createPublicKey, verify } from 'node:crypto'
import { z } from 'zod'
import { sm3Hex } from '../../../platform/crypto/sm3.ts'

/**
 * The file carried from the 外网 instance to the 内网 one across the one-way gateway (SPEC §3, §8.1). The
 * payload is kept as the exact JSON text that was signed, so verification never depends on re-serializing.
 * It is signed with SM2 (GB/T 32918, SM3 digest): the 内网 side holds only the public key, so nothing on
 * the 内网 side can make a file the import would accept.
 */

export const TRANSFER_FORMAT = 'govshare-zone-export/1'
// A whole city catalog as JSON is a few MB; a bound keeps a hostile file from exhausting memory.
export const TRANSFER_MAX_BYTES = 64 * 1024 * 1024

const text = (max: number) => z.string().max(max)

export const TransferItem = z.strictObject({
  id: z.string().uuid(),
  name: text(200),
  nameEn: text(100).nullable(),
  dataType: text(4),
  length: z.number().int().nullable(),
  shareType: z.number().int().min(1).max(3),
  shareCondition: text(2000).nullable(),
  sensitive: z.boolean(),
  secret: z.boolean(),
  isPrimaryKey: z.boolean(),
  description: text(2000).nullable(),
})

export const TransferEntry = z.strictObject({
  resourceId: z.string().uuid(),
  version: z.number().int().min(1),
  code: text(64).nullable(),
  name: text(200),
  providerName: text(200),
  classCode: text(32),
  abstract: text(4000),
  shareType: z.number().int().min(1).max(3),
  shareCondition: text(2000).nullable(),
  shareModes: z.array(text(16)).max(3),
  openFlag: z.boolean(),
  updateCycle: z.number().int(),
  secret: z.boolean(),
  publishedAt: z.string().nullable(),
  items: z.array(TransferItem).max(2000),
})
export type TransferEntry = z.infer<typeof TransferEntry>

export const TransferPayload = z.strictObject({
  exportId: z.string().uuid(),
  sourceInstance: text(100),
  sourceZone: z.literal('extranet'),
  exportedAt: z.string().datetime(),
  entries: z.array(TransferEntry).max(200_000),
})
export type TransferPayload = z.infer<typeof TransferPayload>

export const TransferEnvelope = z.strictObject({
  format: z.literal(TRANSFER_FORMAT),
  algorithm: z.literal('SM2-SM3'),
  keyId: text(64),
  payload: z.string(),
  signature: text(512),
})
export type TransferEnvelope = z.infer<typeof TransferEnvelope>

/** The name of an SM2 public key: SM3 of its SPKI encoding (the same naming as audit checkpoints). */
export const keyIdOf = (publicKeyPem: string) => sm3Hex(createPublicKey(publicKeyPem).export({ type: 'spki', format: 'der' })).slice(0, 16)

export class TransferRefused extends Error {}

/**
 * Parses and checks a transfer file against the trusted public key: the envelope, the signature over the
 * exact payload text, then the payload's schema. Throws TransferRefused with the operator's message.
 */
export function openTransfer(file: Buffer, trustedKeyPem: string): { envelope: TransferEnvelope; payload: TransferPayload; fileSm3: string } {
  if (file.length > TRANSFER_MAX_BYTES) throw new TransferRefused(`导入文件超过 ${TRANSFER_MAX_BYTES / 1024 / 1024} MB，拒绝导入`)
  let raw: unknown
  try {
    raw = JSON.parse(file.toString('utf8'))
  } catch {
    throw new TransferRefused('导入文件不是有效的外网目录导出文件（无法解析），未导入任何内容')
  }
  const envelope = TransferEnvelope.safeParse(raw)
  if (!envelope.success) throw new TransferRefused('导入文件格式不符（不是 govshare zone-export 生成的文件），未导入任何内容')
  const trustedId = keyIdOf(trustedKeyPem)
  if (envelope.data.keyId !== trustedId) {
    throw new TransferRefused(`导入文件由密钥 ${envelope.data.keyId} 签名，不是本实例信任的外网实例密钥（${trustedId}），未导入任何内容`)
  }
  let signed = false
  try {
    signed = verify('sm3', Buffer.from(envelope.data.payload, 'utf8'), createPublicKey(trustedKeyPem), Buffer.from(envelope.data.signature, 'base64'))
  } catch {
    signed = false
  }
  if (!signed) throw new TransferRefused('签名校验失败：导入文件在导出后被改动过，或不是受信任的外网实例导出的，未导入任何内容')
  let content: unknown
  try {
    content = JSON.parse(envelope.data.payload)
  } catch {
    throw new TransferRefused('导入文件内容无法解析，未导入任何内容')
  }
  const payload = TransferPayload.safeParse(content)
  if (!payload.success) {
    const issue = payload.error.issues[0]
    throw new TransferRefused(`导入文件内容不符合目录交换格式（${issue.path.join('.')}：${issue.message}），未导入任何内容`)
  }
  // Signed or not, a 涉密 entry or item never crosses by this route (SPEC §8.1 S1): the export leaves them out.
  for (const entry of payload.data.entries) {
    if (entry.secret) throw new TransferRefused(`导入文件含涉密目录「${entry.name}」，外网导出不得含涉密内容，拒绝导入`)
    const item = entry.items.find((i) => i.secret)
    if (item) throw new TransferRefused(`导入文件中目录「${entry.name}」含涉密信息项「${item.name}」，外网导出不得含涉密内容，拒绝导入`)
  }
  return { envelope: envelope.data, payload: payload.data, fileSm3: sm3Hex(file) }
}
