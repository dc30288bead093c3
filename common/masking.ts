/**
 * Masking rule names, their Chinese labels and the default rule of an item (SPEC §8.3 S9): shared by
 * the server, which applies them (server/src/platform/masking/masking.ts), and the console, which lets
 * an approver choose them.
 */
export type MaskingRule = 'none' | 'id_card' | 'phone' | 'name' | 'bank_card' | 'address' | 'birth_year' | 'sm3' | 'suppress'

export const MASKING_RULES = [
  'none',
  'id_card',
  'phone',
  'name',
  'bank_card',
  'address',
  'birth_year',
  'sm3',
  'suppress',
] as const satisfies readonly MaskingRule[]

export const MASKING_LABELS: Record<MaskingRule, string> = {
  none: '不脱敏',
  id_card: '身份证号（保留前6后4）',
  phone: '手机号（保留前3后4）',
  name: '姓名（保留姓）',
  bank_card: '银行卡号（保留后4位）',
  address: '地址（保留到区县）',
  birth_year: '出生日期（只保留年份）',
  sm3: 'SM3 加盐假名',
  suppress: '不提供（置空）',
}

/** Item names that hold a 居民身份证 number or a birth date (also used to spot re-identifying combinations). */
export const ID_NUMBER_NAME = /身份证|公民身份号码|证件号码/
export const BIRTH_DATE_NAME = /出生日期|生日/

/** The rule for an item nobody chose one for: personal data is never shown in clear by default. */
export function defaultMaskingFor(item: { name: string; sensitive: boolean; piCategory: string }): MaskingRule {
  if (!item.sensitive && item.piCategory === 'none') return 'none'
  const name = item.name
  if (ID_NUMBER_NAME.test(name)) return 'id_card'
  if (/手机|电话|联系方式/.test(name)) return 'phone'
  if (/银行卡|银行账号|账号/.test(name)) return 'bank_card'
  if (BIRTH_DATE_NAME.test(name)) return 'birth_year'
  if (/地址|住址|户籍地|居住地/.test(name)) return 'address'
  if (/姓名|名字|权利人|法定代表人$/.test(name)) return 'name'
  // A personal item no rule above fits (婚姻状况, 学历, …) is withheld, not shown in clear: the approver
  // may still choose a rule for it, but nobody's oversight exposes it.
  return 'suppress'
}
