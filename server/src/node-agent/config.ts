import { readFileSync } from 'node:fs'
import { resolve } from 'node:path'
import type { Connector } from './connector.ts'
import { MariaDbConnector, type MariaDbSettings } from './mariadb.ts'
import { PostgresConnector } from './postgres.ts'

/**
 * The agent's own configuration file (JSON), kept on the department's front-end machine. Database addresses and
 * passwords stay here: the platform only ever learns the connection names.
 *
 * @example
 * { "platform": "https://govshare.example/api/v1", "stateDir": "/var/lib/govshare-node",
 *   "enrolmentToken": "gse_…", "pollSeconds": 5,
 *   "connections": { "staging": { "kind": "postgres", "url": "postgres://exchange@127.0.0.1/staging" },
 *                    "mysql_stage": { "kind": "mariadb", "host": "127.0.0.1", "user": "exchange", "password": "…", "database": "stage" } } }
 */
export interface AgentConfig {
  platform: string
  stateDir: string
  enrolmentToken?: string
  pollSeconds: number
  /** How many runs the agent works on at once. */
  concurrency: number
  connections: Record<string, { kind: 'postgres'; url: string } | ({ kind: 'mariadb' } & MariaDbSettings)>
}

export function loadAgentConfig(path: string): AgentConfig {
  const raw = JSON.parse(readFileSync(path, 'utf8')) as Partial<AgentConfig>
  if (!raw.platform || !/^https?:\/\//.test(raw.platform)) throw new Error('config: "platform" must be the platform API base URL (http(s)://…/api/v1)')
  if (!raw.connections || Object.keys(raw.connections).length === 0) throw new Error('config: "connections" names at least one database')
  for (const [name, c] of Object.entries(raw.connections)) {
    if (!/^[A-Za-z0-9_.-]{1,64}$/.test(name)) throw new Error(`config: connection name "${name}" may use letters, digits, dot, underscore and hyphen only`)
    if (c.kind !== 'postgres' && c.kind !== 'mariadb') throw new Error(`config: connection "${name}" has an unknown kind`)
  }
  return {
    platform: raw.platform.replace(/\/$/, ''),
    stateDir: resolve(raw.stateDir ?? './govshare-node-state'),
    enrolmentToken: raw.enrolmentToken,
    pollSeconds: raw.pollSeconds ?? 5,
    concurrency: raw.concurrency ?? 2,
    connections: raw.connections,
  }
}

export function openConnector(config: AgentConfig['connections'][string]): Connector {
  return config.kind === 'postgres' ? new PostgresConnector(config.url) : new MariaDbConnector(config)
}
