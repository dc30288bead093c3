/** Chinese names of an entry's fields (SPEC §5.1–5.2): version history, diffs, unmatched errors. */
export const FIELD_LABELS: Record<string, string> = {
  name: '信息资源名称',
  nameEn: '英文名称',
  classCode: '资源分类',
  providerSubunit: '提供方内部部门',
  abstract: '资源摘要',
  sourceSystem: '来源信息系统',
  formatClass: '格式分类',
  formatType: '格式类型',
  formatOther: '其他格式描述',
  shareType: '共享类型',
  shareCondition: '共享条件',
  shareBasis: '共享依据',
  shareModeClass: '共享方式分类',
  shareModeReason: '非平台方式理由',
  shareModes: '共享方式类型',
  openFlag: '向社会开放',
  openCondition: '开放条件',
  updateCycle: '更新周期',
  updateTimeLimit: '更新时限',
  relatedCodes: '关联资源代码',
  secret: '涉密属性',
  dataGrade: '数据分级',
  survey: '普查统计',
  dutyRefs: '关联权责事项',
  spaceScope: '空间范围',
  timeRange: '数据时间范围',
  timeRangeFrom: '数据时间范围（起）',
  timeRangeTo: '数据时间范围（止）',
  'timeRange.to': '数据时间范围（止）',
  syncMech: '同步机制',
  physDelete: '存在物理删除',
  contactName: '联系人',
  contactPhone: '联系电话',
  items: '信息项',
}

export const ITEM_FIELD_LABELS: Record<string, string> = {
  id: '编号',
  name: '信息项名称',
  nameEn: '英文名',
  dataType: '数据类型',
  length: '长度',
  precision: '精度',
  shareType: '共享类型',
  shareCondition: '共享条件',
  openFlag: '向社会开放',
  sensitive: '敏感',
  piCategory: '个人信息类别',
  secret: '涉密',
  isPrimaryKey: '主键',
  isTimestamp: '时间戳字段',
  basicItem: '基础信息项',
  dataElementRef: '关联数据元',
  authoritativeSourceOrgId: '数源部门',
  description: '说明',
}

export const fieldLabel = (field: string) => FIELD_LABELS[field] ?? field

/** `items[2].shareCondition` → `第 3 个信息项的共享条件` */
export function problemFieldLabel(field: string): string {
  const m = /^items\[(\d+)\](?:\.(\w+))?$/.exec(field)
  if (m) return `第 ${Number(m[1]) + 1} 个信息项${m[2] ? `的${ITEM_FIELD_LABELS[m[2]] ?? m[2]}` : ''}`
  return FIELD_LABELS[field] ?? field
}
