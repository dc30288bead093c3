import { type PolicyActor as Actor, type Rule, isAuthority } from './rules.ts'

/** A catalog entry as far as mounting cares: who provides it. */
export interface MountSubject {
  providerOrgId: string
}

const ownOrg = (actor: Actor, subject: MountSubject) => subject.providerOrgId === actor.orgId

export const mountRules = {
  'mounts.table.upload': {
    roles: ['CATALOGER'],
    visibility: 'catalog.resource.read',
    when: ownOrg,
    describe: '本单位编目员上传库表数据（CSV/XLSX），整批替换',
  },
  'mounts.table.restore': {
    roles: ['CATALOGER', 'DEPT_ADMIN'],
    visibility: 'catalog.resource.read',
    when: ownOrg,
    describe: '本单位编目员、单位管理员在保留期内恢复被替换的上一批次库表数据',
  },
  'mounts.file.upload': { roles: ['CATALOGER'], visibility: 'catalog.resource.read', when: ownOrg, describe: '本单位编目员上传文件（保留历史版本）' },
  'mounts.api.register': { roles: ['CATALOGER'], visibility: 'catalog.resource.read', when: ownOrg, describe: '本单位编目员登记上游接口' },
  'mounts.mount.list': {
    roles: 'any-user',
    visibility: 'catalog.resource.read',
    describe: '能看到目录的用户查看挂接情况（上游地址、表名仅提供方和主管部门可见）',
  },
  'mounts.file.list': { roles: 'any-user', visibility: 'catalog.resource.read', describe: '能看到目录的用户查看文件版本（不含内容）' },
  // The reasons quote the refused cells (a mistyped 身份证号 is still one): other departments never see them.
  'mounts.batch.rejections.read': {
    roles: ['CATALOGER', 'DEPT_ADMIN', 'AUTH_ADMIN'],
    when: (actor: Actor, subject: MountSubject) => isAuthority(actor) || subject.providerOrgId === actor.orgId,
    describe: '提供方编目员、单位管理员与主管部门查看导入批次中被跳过的行及原因（含单元格的值）',
  },
  'mounts.internals.read': {
    roles: 'any-user',
    when: (actor: Actor, subject: MountSubject) => isAuthority(actor) || subject.providerOrgId === actor.orgId,
    describe: '挂接的内部信息（上游地址、表名、批次）仅提供方和主管部门可见',
  },
} as const satisfies Record<string, Rule<MountSubject> | Rule<never>>
