import {
  DATA_GRADES,
  DATA_TYPES,
  FORMAT_CLASSES,
  OPEN_CONDITIONS,
  PI_CATEGORIES,
  SHARE_MODE_CLASSES,
  SHARE_MODES,
  SHARE_TYPES,
  SPACE_SCOPES,
  SYNC_MECHS,
  UPDATE_CYCLES,
} from '../../../../../common/catalog.ts'
import type { ResourceOut } from '../schemas.ts'
import { type Parser, choice, classCode, date, decimal, flag, integer, list, normalize, selfLabelled, text } from './values.ts'
import { beijingDateOf } from '../../../platform/calendar/dates.ts'

/**
 * Workbook layout of catalog import and export: the columns of the national 2017 catalog template
 * (《政务信息资源目录编制指南（试行）》 and its 大普查 spreadsheet), one entry per row, with the
 * template's 信息项信息 moved to a second sheet. Export writes exactly this layout and import reads
 * it, so an exported file re-imports as it is.
 *
 * Sheet 「信息资源」: line 1 holds the headers, every following line one entry.
 *   序号 · 信息资源名称* · 信息资源代码 · 信息资源提供方 · 提供方内部部门 · 资源提供方代码 · 信息资源摘要* ·
 *   信息资源格式分类* · 信息资源格式类型* · 其他类型资源格式描述 · the six 大普查 numbers (数据存储总量（G）…
 *   已开放结构化记录数（万）) · 共享类型 · 共享条件 · 共享依据 · 共享方式分类 · 共享方式类型 · 非平台方式理由 ·
 *   是否向社会开放* · 开放条件 · 更新周期* · 更新时限 · 发布日期 · 关联资源代码 · 信息资源分类(分类码)* ·
 *   分类名称 · 涉密属性 · 数据分级 · 联系人 · 联系电话 · 信息资源英文名 · 来源信息系统名称 · 关联权责事项 ·
 *   空间范围 · 数据时间范围(起) · 数据时间范围(止) · 数据同步机制 · 是否存在物理删除 · 层级属性 · 状态 · 版本
 * Sheet 「信息项」: line 1 holds the headers, every following line one item of the entry whose 序号
 *   is in 资源序号 (items keep their line order).
 *   资源序号 · 信息资源名称 · 信息项名称* · 英文名 · 数据类型* · 数据长度 · 数据精度 · 共享类型* · 共享条件 ·
 *   是否开放 · 敏感属性 · 个人信息类别 · 涉密 · 主键 · 时间戳字段 · 基础信息项 · 关联数据元 · 说明
 * Sheet 「说明」 (export only, ignored on import): when, by whom, the filters, and the accepted values.
 *
 * Import rules:
 * - Columns are found by header, in any order; missing optional columns are blank. Headers are
 *   compared without spaces, "*" marks or full-width brackets, and the template's variants are
 *   accepted (e.g. 「共享条件/不予共享依据」, 「关联及类目名称」, 「信息资源提供方代码」). Unknown
 *   headers are ignored and reported. A grouped two-line header (line 1 「共享属性」 over line 2
 *   「共享类型」「共享条件」, as in the template) is recognised; data then starts on line 3.
 * - * marks the required columns. Export-only columns (信息资源代码, 信息资源提供方, 发布日期,
 *   分类名称, 层级属性, 状态, 版本) are ignored: an import always creates drafts of the importer's own
 *   department, and codes and dates are assigned on publication.
 * - 资源提供方代码, when filled, must be the importer's department's 统一社会信用代码; 共享类型 of the
 *   entry, when filled, must agree with the type derived from its items (SPEC §5.4 rule 1).
 * - Values may be the Chinese labels of SPEC §5.3 or the API codes (「有条件共享」 or 2, 「字符型」 or C).
 *   Several values in one cell (共享方式类型, 关联资源代码, 关联权责事项) are separated by 、，；.
 * - On 「信息项」, a blank 资源序号 links the item by 信息资源名称; with both blank, the item belongs to
 *   the entry of the line above (so a 资源序号 written once per group, or a merged cell, works).
 * - Merged cells are read as their top-left cell only; formulas are read as their saved result.
 */

