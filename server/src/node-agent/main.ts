import { loadAgentConfig } from './config.ts'
import { NodeAgent } from './agent.ts'

/**
 * govshare-node: the front-end node agent a department runs beside its staging database.
 *
 *   npm run govshare-node -- --config /etc/govshare-node.json
 */
const index = process.argv.indexOf('--config')
const path = index >= 0 ? process.argv[index + 1] : (process.env.GOVSHARE_NODE_CONFIG ?? 'govshare-node.json')
const agent = new NodeAgent(loadAgentConfig(path))
const stop = () => {
  agent.stop().then(
    () => process.exit(0),
    () => process.exit(1),
  )
}
process.on('SIGTERM', stop)
process.on('SIGINT', stop)
agent.start().catch((error) => {
  console.error(`[govshare-node] ${(error as Error).message}`)
  process.exit(1)
})
