import type { ShareMode } from '../../platform/db/schema.ts'
import { AppError } from '../../platform/http/errors.ts'

/**
 * The share modes the platform can deliver (SPEC §7.6): 接口 by the data gateway, 库表 by the exchange's
 * delivery jobs to the consumer's front-end node, 文件 by marked downloads (modules/exchange/files). A grant
 * is never issued for a mode that is not listed, so nobody holds a grant the platform cannot honour.
 */
export const PROVISIONED_MODES: ReadonlySet<ShareMode> = new Set<ShareMode>(['api', 'table', 'file'])

export const MODE_LABELS: Record<ShareMode, string> = { api: '接口', table: '库表', file: '文件' }

/** Throws MODE_NOT_PROVISIONED unless the platform delivers `mode`. */
export function assertModeProvisioned(mode: ShareMode) {
  if (PROVISIONED_MODES.has(mode)) return
  const available = [...PROVISIONED_MODES].map((m) => MODE_LABELS[m]).join('、')
  throw new AppError(409, 'MODE_NOT_PROVISIONED', `平台暂未开通${MODE_LABELS[mode]}方式的数据交付，该方式的申请暂不能办理；目前可用的共享方式：${available}`, [
    { field: 'mode', message: `${MODE_LABELS[mode]}方式暂未开通` },
  ])
}
