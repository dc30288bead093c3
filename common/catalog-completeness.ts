import { SHARE_TYPE, SHARE_TYPES, deriveShareType } from './catalog.ts'

/**
 * What an entry still lacks before it can be submitted for review (SPEC §5.1–5.4). A draft may be saved
 * with any of these missing; 提交 is refused while the list is not empty. The server and the console's
 * 尚缺 list both call this one function, so the form never promises what the server refuses.
 */

/** One missing part: the field it concerns, its name in the list (as the form labels it), and the reason. */
export interface MissingPart {
  field: string
  label: string
  message: string
}

/** The entry as far as it is filled in: every field may be absent in a draft. */
export interface DraftContent {
  name?: string | null
  classCode?: string | null
  abstract?: string | null
  formatClass?: number | null
  formatType?: string | null
  formatOther?: string | null
  updateCycle?: number | null
  shareCondition?: string | null
  shareBasis?: string | null
  shareModeClass?: string | null
  shareModeReason?: string | null
  shareModes?: readonly string[] | null
  openFlag?: boolean | null
  openCondition?: string | null
  items?: readonly DraftItem[] | null
}

export interface DraftItem {
  name?: string | null
  nameEn?: string | null
  dataType?: string | null
  length?: number | null
  shareType?: number | null
  shareCondition?: string | null
}

/** The form's labels (web/src/pages/catalog-edit): the list names fields as the user sees them. */
export const ENTRY_FORM_LABELS = {
  name: '信息资源名称',
  classCode: '资源分类（末级目录）',
  abstract: '资源摘要',
  formatClass: '格式分类',
  formatType: '格式类型',
  formatOther: '其他格式描述',
  updateCycle: '更新周期',
  shareCondition: '共享条件',
  shareBasis: '共享依据（法律法规、政策）',
  shareModeClass: '共享方式分类',
  shareModes: '共享方式类型',
  shareModeReason: '未采用共享平台方式的理由',
  openFlag: '是否向社会开放',
  openCondition: '开放条件',
  items: '信息项',
} as const

export const ITEM_FORM_LABELS = {
  name: '信息项名称',
  nameEn: '英文名（字段名）',
  length: '长度',
  shareCondition: '共享条件',
} as const

/** The list entry for data not yet mounted (SPEC §5.4 rule 6). */
export const MOUNT_MISSING_LABEL = '须先挂接数据'

export const PLATFORM_MODE = '共享平台方式'

const blank = (value: string | null | undefined) => value === null || value === undefined || value.trim().length === 0

/** Which share modes the active mounts serve: the gateway answers 接口 calls from a mounted table too. */
export function modesServed(shareModes: readonly string[], activeMountKinds: ReadonlySet<string>): boolean {
  return shareModes.some((mode) => activeMountKinds.has(mode) || (mode === 'api' && activeMountKinds.has('table')))
}

/**
 * The parts an entry lacks for submission. `activeMountKinds` is the kinds of active mount the entry has;
 * null skips the mount rule (an import, or a check of the content alone).
 */
export function missingForSubmission(entry: DraftContent, activeMountKinds: ReadonlySet<string> | null = null): MissingPart[] {
  const missing: MissingPart[] = []
  const add = (field: string, label: string, message: string) => missing.push({ field, label, message })
  const required = (field: keyof typeof ENTRY_FORM_LABELS, value: unknown) => {
    const label = ENTRY_FORM_LABELS[field]
    if (value === null || value === undefined || (typeof value === 'string' && blank(value))) add(field, label, `${label}不能为空`)
  }
  const items = (entry.items ?? []).filter(Boolean)
  const shareType = deriveShareType(items.map((item) => ({ shareType: Number(item.shareType ?? SHARE_TYPE.unconditional) })))

  required('name', entry.name)
  required('classCode', entry.classCode)
  required('abstract', entry.abstract)
  required('formatClass', entry.formatClass)
  if (entry.formatClass === 9) {
    if (blank(entry.formatOther)) add('formatOther', ENTRY_FORM_LABELS.formatOther, '格式分类为「其他」时须填写其他类型资源格式描述')
  } else {
    required('formatType', entry.formatType)
  }
  required('updateCycle', entry.updateCycle)
  // Rule 7: structured formats need items.
  if ((entry.formatClass === 2 || entry.formatClass === 3) && items.length === 0) {
    add('items', ENTRY_FORM_LABELS.items, '电子表格、数据库类资源须登记信息项')
  }
  // Rule 2 and R-1: conditional / not shared needs conditions and a legal basis.
  if (shareType !== SHARE_TYPE.unconditional) {
    const kind = SHARE_TYPES[shareType]
    if (blank(entry.shareCondition)) add('shareCondition', ENTRY_FORM_LABELS.shareCondition, `${kind}的资源须填写共享条件`)
    if (blank(entry.shareBasis)) add('shareBasis', ENTRY_FORM_LABELS.shareBasis, `${kind}的资源须填写法律法规或政策依据（R-1）`)
  }
  required('openFlag', entry.openFlag)
  if (entry.openFlag && !entry.openCondition) add('openCondition', ENTRY_FORM_LABELS.openCondition, '向社会开放的资源须选择开放条件')
  const modeClass = entry.shareModeClass ?? PLATFORM_MODE
  const shareModes = entry.shareModes ?? []
  if (modeClass === PLATFORM_MODE) {
    if (shareModes.length === 0) add('shareModes', ENTRY_FORM_LABELS.shareModes, '共享平台方式须选择共享方式类型（库表、文件、接口）')
  } else if (blank(entry.shareModeReason)) {
    add('shareModeReason', ENTRY_FORM_LABELS.shareModeReason, `选择「${modeClass}」须说明确因条件所限的理由`)
  }
  const needsColumnNames = shareModes.includes('table')
  items.forEach((item, i) => {
    const at = (field: keyof typeof ITEM_FORM_LABELS, message: string) =>
      add(`items[${i}].${field}`, `第 ${i + 1} 个信息项的${ITEM_FORM_LABELS[field]}`, message)
    if (blank(item.name)) at('name', '信息项名称不能为空')
    if (blank(item.nameEn) && needsColumnNames) at('nameEn', '库表方式共享的资源，信息项须填写英文名（字段名）')
    if (item.dataType === 'C' && !item.length) at('length', '字符型信息项须填写数据长度')
    const itemShareType = Number(item.shareType ?? SHARE_TYPE.unconditional)
    if (itemShareType !== SHARE_TYPE.unconditional && blank(item.shareCondition)) {
      at('shareCondition', `${SHARE_TYPES[itemShareType as 2 | 3]}的信息项须填写共享条件`)
    }
  })
  // SPEC §5.4 rule 6: a platform-mode entry needs an active mount of one of its share modes.
  if (activeMountKinds && modeClass === PLATFORM_MODE && !modesServed(shareModes, activeMountKinds)) {
    add('shareModes', MOUNT_MISSING_LABEL, '共享平台方式的目录须先挂接数据（上传库表、文件或登记接口）才能提交发布')
  }
  return missing
}
