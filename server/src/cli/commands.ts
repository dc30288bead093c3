import type { z } from 'zod'
import { roleSetProblem } from '../../../common/policy/identity.ts'
import { ROLES } from '../../../common/roles.ts'
import { appendAudit } from '../platform/audit/chain.ts'
import { hashPassword, passwordPolicyViolation } from '../platform/auth/passwords.ts'
import type { Db } from '../platform/db/database.ts'
import { insertOrg } from '../modules/orgs/index.ts'
import { CreateOrgBody, ORG_TYPES } from '../modules/orgs/schemas.ts'
import { AppError } from '../platform/http/errors.ts'
import { CreateUserBody } from '../modules/identity/schemas.ts'

/**
 * Commands of the `govshare` tool for a deployment's first steps (before anyone can log in):
 * the authority and its system administrator, more orgs and users. Input goes through the same
 * schemas as the API; each command is one transaction with its audit event.
 */

export class CliError extends Error {}

function parse<T extends z.ZodType>(schema: T, input: unknown): z.infer<T> {
  const result = schema.safeParse(input)
  if (!result.success) throw new CliError(result.error.issues.map((i) => `${i.path.join('.') || '参数'}：${i.message}`).join('\n'))
  return result.data
}

const cliSource = () => ({ actorId: null, orgId: null, roles: ['CLI'], ip: null, requestId: null, at: new Date() })

export async function createOrgCommand(db: Db, args: Record<string, string | undefined>) {
  const input = parse(CreateOrgBody, {
    name: args.name,
    code: args.code,
    regionCode: args.region ?? '370700',
    kind: args.kind ?? 'department',
    parentId: args.parentId,
    shortName: args.shortName,
    orgType: args.orgType,
  })
  return db.transaction().execute(async (trx) => {
    const id = await insertOrg(trx, input).catch((error) => {
      throw error instanceof AppError ? new CliError(error.details?.[0]?.message ?? error.message) : error
    })
    await appendAudit(trx, cliSource(), { action: 'orgs.org.create', objectType: 'org', objectId: id, detail: { via: 'cli' } })
    return { id, name: input.name, shortName: input.shortName ?? null, kind: input.kind, orgType: input.orgType }
  })
}

export async function createUserCommand(db: Db, args: Record<string, string | undefined>) {
  const org = args.orgName ? await db.selectFrom('orgs').select('id').where('name', '=', args.orgName).executeTakeFirst() : undefined
  if (args.orgName && !org) throw new CliError(`单位「${args.orgName}」不存在`)
  const input = parse(CreateUserBody, {
    username: args.username,
    name: args.name,
    orgId: org?.id ?? args.orgId,
    roles: (args.roles ?? '')
      .split(',')
      .map((r) => r.trim())
      .filter(Boolean),
    password: args.password,
  })
  // The operator at the console sets up the first administrators; 三员分立 still holds for them.
  const roleProblem = roleSetProblem(input.roles)
  if (roleProblem) throw new CliError(`角色不符合要求：${roleProblem}`)
  const problem = passwordPolicyViolation(input.password, input.username)
  if (problem) throw new CliError(`密码不符合要求：${problem}`)
  const passwordHash = await hashPassword(input.password)
  return db.transaction().execute(async (trx) => {
    const taken = await trx.selectFrom('users').select('id').where('username', '=', input.username).executeTakeFirst()
    if (taken) throw new CliError(`用户名 ${input.username} 已被使用`)
    const user = await trx
      .insertInto('users')
      .values({ username: input.username, name: input.name, orgId: input.orgId, roles: [...new Set(input.roles)], passwordHash, mobile: null })
      .returning(['id', 'username', 'roles'])
      .executeTakeFirstOrThrow()
    await appendAudit(trx, cliSource(), { action: 'identity.user.create', objectType: 'user', objectId: user.id, detail: { via: 'cli', roles: user.roles } })
    return user
  })
}

/** The first steps of a PostgreSQL deployment: the city authority and its system administrator. */
export async function initCommand(db: Db, args: Record<string, string | undefined>) {
  const existing = await db.selectFrom('orgs').select(['id', 'name']).where('kind', '=', 'authority').executeTakeFirst()
  const org =
    existing ?? (await createOrgCommand(db, { name: args.orgName, code: args.orgCode, region: args.region, shortName: args.orgShortName, kind: 'authority' }))
  const user = await createUserCommand(db, {
    username: args.username ?? 'admin',
    name: args.name ?? '系统管理员',
    orgId: org.id,
    roles: 'SYS_ADMIN',
    password: args.password,
  })
  return { org, user }
}

