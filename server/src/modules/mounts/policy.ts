import type { Actor } from '../../platform/auth/actor.ts'
import type { Rule } from '../../platform/auth/rules.ts'

/** A catalog entry as far as mounting cares: who provides it. */
export interface MountSubject {
  providerOrgId: string
}

const ownOrg = (actor: Actor, subject: MountSubject) => subject.providerOrgId === actor.orgId
const authorityOrOwnOrg = (actor: Actor, subject: MountSubject) => actor.roles.includes('AUTH_ADMIN') || ownOrg(actor, subject)

export const mountRules = {
  'mounts.table.upload': { roles: ['CATALOGER'], when: ownOrg, describe: '本单位编目员上传库表数据（CSV/XLSX），整批替换' },
  'mounts.file.upload': { roles: ['CATALOGER'], when: ownOrg, describe: '本单位编目员上传文件（保留历史版本）' },
  'mounts.api.register': { roles: ['CATALOGER'], when: ownOrg, describe: '本单位编目员登记上游接口' },
  'mounts.mount.list': { roles: 'any-user', describe: '能看到目录的用户查看挂接情况（上游地址、表名仅提供方和主管部门可见）' },
  // The reasons quote the refused cells (a mistyped 身份证号 is still one): other departments never see them.
  'mounts.batch.rejections.read': {
    roles: ['CATALOGER', 'DEPT_ADMIN', 'AUTH_ADMIN'],
    when: authorityOrOwnOrg,
    describe: '提供方编目员、单位管理员与主管部门查看导入批次中被跳过的行及原因（含单元格的值）',
  },
  'mounts.file.list': { roles: 'any-user', describe: '能看到目录的用户查看文件版本（不含内容）' },
} satisfies Record<string, Rule<MountSubject> | Rule<never>>
