/** 潍坊市 and its 12 counties/districts (GB/T 2260), the tenants of the city platform (SPEC §2.1). */
export const CITY_REGION = { code: '370700', name: '潍坊市' } as const

export const COUNTIES = [
  { code: '370702', name: '潍城区' },
  { code: '370703', name: '寒亭区' },
  { code: '370704', name: '坊子区' },
  { code: '370705', name: '奎文区' },
  { code: '370724', name: '临朐县' },
  { code: '370725', name: '昌乐县' },
  { code: '370781', name: '青州市' },
  { code: '370782', name: '诸城市' },
  { code: '370783', name: '寿光市' },
  { code: '370784', name: '安丘市' },
  { code: '370785', name: '高密市' },
  { code: '370786', name: '昌邑市' },
] as const

export const REGION_CODES: readonly string[] = [CITY_REGION.code, ...COUNTIES.map((c) => c.code)]
export const regionName = (code: string) => (code === CITY_REGION.code ? CITY_REGION.name : (COUNTIES.find((c) => c.code === code)?.name ?? null))