/** The flags each command accepts (anything else is refused); boolean flags take no value. */
export const COMMAND_FLAGS: Record<string, { values: readonly string[]; booleans?: readonly string[] }> = {
  init: { values: ['org-name', 'org-code', 'org-short-name', 'region', 'username', 'name', 'password'] },
  'create-org': { values: ['name', 'code', 'short-name', 'region', 'kind', 'parent-id', 'org-type'] },
  'create-user': { values: ['username', 'name', 'org-name', 'org-id', 'roles', 'password'] },
  migrate: { values: [] },
  'audit-archive': { values: ['online-months', 'archive-dir', 'checkpoint-dir'], booleans: ['dry-run'] },
  'audit-verify': { values: ['archive-dir', 'checkpoint-dir'] },
  'zone-export': { values: ['out', 'key-dir', 'instance'] },
  'zone-import': { values: ['file', 'trusted-key'] },
}

/** `--org-name x --dry-run` → { orgName: 'x', dryRun: 'true' }; an unknown, repeated or valueless flag is an error. */
export function parseArgs(command: string, argv: readonly string[]): Record<string, string | undefined> {
  const accepted = COMMAND_FLAGS[command]
  if (!accepted) throw new CliError(`未知命令：${command}`)
  const args: Record<string, string | undefined> = {}
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i]
    const name = arg.startsWith('--') ? arg.slice(2) : null
    if (name === null) throw new CliError(`无法识别的参数：${arg}`)
    const isBoolean = accepted.booleans?.includes(name) ?? false
    if (!isBoolean && !accepted.values.includes(name))
      throw new CliError(
        `${command} 不接受参数 --${name}（可用：${[...accepted.values, ...(accepted.booleans ?? [])].map((f) => `--${f}`).join(' ') || '无'}）`,
      )
    const key = name.replace(/-([a-z])/g, (_, c: string) => c.toUpperCase())
    if (key in args) throw new CliError(`参数 --${name} 重复`)
    if (isBoolean) args[key] = 'true'
    else {
      const value = argv[i + 1]
      if (value === undefined || value.startsWith('--')) throw new CliError(`参数 --${name} 缺少取值`)
      args[key] = value
      i++
    }
  }
  return args
}

export const USAGE = `用法 (usage): npm run govshare -- <command> [--option value …]
(production install: npm run govshare:prod -- <command> …)

  init         --org-name 潍坊市大数据局 --org-code <统一社会信用代码> [--org-short-name <简称>] --username admin --name 系统管理员 --password <密码>
               creates the city authority (once) and a SYS_ADMIN user
  create-org   --name <名称> --code <统一社会信用代码> [--short-name <简称>] [--region 370700] [--kind department|authority|region]
               [--org-type ${ORG_TYPES.join('|')}] [--parent-id <uuid>]
  create-user  --username <用户名> --name <姓名> (--org-name <单位> | --org-id <uuid>) --roles ${ROLES.slice(0, 3).join(',')},… --password <密码>
  migrate      applies pending migrations
  audit-archive [--online-months 6] [--archive-dir data/audit-archive] [--checkpoint-dir data/audit-checkpoints] [--dry-run]
               moves audit months older than the online retention to JSON-lines files (SM3-checked), then drops them
               and writes a signed checkpoint of the chain's head
  audit-verify [--archive-dir data/audit-archive] [--checkpoint-dir data/audit-checkpoints]
               checks the archive files, the online SM3 chain and the chain against the latest signed checkpoint
               (exit 1 on any problem)
  zone-export  --out <file> [--key-dir data/zone-key] [--instance <name>]
               外网 instance: writes the published catalog (nothing 涉密) as an SM2-signed file for the one-way gateway
  zone-import  --file <file> [--trusted-key <外网 public key .pem>]
               内网 instance: checks the signature and content, imports each export and entry version once (exit 1 if refused)

The database is DATABASE_URL (PostgreSQL) or, without it, the embedded data directory GOVSHARE_DATA_DIR
(which must not be in use by a running server). The password may also come from GOVSHARE_PASSWORD.`
