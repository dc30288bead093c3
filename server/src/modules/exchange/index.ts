import type { FastifyPluginAsync } from 'fastify'
import { agentRoutes } from './agent-routes.ts'
import { fileDeliveryRoutes } from './files/routes.ts'
import { exchangeRoutes } from './routes.ts'

/**
 * The exchange system (交换体系, SPEC §3, §6.3, §6.7, §7.6–7.7): front-end nodes run by departments
 * (govshare-node), table feeds into table mounts, 库表 grants delivered into consumers' databases, and
 * 文件 grants delivered as marked downloads (files/).
 */
export const exchangeModule: FastifyPluginAsync = async (app) => {
  await app.register(exchangeRoutes)
  await app.register(agentRoutes)
  await app.register(fileDeliveryRoutes)
}

export { exchangeTasks } from './notices.ts'
// 外网 → 内网 catalog transfer, for the govshare CLI (zone-export / zone-import).
export { exportZoneCatalog, importZoneCatalog } from './zone/zone-transfer.ts'
export { TRANSFER_MAX_BYTES, TransferRefused, keyIdOf } from './zone/transfer-file.ts'
