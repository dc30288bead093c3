import type { Rule } from './rules.ts'

// SPEC §2.2: the security administrator keeps allow-lists and security policy; nobody else changes them.
export const securityRules = {
  'security.upstream.list': { roles: ['SEC_ADMIN'], describe: '安全管理员查看上游接口允许清单' },
  'security.upstream.add': { roles: ['SEC_ADMIN'], describe: '安全管理员向上游接口允许清单添加主机或网段' },
  'security.upstream.remove': { roles: ['SEC_ADMIN'], describe: '安全管理员从上游接口允许清单移除主机或网段' },
} as const satisfies Record<string, Rule<never>>
