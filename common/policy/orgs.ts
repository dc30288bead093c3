import type { Rule } from './rules.ts'

export const orgRules = {
  'orgs.org.list': { roles: 'any-user', describe: '任何已登录用户查看单位列表（申请、检索需要）' },
  'orgs.org.read': { roles: 'any-user', describe: '任何已登录用户查看单位详情' },
  'orgs.org.create': { roles: ['SYS_ADMIN'], describe: '系统管理员新增单位' },
  'orgs.org.update': { roles: ['SYS_ADMIN'], describe: '系统管理员修改单位' },
} as const satisfies Record<string, Rule<never>>
