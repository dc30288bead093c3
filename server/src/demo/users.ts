import type { Role } from '../../../common/roles.ts'
import { DEMO_ORGS } from './orgs.ts'

/**
 * The demo's users (API.md "Demo data"). Every one has the password DEMO_PASSWORD. The platform's
 * own accounts and the named requesters are listed; the departments' accounts follow one pattern:
 * `<org key>_<role>` (gaj_cataloger, mzj_user, wcq_mzj_approver, …).
 */

export const DEMO_PASSWORD = 'Govshare@2026'

export interface DemoUser {
  username: string
  name: string
  orgKey: string
  roles: Role[]
  mobile: string
}

/** Accounts named individually: the authority's staff and requesters of county departments. */
const NAMED_USERS: readonly { username: string; orgKey: string; roles: Role[] }[] = [
  { username: 'admin', orgKey: 'dsj', roles: ['SYS_ADMIN'] },
  { username: 'secadmin', orgKey: 'dsj', roles: ['SEC_ADMIN'] },
  { username: 'auditor', orgKey: 'dsj', roles: ['AUDITOR'] },
  { username: 'authority', orgKey: 'dsj', roles: ['AUTH_ADMIN'] },
  { username: 'dsj_cataloger', orgKey: 'dsj', roles: ['CATALOGER'] },
  { username: 'dsj_approver', orgKey: 'dsj', roles: ['APPROVER'] },
  { username: 'wcq_user', orgKey: 'wcq_mzj', roles: ['REQUESTER'] },
  { username: 'sgs_user', orgKey: 'sgs_nyj', roles: ['REQUESTER'] },
  { username: 'qzs_user', orgKey: 'qzs_wlj', roles: ['REQUESTER'] },
]

/** Accounts every city department has (username suffix → roles). */
const CITY_DEPARTMENT_ACCOUNTS: readonly [string, Role[]][] = [
  ['cataloger', ['CATALOGER']],
  ['approver', ['APPROVER']],
  ['user', ['REQUESTER']],
  ['admin', ['DEPT_ADMIN']],
]

/** Accounts every county department has. */
const COUNTY_DEPARTMENT_ACCOUNTS: readonly [string, Role[]][] = [
  ['cataloger', ['CATALOGER']],
  ['approver', ['APPROVER']],
]

// Common Shandong surnames and given names; people are assigned names in order, so the data stays stable.
const SURNAMES = '王张李刘孙赵陈杨徐高马于郭宋田韩曹丁魏谭邓冯秦郑袁单隋臧桑管'
const GIVEN_NAMES = [
  '建国',
  '秀英',
  '立新',
  '海燕',
  '志强',
  '晓明',
  '丽娟',
  '文博',
  '俊杰',
  '雪梅',
  '红霞',
  '振华',
  '玉兰',
  '鹏飞',
  '静怡',
  '子涵',
  '国栋',
  '敏',
  '磊',
  '婷婷',
  '宏伟',
  '春燕',
  '伟',
  '丹',
  '浩然',
  '欣悦',
  '永强',
  '淑芬',
  '明轩',
  '佳琪',
  '德胜',
  '桂芳',
  '金凤',
  '立伟',
  '晓东',
  '雅琴',
  '学军',
  '玉珍',
  '凯',
  '瑞',
  '守信',
  '清华',
  '兆林',
  '秀梅',
  '庆伟',
  '爱华',
  '晓燕',
  '树林',
  '恒',
  '倩',
]
const MOBILE_PREFIXES = ['135', '136', '137', '138', '139', '150', '151', '152', '158', '159', '186', '187', '188', '133', '153', '177', '180', '182']

const personName = (i: number) => [...SURNAMES][i % [...SURNAMES].length] + GIVEN_NAMES[(i * 7 + Math.floor(i / 31)) % GIVEN_NAMES.length]
const mobile = (i: number) => `${MOBILE_PREFIXES[i % MOBILE_PREFIXES.length]}36${String((i * 104_729 + 5_371) % 1_000_000).padStart(6, '0')}`

function buildUsers(): DemoUser[] {
  const accounts: { username: string; orgKey: string; roles: Role[] }[] = [...NAMED_USERS]
  for (const org of DEMO_ORGS) {
    if (org.kind !== 'department') continue
    const pattern = org.regionCode === '370700' ? CITY_DEPARTMENT_ACCOUNTS : COUNTY_DEPARTMENT_ACCOUNTS
    for (const [suffix, roles] of pattern) accounts.push({ username: `${org.key}_${suffix}`, orgKey: org.key, roles })
  }
  return accounts.map((account, i) => ({ ...account, name: personName(i), mobile: mobile(i) }))
}

export const DEMO_USERS: readonly DemoUser[] = buildUsers()
