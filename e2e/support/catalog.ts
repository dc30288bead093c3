/** A catalog item for POST /catalog/resources: 无条件共享, not sensitive, unless `extra` says otherwise. */
export const item = (name: string, nameEn: string, dataType: string, extra: Record<string, unknown> = {}) => ({
  name,
  nameEn,
  dataType,
  ...(dataType === 'C' ? { length: 200 } : {}),
  shareType: 1,
  sensitive: false,
  piCategory: 'none',
  secret: false,
  isPrimaryKey: false,
  isTimestamp: false,
  basicItem: false,
  ...extra,
})
