import { CITY_REGION, COUNTIES } from '../../../common/regions.ts'
import { withUsccCheck } from '../../../common/uscc.ts'

/**
 * The Weifang demo's organisations (API.md "Demo data"): the city sharing authority, the city
 * departments, the 12 county/district tenants and a few departments under each. `key` is the
 * short pinyin abbreviation used in demo usernames (gaj_cataloger, wcq_mzj_approver, …) and by
 * the catalog data to name an entry's provider.
 */

export interface DemoOrg {
  key: string
  name: string
  shortName: string
  kind: 'authority' | 'department' | 'region'
  regionCode: string
  /** Key of the parent org (a county department's region org). */
  parentKey: string | null
  /** 统一社会信用代码; null for a region tenant node. */
  code: string | null
  /** Code of the department's own 目 under its tenant's 项 (部门信息资源目录); null for region nodes. */
  classCode: string | null
}

/** The city sharing authority (市政务信息资源共享主管部门). */
const AUTHORITY = { key: 'dsj', name: '潍坊市大数据局', shortName: '市大数据局' } as const

/** City departments (市直部门), in the order of their 目 under 301. Names are part of the API contract. */
const CITY_DEPARTMENTS = [
  { key: 'gaj', name: '潍坊市公安局', shortName: '市公安局' },
  { key: 'mzj', name: '潍坊市民政局', shortName: '市民政局' },
  { key: 'rsj', name: '潍坊市人力资源和社会保障局', shortName: '市人社局' },
  { key: 'scj', name: '潍坊市市场监督管理局', shortName: '市市场监管局' },
  { key: 'zrj', name: '潍坊市自然资源和规划局', shortName: '市自然资源和规划局' },
  { key: 'zjj', name: '潍坊市住房和城乡建设局', shortName: '市住建局' },
  { key: 'wjw', name: '潍坊市卫生健康委员会', shortName: '市卫健委' },
  { key: 'jyj', name: '潍坊市教育局', shortName: '市教育局' },
  { key: 'fgw', name: '潍坊市发展和改革委员会', shortName: '市发改委' },
  { key: 'ybj', name: '潍坊市医疗保障局', shortName: '市医保局' },
  { key: 'sthj', name: '潍坊市生态环境局', shortName: '市生态环境局' },
] as const

/** Department kinds used at county level: username abbreviation → name after the county's. */
const COUNTY_DEPARTMENT_KINDS = {
  mzj: '民政局',
  scj: '市场监督管理局',
  wjj: '卫生健康局',
  rsj: '人力资源和社会保障局',
  zjj: '住房和城乡建设局',
  jtj: '教育和体育局',
  gaj: '公安局',
  nyj: '农业农村局',
  zrj: '自然资源局',
  wlj: '文化和旅游局',
} as const
type CountyDepartmentKind = keyof typeof COUNTY_DEPARTMENT_KINDS

/** Each county/district tenant (class 项 302–313 in COUNTIES order) with its username prefix and departments. */
const COUNTY_TENANTS: readonly { code: (typeof COUNTIES)[number]['code']; key: string; departments: readonly CountyDepartmentKind[] }[] = [
  { code: '370702', key: 'wcq', departments: ['mzj', 'scj', 'wjj'] },
  { code: '370703', key: 'htq', departments: ['mzj', 'rsj'] },
  { code: '370704', key: 'fzq', departments: ['scj', 'zjj'] },
  { code: '370705', key: 'kwq', departments: ['mzj', 'wjj', 'jtj'] },
  { code: '370724', key: 'lqx', departments: ['gaj', 'nyj'] },
  { code: '370725', key: 'clx', departments: ['scj', 'zrj'] },
  { code: '370781', key: 'qzs', departments: ['wlj', 'mzj', 'gaj'] },
  { code: '370782', key: 'zcs', departments: ['scj', 'rsj'] },
  { code: '370783', key: 'sgs', departments: ['gaj', 'nyj', 'scj'] },
  { code: '370784', key: 'aqs', departments: ['mzj', 'nyj'] },
  { code: '370785', key: 'gms', departments: ['gaj', 'wjj'] },
  { code: '370786', key: 'cys', departments: ['scj', 'mzj'] },
]

/** A government organ's code: 11 + region + a 9-digit organisation code + check character (GB 32100). */
const organUscc = (regionCode: string, serial: number) => withUsccCheck(`11${regionCode}00${String(4185003 + serial * 1307).padStart(7, '0')}`)

const classCodeOf = (tenantItem: number, index: number) => `${tenantItem}${String(index + 1).padStart(3, '0')}`

function buildOrgs(): DemoOrg[] {
  let serial = 0
  const city = CITY_REGION.code
  const cityOrg = (org: { key: string; name: string; shortName: string }, kind: 'authority' | 'department', classCode: string): DemoOrg => ({
    ...org,
    kind,
    regionCode: city,
    parentKey: null,
    code: organUscc(city, serial++),
    classCode,
  })
  // 市直 (项 301): the departments' 目 first, then the authority's own.
  const orgs: DemoOrg[] = [
    cityOrg(AUTHORITY, 'authority', classCodeOf(301, CITY_DEPARTMENTS.length)),
    ...CITY_DEPARTMENTS.map((dept, i) => cityOrg(dept, 'department', classCodeOf(301, i))),
  ]
  COUNTY_TENANTS.forEach((tenant, t) => {
    const county = COUNTIES.find((c) => c.code === tenant.code)!
    orgs.push({
      key: tenant.key,
      name: county.name,
      shortName: county.name,
      kind: 'region',
      regionCode: county.code,
      parentKey: null,
      code: null,
      classCode: null,
    })
    tenant.departments.forEach((kind, i) => {
      const deptName = COUNTY_DEPARTMENT_KINDS[kind]
      orgs.push({
        key: `${tenant.key}_${kind}`,
        name: `潍坊市${county.name}${deptName}`,
        shortName: `${county.name}${deptName}`,
        kind: 'department',
        regionCode: county.code,
        parentKey: tenant.key,
        code: organUscc(county.code, serial++),
        classCode: classCodeOf(302 + t, i),
      })
    })
  })
  return orgs
}

/** Every demo organisation, parents before children. */
export const DEMO_ORGS: readonly DemoOrg[] = buildOrgs()

/** Lead departments of the basic and theme libraries: class code → org key. */
export const LIBRARY_LEADS: Readonly<Record<string, string>> = {
  '101': 'gaj', // 人口
  '101003': 'mzj', // 婚姻与家庭信息: 民政 is the source of marriage registration
  '101004': 'wjw', // 出生与死亡信息: 卫健 issues the medical birth and death certificates
  '102': 'scj', // 法人单位
  '103': 'zrj', // 自然资源和空间地理
  '104': 'fgw', // 社会信用
  '105': 'dsj', // 电子证照
  '201': 'dsj', // 公共服务 (政务服务事项办理)
  '202': 'wjw', // 健康保障
  '203': 'rsj', // 社会保障
  '203002': 'mzj', // 社会救助
  '204': 'scj', // 食品药品安全
  '209': 'zjj', // 城乡建设
  '211': 'sthj', // 生态环保
}
