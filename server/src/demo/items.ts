import type { z } from 'zod'
import type { CreateResourceBody, ItemInput } from '../modules/catalog/index.ts'

/**
 * Building blocks for the demo catalog: information items (信息项) by data type, the flags that
 * recur on them, and the entry shape the catalog files use. Items are API input (ItemInput), so the
 * loader passes them through the real create/edit commands and every catalog rule applies.
 */

export type DemoItem = z.input<typeof ItemInput>
type Extra = Partial<DemoItem>

/** A catalog entry as API input; class 3 entries take their provider's own 目 when classCode is left out. */
export type DemoEntryBody = Omit<z.input<typeof CreateResourceBody>, 'classCode'> & { classCode?: string }

export type DemoLifecycle =
  | { state: 'published'; revisions?: readonly DemoRevision[] }
  | { state: 'draft' }
  | { state: 'pending_review' }
  | { state: 'returned'; comment: string }
  | { state: 'withdrawn'; reason: string }

/** An edit after publication: it starts the next version, published again only when `publish` is set. */
export interface DemoRevision {
  patch?: Partial<Omit<DemoEntryBody, 'items' | 'classCode'>>
  addItems?: readonly DemoItem[]
  publish: boolean
}

export interface DemoEntry extends DemoEntryBody {
  /** Org key of the provider (orgs.ts). */
  provider: string
  /** Published by default. */
  lifecycle?: DemoLifecycle
}

// Data types (SPEC §5.3 T).
export const str = (name: string, nameEn: string, length: number, extra: Extra = {}): DemoItem => ({
  name,
  nameEn,
  dataType: 'C',
  length,
  shareType: 1,
  ...extra,
})
export const memo = (name: string, nameEn: string, extra: Extra = {}): DemoItem => ({ name, nameEn, dataType: 'M', shareType: 1, ...extra })
export const date = (name: string, nameEn: string, extra: Extra = {}): DemoItem => ({ name, nameEn, dataType: 'D', shareType: 1, ...extra })
export const datetime = (name: string, nameEn: string, extra: Extra = {}): DemoItem => ({ name, nameEn, dataType: 'T', shareType: 1, ...extra })
export const int = (name: string, nameEn: string, extra: Extra = {}): DemoItem => ({ name, nameEn, dataType: 'I', shareType: 1, ...extra })
export const num = (name: string, nameEn: string, length: number, precision: number, extra: Extra = {}): DemoItem => ({
  name,
  nameEn,
  dataType: 'N',
  length,
  precision,
  shareType: 1,
  ...extra,
})
export const money = (name: string, nameEn: string, extra: Extra = {}): DemoItem => ({ name, nameEn, dataType: 'Y', shareType: 1, ...extra })
export const bool = (name: string, nameEn: string, extra: Extra = {}): DemoItem => ({ name, nameEn, dataType: 'L', shareType: 1, ...extra })

// Flags.
export const PK = { isPrimaryKey: true } as const
export const BASIC = { basicItem: true } as const
export const STAMP = { isTimestamp: true } as const
/** 个人信息 (姓名, 手机号, 住址…): sensitive, masked by default, never opened to the public. */
export const PERSONAL = { piCategory: 'personal', sensitive: true, openFlag: false } as const
/** 敏感个人信息 (身份证号, 健康, 金融账户…). */
export const SENSITIVE_PERSONAL = { piCategory: 'sensitive_personal', sensitive: true, openFlag: false } as const
export const conditional = (shareCondition: string) => ({ shareType: 2, shareCondition }) as const
export const notShared = (shareCondition: string) => ({ shareType: 3, shareCondition }) as const

// Items that recur across entries.
export const idCard = (name = '公民身份号码', nameEn = 'id_card_no', extra: Extra = {}) => str(name, nameEn, 18, { ...SENSITIVE_PERSONAL, ...extra })
export const personNameItem = (name = '姓名', nameEn = 'person_name', extra: Extra = {}) => str(name, nameEn, 50, { ...PERSONAL, ...extra })
export const phone = (name = '联系电话', nameEn = 'phone', extra: Extra = {}) => str(name, nameEn, 20, { ...PERSONAL, ...extra })
export const address = (name = '住址', nameEn = 'address', extra: Extra = {}) => str(name, nameEn, 200, { ...PERSONAL, ...extra })
export const uscc = (name = '统一社会信用代码', nameEn = 'uscc', extra: Extra = {}) => str(name, nameEn, 18, extra)
export const updatedAt = (name = '数据更新时间', nameEn = 'update_time') => datetime(name, nameEn, STAMP)

/** The national data element of the citizen ID number: items that name it fall under 一数一源 (rule 8). */
export const ID_CARD_ELEMENT = { dataElementRef: 'GB 11643-1999 公民身份号码' } as const

// Conditions and legal bases that several entries cite.
export const IDENTITY_CHECK = '仅限承担法定职责的部门用于身份核验、资格审核，不得留存原始数据或向第三方提供'
export const PIPL_34 = '《中华人民共和国个人信息保护法》第三十四条'
export const DSL_38 = '《中华人民共和国数据安全法》第三十八条'
export const OGI_15 = '《中华人民共和国政府信息公开条例》第十五条'
