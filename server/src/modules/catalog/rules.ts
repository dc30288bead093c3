import { missingForSubmission } from '../../../../common/catalog-completeness.ts'
import { FORMAT_TYPES, type FormatClass, SHARE_TYPE, deriveShareType } from '../../../../common/catalog.ts'
import type { ErrorDetail } from '../../platform/http/errors.ts'
import type { CreateResourceBody } from './schemas.ts'

export { deriveShareType }

/**
 * The catalog's cross-field rules (SPEC §5.4 and §5.1–5.2 "rule" column), as pure functions over an
 * entry's content. Each broken rule names its field, so the API and the console can point at it.
 */

export interface RuleEnv {
  networkZone: 'extranet' | 'intranet'
}

const blank = (value: string | null | undefined) => !value || value.trim().length === 0

/** Everything wrong with an entry meant for review: what it lacks, then what contradicts itself. */
export function checkResourceRules(entry: CreateResourceBody, env: RuleEnv): ErrorDetail[] {
  return [...missingForSubmission(entry).map(({ field, message }) => ({ field, message })), ...checkDraftRules(entry, env)]
}

/**
 * The rules a draft must keep even while incomplete: values that contradict each other or the platform.
 * What is merely missing (missingForSubmission) waits for 提交.
 */
export function checkDraftRules(entry: CreateResourceBody, env: RuleEnv): ErrorDetail[] {
  const problems: ErrorDetail[] = []
  const add = (field: string, message: string) => problems.push({ field, message })
  const shareType = deriveShareType(entry.items)

  // 格式分类/类型 (§5.3 F1/F2); a blank 格式类型 is only missing.
  const allowed = FORMAT_TYPES[entry.formatClass as FormatClass] ?? []
  if (entry.formatClass !== 9 && !blank(entry.formatType) && !allowed.some((t) => t.toLowerCase() === entry.formatType.toLowerCase())) {
    add('formatType', `格式类型「${entry.formatType}」不属于所选格式分类，可选：${allowed.join('、')}`)
  }
  // Rule 4: 不予共享 ⇒ 不予开放.
  if (shareType === SHARE_TYPE.notShared && entry.openFlag) add('openFlag', '不予共享的资源不得向社会开放')
  if (entry.openFlag && entry.openCondition === '不予开放') add('openCondition', '向社会开放的资源，开放条件不能是「不予开放」')
  if (!entry.openFlag && entry.openCondition && entry.openCondition !== '不予开放') {
    add('openCondition', '不向社会开放的资源，开放条件只能是「不予开放」')
  }
  // Rule 5: 涉密 never on the 外网 instance (SPEC §8.1 S1).
  if (entry.secret && env.networkZone === 'extranet') add('secret', '本平台为政务外网实例，不得登记涉密信息资源')
  // Share modes (§5.1): the platform is the rule; other modes need a reason (checked on submission).
  if (entry.shareModeClass === '共享平台方式') {
    if (new Set(entry.shareModes).size !== entry.shareModes.length) add('shareModes', '共享方式类型有重复')
  } else if (entry.shareModes.length > 0) {
    add('shareModes', '非共享平台方式不选择共享方式类型')
  }
  if (entry.timeRange?.from && entry.timeRange.to && entry.timeRange.from > entry.timeRange.to) {
    add('timeRange.to', '数据时间范围的结束日期不能早于开始日期')
  }
  problems.push(...checkItems(entry, env))
  return problems
}

function checkItems(entry: CreateResourceBody, env: RuleEnv): ErrorDetail[] {
  const problems: ErrorDetail[] = []
  const names = new Map<string, number>()
  const namesEn = new Map<string, number>()
  const ids = new Set<string>()
  let timestamps = 0
  entry.items.forEach((item, i) => {
    const at = (field: string, message: string) => problems.push({ field: `items[${i}].${field}`, message })
    if (names.has(item.name)) at('name', `信息项名称「${item.name}」与第 ${names.get(item.name)! + 1} 项重复`)
    names.set(item.name, i)
    if (item.nameEn) {
      const key = item.nameEn.toLowerCase()
      if (namesEn.has(key)) at('nameEn', `英文名「${item.nameEn}」与第 ${namesEn.get(key)! + 1} 项重复`)
      namesEn.set(key, i)
    }
    if (item.id) {
      if (ids.has(item.id)) at('id', '信息项编号重复')
      ids.add(item.id)
    }
    // Rule 3: basic information items are shared unconditionally.
    if (item.basicItem && item.shareType !== SHARE_TYPE.unconditional) at('shareType', '基础信息项必须无条件共享（R-2）')
    // Same default as storage (content.ts): an unset item flag follows the entry, never opening 不予共享 items.
    const openFlag = item.openFlag ?? (entry.openFlag && item.shareType !== SHARE_TYPE.notShared)
    if (item.shareType === SHARE_TYPE.notShared && openFlag) at('openFlag', '不予共享的信息项不得向社会开放')
    if (item.openFlag && !entry.openFlag) at('openFlag', '资源不向社会开放时，信息项也不能开放')
    if (item.secret && env.networkZone === 'extranet') at('secret', '本平台为政务外网实例，不得登记涉密信息项')
    if (item.piCategory === 'sensitive_personal' && !item.sensitive) at('sensitive', '敏感个人信息须标记为敏感')
    if (item.isTimestamp) {
      timestamps++
      if (timestamps > 1) at('isTimestamp', '每个资源至多一个时间戳字段')
      if (item.dataType !== 'D' && item.dataType !== 'T') at('isTimestamp', '时间戳字段的数据类型应为日期型或日期时间型')
    }
  })
  return problems
}