export const RESOURCE_SHEET = '信息资源'
export const ITEM_SHEET = '信息项'
export const NOTES_SHEET = '说明'

/** A value written to a cell. */
export type CellOut = string | number | null

export type ItemOut = ResourceOut['items'][number]
export interface ResourceLine {
  r: ResourceOut
  seq: number
}
export interface ItemLine {
  item: ItemOut
  r: ResourceOut
  seq: number
}

export interface Column<Line> {
  /** The template's header (Chinese), written on export. */
  header: string
  /** Other spellings accepted on import. */
  aliases?: readonly string[]
  /**
   * Where an imported value goes: a path in CreateResourceBody / ItemInput (`survey.storageGb`), or a
   * `$name` kept for a check only. Absent: the column is written on export and ignored on import.
   */
  field?: string
  required?: boolean
  /** Cell → value; plain text when absent. */
  parse?: Parser<unknown>
  /** Offered as a drop-down list in the exported workbook. */
  choices?: readonly string[]
  width?: number
  write: (line: Line) => CellOut
}

// Spellings seen in real templates and portals, beyond the labels of common/catalog.ts.
const UPDATE_CYCLE_ALIASES = { 每天: 2, 每星期: 3, 每季: 5, 半年: 6, 每年度: 7, 不定期: 8, 其他: 8 } as const
const SHARE_TYPE_ALIASES = { 无条件: 1, 有条件: 2 } as const
const SHARE_MODE_ALIASES = { 数据库: 'table', '库表(数据库)': 'table', 服务接口: 'api', '接口(服务)': 'api', 服务: 'api' } as const
const DATA_TYPE_ALIASES = {
  ...Object.fromEntries(Object.entries(DATA_TYPES).map(([code, label]) => [label.replace(/型$/, ''), code])),
  字符串: 'C',
  整数: 'I',
} as Record<string, keyof typeof DATA_TYPES>

const yesNo = (v: boolean | null | undefined) => (v === null || v === undefined ? null : v ? '是' : '否')
const secretLabel = (v: boolean) => (v ? '涉密' : '非涉密')
const join = (values: readonly string[], separator = '、') => (values.length ? values.join(separator) : null)
/** A publication time as its date in Beijing (+08:00). */
const beijingDate = (at: Date | null) => (at ? beijingDateOf(at) : null)

const YES_NO = ['是', '否'] as const
const shareTypeChoice = choice(SHARE_TYPES, { numeric: true, aliases: SHARE_TYPE_ALIASES })
const secretFlag = flag({ yes: ['涉密'], no: ['非涉密', '不涉密'] })

