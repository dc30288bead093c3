import { recordAudit } from '../../platform/audit/record.ts'
import type { Ctx } from '../../platform/context.ts'
import type { Executor } from '../../platform/db/database.ts'
import { conflict, fieldError, notFound } from '../../platform/http/errors.ts'
import { findOrg } from '../orgs/index.ts'
import { findClassNode, listClassNodes } from './queries.ts'

export interface ClassTreeNode {
  code: string
  name: string
  leadOrgId: string | null
  children: ClassTreeNode[]
}

/** The classification tree (类 → 项 → 目 → 细目). */
export async function getClassTree(db: Executor): Promise<ClassTreeNode[]> {
  const nodes = await listClassNodes(db)
  const byCode = new Map<string, ClassTreeNode>()
  const roots: ClassTreeNode[] = []
  for (const node of nodes) {
    const tree = { code: node.code, name: node.name, leadOrgId: node.leadOrgId, children: [] }
    byCode.set(node.code, tree)
    const parent = node.parentCode ? byCode.get(node.parentCode) : undefined
    if (parent) parent.children.push(tree)
    else roots.push(tree)
  }
  return roots
}

// 项 adds 2 digits to the 类, 目 3 to the 项, each 细目 3 more (SPEC §4.2).
const childCodeLength = (parentDepth: number, parentCode: string) => parentCode.length + (parentDepth === 1 ? 2 : 3)

export async function createClassNode(ctx: Ctx, input: { parentCode: string; code: string; name: string; leadOrgId?: string }) {
  return ctx.db.transaction().execute(async (trx) => {
    const parent = await findClassNode(trx, input.parentCode)
    if (!parent) throw fieldError('parentCode', '上级分类不存在')
    if (parent.depth >= 4) throw fieldError('parentCode', '细目下不能再分')
    if (!input.code.startsWith(input.parentCode) || input.code.length !== childCodeLength(parent.depth, parent.code)) {
      throw fieldError('code', `分类码应为上级码 ${parent.code} 加 ${parent.depth === 1 ? 2 : 3} 位数字`)
    }
    if (await findClassNode(trx, input.code)) throw conflict(`分类码 ${input.code} 已存在`)
    if (input.leadOrgId && !(await findOrg(trx, input.leadOrgId))) throw fieldError('leadOrgId', '牵头部门不存在')
    await trx
      .insertInto('classNodes')
      .values({ code: input.code, name: input.name, parentCode: parent.code, depth: parent.depth + 1, leadOrgId: input.leadOrgId ?? null })
      .execute()
    await recordAudit(trx, ctx, { action: 'catalog.class.create', objectType: 'class_node', objectId: input.code })
    return { code: input.code, name: input.name, leadOrgId: input.leadOrgId ?? null, children: [] }
  })
}

/**
 * Sets or changes (null clears) the lead department of a class node. A department catalogs under the
 * node it leads, so on a fresh deployment this is how the authority hands each department its place.
 */
export async function setClassLead(ctx: Ctx, code: string, leadOrgId: string | null) {
  return ctx.db.transaction().execute(async (trx) => {
    const node = await findClassNode(trx, code)
    if (!node) throw notFound('分类')
    if (leadOrgId && !(await findOrg(trx, leadOrgId))) throw fieldError('leadOrgId', '牵头部门不存在')
    await trx.updateTable('classNodes').set({ leadOrgId }).where('code', '=', code).execute()
    await recordAudit(trx, ctx, {
      action: 'catalog.class.update',
      objectType: 'class_node',
      objectId: code,
      detail: { leadOrgIdBefore: node.leadOrgId, leadOrgIdAfter: leadOrgId },
    })
    return { code: node.code, name: node.name, leadOrgId }
  })
}
