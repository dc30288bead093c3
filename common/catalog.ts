/** Catalog enumerations (SPEC §5.3) shared by server and console. */

export const SHARE_TYPES = { 1: '无条件共享', 2: '有条件共享', 3: '不予共享' } as const
export type ShareType = 1 | 2 | 3
/** The share types by name (code compares with these, never with a bare 1, 2 or 3). */
export const SHARE_TYPE = { unconditional: 1, conditional: 2, notShared: 3 } as const satisfies Record<string, ShareType>

/** SPEC §5.4 rule 1: all items 1 ⇒ 1; all items 3 ⇒ 3; otherwise 2 ("only part can be provided"). No items ⇒ 1. */
export function deriveShareType(items: readonly { shareType: number }[]): ShareType {
  if (items.length === 0 || items.every((item) => item.shareType === SHARE_TYPE.unconditional)) return SHARE_TYPE.unconditional
  if (items.every((item) => item.shareType === SHARE_TYPE.notShared)) return SHARE_TYPE.notShared
  return SHARE_TYPE.conditional
}

export const FORMAT_CLASSES = {
  1: '电子文件',
  2: '电子表格',
  3: '数据库',
  4: '图形图像',
  5: '流媒体',
  6: '自描述格式',
  7: '服务接口',
  9: '其他',
} as const
export type FormatClass = 1 | 2 | 3 | 4 | 5 | 6 | 7 | 9

/** Allowed 格式类型 per 格式分类 (SPEC §5.3 F2, with the common additions). Compared case-insensitively. */
export const FORMAT_TYPES: Record<FormatClass, readonly string[]> = {
  1: ['OFD', 'wps', 'xml', 'txt', 'doc', 'docx', 'html', 'pdf', 'ppt', 'pptx', 'json', 'csv'],
  2: ['et', 'xls', 'xlsx', 'csv'],
  3: ['Dm', 'KingbaseES', 'access', 'dbf', 'dbase', 'sysbase', 'oracle', 'sql server', 'db2', 'MySQL', 'PostgreSQL'],
  4: ['jpg', 'gif', 'bmp', 'png', 'tif'],
  5: ['swf', 'rm', 'mpg', 'mp4'],
  6: ['自描述'],
  7: ['RESTful', 'SOAP', 'WebService'],
  9: ['其他'],
}

// How product names are written (the 2017 template lists some in lower case).
const FORMAT_TYPE_NAMES: Record<string, string> = {
  dm: '达梦（DM）',
  kingbasees: '人大金仓（KingbaseES）',
  access: 'Access',
  dbase: 'dBASE',
  sysbase: 'Sybase',
  oracle: 'Oracle',
  'sql server': 'SQL Server',
  mysql: 'MySQL',
  postgresql: 'PostgreSQL',
  wps: 'WPS',
  et: 'WPS 表格（et）',
  restful: 'RESTful',
  soap: 'SOAP',
  webservice: 'WebService',
}

/** A 格式类型 as people write it: product names in their own spelling, file extensions in capitals. */
export function formatTypeLabel(formatType: string): string {
  const known = FORMAT_TYPE_NAMES[formatType.toLowerCase()]
  if (known) return known
  return /^[a-z0-9]+$/.test(formatType) ? formatType.toUpperCase() : formatType
}

export const UPDATE_CYCLES = {
  1: '实时',
  2: '每日',
  3: '每周',
  4: '每月',
  5: '每季度',
  6: '每半年',
  7: '每年',
  8: '其他/不定期',
} as const
export type UpdateCycle = 1 | 2 | 3 | 4 | 5 | 6 | 7 | 8

export const DATA_TYPES = {
  C: '字符型',
  N: '数值型',
  Y: '货币型',
  D: '日期型',
  T: '日期时间型',
  L: '逻辑型',
  M: '备注型',
  G: '通用型',
  B: '双精度型',
  I: '整型',
  F: '浮点型',
} as const
export type DataType = keyof typeof DATA_TYPES

export const SHARE_MODES = { table: '库表', file: '文件', api: '接口' } as const
export type ShareMode = keyof typeof SHARE_MODES

export const SHARE_MODE_CLASSES = ['共享平台方式', '邮件', '拷盘', '介质交换(纸质报表)', '介质交换(电子文档)'] as const
export type ShareModeClass = (typeof SHARE_MODE_CLASSES)[number]

export const OPEN_CONDITIONS = ['无条件开放', '有条件开放', '不予开放'] as const

export const PI_CATEGORIES = { none: '无', personal: '个人信息', sensitive_personal: '敏感个人信息' } as const
export type PiCategory = keyof typeof PI_CATEGORIES

export const DATA_GRADES = ['一般数据', '重要数据', '核心数据'] as const
export const SPACE_SCOPES = ['全市', '市直', '区县(市)'] as const
export const SYNC_MECHS = ['增量', '全量'] as const
export const LEVEL_ATTRS = { department: '部门', city: '市级' } as const

export const RESOURCE_STATUSES = {
  draft: '草稿',
  pending_review: '待审核',
  returned: '已退回',
  published: '已发布',
  withdrawn: '已下架',
} as const
export type ResourceStatus = keyof typeof RESOURCE_STATUSES

export const CHANGE_EVENT_KINDS = { law_revision: '法律法规修订', function_change: '职能调整' } as const
export type ChangeEventKind = keyof typeof CHANGE_EVENT_KINDS
/** Every kind an event may have: the two above, which users record, and those the platform opens itself. */
export const CHANGE_EVENT_KIND_LABELS = { ...CHANGE_EVENT_KINDS, coordination_decision: '协调决定' } as const

/** Class 1 (基础) and 2 (主题) level-2 nodes, in the 指南 order (SPEC §4.1, §4.2). */
export const CLASS_ROOTS = { '1': '基础信息资源目录', '2': '主题信息资源目录', '3': '部门信息资源目录' } as const