export const RESOURCE_COLUMNS: readonly Column<ResourceLine>[] = [
  { header: '序号', field: '$seq', width: 6, write: (l) => l.seq },
  { header: '信息资源名称', aliases: ['资源名称'], field: 'name', required: true, width: 28, write: (l) => l.r.name },
  { header: '信息资源代码', aliases: ['资源代码'], width: 16, write: (l) => l.r.code },
  { header: '信息资源提供方', aliases: ['资源提供单位', '提供单位'], width: 20, write: (l) => l.r.providerName },
  { header: '提供方内部部门', aliases: ['下设机构', '内设机构'], field: 'providerSubunit', width: 14, write: (l) => l.r.providerSubunit },
  { header: '资源提供方代码', aliases: ['信息资源提供方代码', '提供方代码'], field: '$providerCode', width: 22, write: (l) => l.r.providerCode },
  { header: '信息资源摘要', aliases: ['资源摘要', '摘要'], field: 'abstract', required: true, width: 40, write: (l) => l.r.abstract },
  {
    header: '信息资源格式分类',
    aliases: ['格式分类'],
    field: 'formatClass',
    required: true,
    parse: choice(FORMAT_CLASSES, { numeric: true, strip: /类$/ }),
    choices: Object.values(FORMAT_CLASSES),
    width: 12,
    write: (l) => l.r.formatClassLabel,
  },
  { header: '信息资源格式类型', aliases: ['格式类型'], field: 'formatType', required: true, width: 12, write: (l) => l.r.formatType },
  { header: '其他类型资源格式描述', field: 'formatOther', width: 16, write: (l) => l.r.formatOther },
  { header: '数据存储总量（G）', field: 'survey.storageGb', parse: decimal, write: (l) => l.r.survey.storageGb ?? null },
  { header: '结构化信息记录总数（万）', field: 'survey.records10k', parse: decimal, write: (l) => l.r.survey.records10k ?? null },
  {
    header: '已共享的数据存储量（G）',
    aliases: ['已共享数据存储量（G）'],
    field: 'survey.sharedStorageGb',
    parse: decimal,
    write: (l) => l.r.survey.sharedStorageGb ?? null,
  },
  { header: '已共享结构化记录数（万）', field: 'survey.sharedRecords10k', parse: decimal, write: (l) => l.r.survey.sharedRecords10k ?? null },
  {
    header: '已开放的数据存储量（G）',
    aliases: ['已开放数据存储量（G）'],
    field: 'survey.openStorageGb',
    parse: decimal,
    write: (l) => l.r.survey.openStorageGb ?? null,
  },
  { header: '已开放结构化记录数（万）', field: 'survey.openRecords10k', parse: decimal, write: (l) => l.r.survey.openRecords10k ?? null },
  {
    header: '共享类型',
    field: '$shareType',
    parse: shareTypeChoice,
    choices: Object.values(SHARE_TYPES),
    width: 12,
    write: (l) => l.r.shareTypeLabel,
  },
  { header: '共享条件', aliases: ['共享条件/不予共享依据', '不予共享依据'], field: 'shareCondition', width: 24, write: (l) => l.r.shareCondition },
  { header: '共享依据', aliases: ['法律法规依据', '政策依据', '共享依据(法律法规/政策)'], field: 'shareBasis', width: 24, write: (l) => l.r.shareBasis },
  {
    header: '共享方式分类',
    field: 'shareModeClass',
    parse: choice(selfLabelled(SHARE_MODE_CLASSES), { aliases: { 共享平台: '共享平台方式', 平台方式: '共享平台方式' } }),
    choices: SHARE_MODE_CLASSES,
    width: 14,
    write: (l) => l.r.shareModeClass,
  },
  {
    header: '共享方式类型',
    field: 'shareModes',
    parse: list(choice(SHARE_MODES, { aliases: SHARE_MODE_ALIASES })),
    width: 14,
    write: (l) => join(l.r.shareModes.map((m) => SHARE_MODES[m as keyof typeof SHARE_MODES] ?? m)),
  },
  { header: '非平台方式理由', aliases: ['非平台共享方式理由', '共享方式说明'], field: 'shareModeReason', width: 16, write: (l) => l.r.shareModeReason },
  {
    header: '是否向社会开放',
    aliases: ['是否开放'],
    field: 'openFlag',
    required: true,
    parse: flag(),
    choices: YES_NO,
    width: 10,
    write: (l) => yesNo(l.r.openFlag),
  },
  {
    header: '开放条件',
    aliases: ['开放类型'],
    field: 'openCondition',
    parse: choice(selfLabelled(OPEN_CONDITIONS), { aliases: { 依申请开放: '有条件开放', 不开放: '不予开放' } }),
    choices: OPEN_CONDITIONS,
    width: 12,
    write: (l) => l.r.openCondition,
  },
  {
    header: '更新周期',
    aliases: ['更新频率'],
    field: 'updateCycle',
    required: true,
    parse: choice(UPDATE_CYCLES, { numeric: true, aliases: UPDATE_CYCLE_ALIASES }),
    choices: Object.values(UPDATE_CYCLES),
    width: 10,
    write: (l) => l.r.updateCycleLabel,
  },
  { header: '更新时限', aliases: ['具体更新时间'], field: 'updateTimeLimit', width: 12, write: (l) => l.r.updateTimeLimit },
  { header: '发布日期', width: 12, write: (l) => beijingDate(l.r.publishedAt) },
  {
    header: '关联资源代码',
    aliases: ['关联及类目名称'],
    field: 'relatedCodes',
    parse: list(text, { spaces: true }),
    width: 20,
    write: (l) => join(l.r.relatedCodes),
  },
  {
    header: '信息资源分类(分类码)',
    aliases: ['信息资源分类', '分类码', '资源分类'],
    field: 'classCode',
    required: true,
    parse: classCode,
    width: 12,
    write: (l) => l.r.classCode,
  },
  { header: '分类名称', width: 14, write: (l) => l.r.className },
  { header: '涉密属性', field: 'secret', parse: secretFlag, choices: ['非涉密', '涉密'], width: 10, write: (l) => secretLabel(l.r.secret) },
  { header: '数据分级', field: 'dataGrade', parse: choice(selfLabelled(DATA_GRADES)), choices: DATA_GRADES, width: 10, write: (l) => l.r.dataGrade },
  { header: '联系人', aliases: ['共享咨询联系人'], field: 'contactName', width: 10, write: (l) => l.r.contactName },
  { header: '联系电话', aliases: ['共享咨询电话', '联系方式'], field: 'contactPhone', width: 14, write: (l) => l.r.contactPhone },
  { header: '信息资源英文名', field: 'nameEn', width: 16, write: (l) => l.r.nameEn },
  { header: '来源信息系统名称', aliases: ['来源信息系统'], field: 'sourceSystem', width: 16, write: (l) => l.r.sourceSystem },
  {
    header: '关联权责事项',
    aliases: ['关联政务服务事项', '关联业务事项'],
    field: 'dutyRefs',
    parse: list(text),
    width: 20,
    write: (l) => join(l.r.dutyRefs, '；'),
  },
  {
    header: '空间范围',
    field: 'spaceScope',
    parse: choice(selfLabelled(SPACE_SCOPES), { aliases: { 区县: '区县(市)' } }),
    choices: SPACE_SCOPES,
    write: (l) => l.r.spaceScope,
  },
  { header: '数据时间范围(起)', aliases: ['数据起始时间'], field: 'timeRange.from', parse: date, width: 12, write: (l) => l.r.timeRange.from },
  { header: '数据时间范围(止)', aliases: ['数据截止时间'], field: 'timeRange.to', parse: date, width: 12, write: (l) => l.r.timeRange.to },
  { header: '数据同步机制', field: 'syncMech', parse: choice(selfLabelled(SYNC_MECHS)), choices: SYNC_MECHS, write: (l) => l.r.syncMech },
  { header: '是否存在物理删除', aliases: ['数据是否存在物理删除'], field: 'physDelete', parse: flag(), choices: YES_NO, write: (l) => yesNo(l.r.physDelete) },
  { header: '层级属性', width: 8, write: (l) => l.r.levelAttr },
  { header: '状态', width: 8, write: (l) => l.r.statusLabel },
  { header: '版本', width: 6, write: (l) => l.r.version },
]

