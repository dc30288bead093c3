import type { Rule } from './rules.ts'

export const calendarRules = {
  'calendar.workday.compute': { roles: 'any-user', describe: '任何已登录用户计算工作日期限' },
  'calendar.year.read': { roles: 'any-user', describe: '任何已登录用户查看工作日历' },
  'calendar.day.update': { roles: ['SYS_ADMIN'], describe: '系统管理员维护节假日与调休（种子数据未覆盖的年份）' },
} as const satisfies Record<string, Rule<never>>
