import type { MaskingRule } from '../db/schema.ts'
import { sm3HmacHex } from '../crypto/sm3.ts'

/**
 * Field-level desensitization (SPEC §8.3 S9, API.md "Sharing"). Rules are data: a grant maps each
 * item to one of these names, and every path that lets data leave applies `maskValue`.
 */
export const MASKING_RULES = ['none', 'id_card', 'phone', 'name', 'bank_card', 'address', 'birth_year', 'sm3', 'suppress'] as const satisfies readonly MaskingRule[]

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

const stars = (n: number) => '*'.repeat(Math.max(n, 0))

/** Keeps `head` leading and `tail` trailing characters; short values are starred entirely. */
function keepEnds(value: string, head: number, tail: number): string {
  const chars = [...value]
  if (chars.length <= head + tail) return stars(chars.length)
  return chars.slice(0, head).join('') + stars(chars.length - head - tail) + chars.slice(chars.length - tail).join('')
}

// Double-surname list kept short: the common ones of GB/T 2261-era registers.
const DOUBLE_SURNAMES = ['欧阳', '司马', '上官', '诸葛', '东方', '皇甫', '尉迟', '公孙', '慕容', '令狐', '长孙', '宇文', '司徒', '夏侯', '端木', '澹台', '南宫']

function maskName(value: string): string {
  const chars = [...value.trim()]
  if (chars.length === 0) return ''
  const surnameLength = DOUBLE_SURNAMES.some((s) => value.startsWith(s)) && chars.length > 2 ? 2 : 1
  return chars.slice(0, surnameLength).join('') + stars(Math.max(chars.length - surnameLength, 1))
}

// Keep an address up to its 区/县 (or county-level 市): "山东省潍坊市奎文区东风街123号" → "山东省潍坊市奎文区****".
const ADMIN_PREFIX = /^((?:.{1,8}?(?:省|自治区))?(?:.{1,8}?(?:市|自治州|地区|盟))?(?:.{1,8}?(?:区|县|市|旗))?)/
function maskAddress(value: string): string {
  const prefix = ADMIN_PREFIX.exec(value)?.[1] ?? ''
  return prefix && prefix !== value ? `${prefix}****` : stars(Math.min([...value].length, 4))
}

function birthYear(value: unknown): string | null {
  if (value instanceof Date) return String(value.getUTCFullYear())
  const match = /^(\d{4})/.exec(String(value))
  return match ? match[1] : null
}

/**
 * Applies one rule to one value. `pseudonymKey` salts the SM3 pseudonym (per platform and consumer,
 * so one consumer's pseudonyms join within its own data but not across consumers).
 */
export function maskValue(rule: MaskingRule, value: unknown, pseudonymKey = ''): unknown {
  if (value === null || value === undefined || rule === 'none') return value ?? null
  if (rule === 'suppress') return null
  if (rule === 'birth_year') return birthYear(value)
  const text = value instanceof Date ? value.toISOString() : String(value)
  switch (rule) {
    case 'id_card':
      return keepEnds(text, 6, 4)
    case 'phone':
      return keepEnds(text, 3, 4)
    case 'bank_card':
      return keepEnds(text, 0, 4)
    case 'name':
      return maskName(text)
    case 'address':
      return maskAddress(text)
    case 'sm3':
      return sm3HmacHex(pseudonymKey, text)
  }
}

/** The default rule for an item nobody chose one for (SPEC §8.3 S9 "default for non-owners"). */
export function defaultMaskingFor(item: { name: string; sensitive: boolean; piCategory: string }): MaskingRule {
  if (!item.sensitive && item.piCategory === 'none') return 'none'
  const name = item.name
  if (/身份证|公民身份号码|证件号码/.test(name)) return 'id_card'
  if (/手机|电话|联系方式/.test(name)) return 'phone'
  if (/银行卡|银行账号|账号/.test(name)) return 'bank_card'
  if (/出生日期|生日/.test(name)) return 'birth_year'
  if (/地址|住址|户籍地|居住地/.test(name)) return 'address'
  if (/姓名|名字|权利人|法定代表人$/.test(name)) return 'name'
  return item.piCategory === 'sensitive_personal' ? 'suppress' : 'none'
}