export const ITEM_COLUMNS: readonly Column<ItemLine>[] = [
  { header: '资源序号', aliases: ['信息资源序号'], field: '$seq', width: 8, write: (l) => l.seq },
  { header: '信息资源名称', field: '$resourceName', width: 24, write: (l) => l.r.name },
  { header: '信息项名称', field: 'name', required: true, width: 20, write: (l) => l.item.name },
  { header: '英文名', aliases: ['信息项英文名', '技术名', '字段名'], field: 'nameEn', width: 16, write: (l) => l.item.nameEn },
  {
    header: '数据类型',
    field: 'dataType',
    required: true,
    parse: choice(DATA_TYPES, { aliases: DATA_TYPE_ALIASES }),
    choices: Object.values(DATA_TYPES),
    width: 10,
    write: (l) => DATA_TYPES[l.item.dataType as keyof typeof DATA_TYPES] ?? l.item.dataType,
  },
  { header: '数据长度', field: 'length', parse: integer, width: 8, write: (l) => l.item.length },
  { header: '数据精度', aliases: ['小数位数'], field: 'precision', parse: integer, width: 8, write: (l) => l.item.precision },
  {
    header: '共享类型',
    field: 'shareType',
    required: true,
    parse: shareTypeChoice,
    choices: Object.values(SHARE_TYPES),
    width: 12,
    write: (l) => l.item.shareTypeLabel,
  },
  { header: '共享条件', aliases: ['共享条件/不予共享依据', '不予共享依据'], field: 'shareCondition', width: 24, write: (l) => l.item.shareCondition },
  { header: '是否开放', aliases: ['是否向社会开放'], field: 'openFlag', parse: flag(), choices: YES_NO, width: 8, write: (l) => yesNo(l.item.openFlag) },
  {
    header: '敏感属性',
    aliases: ['是否敏感'],
    field: 'sensitive',
    parse: flag({ yes: ['敏感'], no: ['非敏感', '不敏感'] }),
    choices: ['非敏感', '敏感'],
    width: 8,
    write: (l) => (l.item.sensitive ? '敏感' : '非敏感'),
  },
  {
    header: '个人信息类别',
    field: 'piCategory',
    parse: choice(PI_CATEGORIES, { aliases: { 否: 'none', 非个人信息: 'none', 一般个人信息: 'personal' } }),
    choices: Object.values(PI_CATEGORIES),
    width: 12,
    write: (l) => PI_CATEGORIES[l.item.piCategory as keyof typeof PI_CATEGORIES] ?? l.item.piCategory,
  },
  {
    header: '涉密',
    aliases: ['涉密属性', '是否涉密'],
    field: 'secret',
    parse: secretFlag,
    choices: ['非涉密', '涉密'],
    width: 8,
    write: (l) => secretLabel(l.item.secret),
  },
  { header: '主键', aliases: ['是否主键'], field: 'isPrimaryKey', parse: flag(), choices: YES_NO, width: 6, write: (l) => yesNo(l.item.isPrimaryKey) },
  {
    header: '时间戳字段',
    aliases: ['是否时间戳', '时间戳'],
    field: 'isTimestamp',
    parse: flag(),
    choices: YES_NO,
    width: 8,
    write: (l) => yesNo(l.item.isTimestamp),
  },
  { header: '基础信息项', aliases: ['是否基础信息项'], field: 'basicItem', parse: flag(), choices: YES_NO, width: 8, write: (l) => yesNo(l.item.basicItem) },
  { header: '关联数据元', field: 'dataElementRef', width: 12, write: (l) => l.item.dataElementRef },
  { header: '说明', aliases: ['备注'], field: 'description', width: 20, write: (l) => l.item.description },
]

/** Header text → column, by the normalized header and its aliases. */
export function headerIndex<L>(columns: readonly Column<L>[]): Map<string, Column<L>> {
  const index = new Map<string, Column<L>>()
  for (const column of columns) {
    for (const name of [column.header, ...(column.aliases ?? [])]) index.set(normalize(name), column)
  }
  return index
}

/** The parser of a column that is imported (plain text by default). */
export const parserOf = <L>(column: Column<L>): Parser<unknown> => column.parse ?? text

/** For an error about an entry's `items` as a whole (e.g. 「数据库类资源须登记信息项」). */
export const ITEMS_PSEUDO_COLUMN = '信息项'

/**
 * The column that holds a body field, for a problem reported on `path` (`survey.storageGb`,
 * `shareModes.1`): the column whose field is the longest prefix of the path.
 */
export function columnForPath<L>(columns: readonly Column<L>[], path: readonly (string | number)[]): Column<L> | undefined {
  const dotted = path.join('.')
  let best: Column<L> | undefined
  for (const column of columns) {
    const field = column.field
    if (!field || field.startsWith('$')) continue
    if ((dotted === field || dotted.startsWith(`${field}.`)) && (!best || field.length > best.field!.length)) best = column
  }
  return best
}
