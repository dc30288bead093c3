import type { Rule } from './rules.ts'

export const parameterRules = {
  'parameter.list': { roles: ['SYS_ADMIN'], describe: '系统管理员查看平台参数' },
  'parameter.update': { roles: ['SYS_ADMIN'], describe: '系统管理员修改平台参数（只能取允许值）' },
} as const satisfies Record<string, Rule<never>>
