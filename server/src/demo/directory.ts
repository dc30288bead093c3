import { randomUUID } from 'node:crypto'
import type { Actor } from '../platform/auth/actor.ts'
import { hashPassword } from '../platform/auth/passwords.ts'
import type { Db } from '../platform/db/database.ts'
import { DEMO_ORGS, type DemoOrg, LIBRARY_LEADS } from './orgs.ts'
import { DEMO_PASSWORD, DEMO_USERS, type DemoUser } from './users.ts'

/** The demo's organisations and accounts once stored, and how to act as one of them. */
export interface DemoDirectory {
  org(key: string): DemoOrg & { id: string }
  user(username: string): DemoUser & { id: string }
  /** The catalog actor of an org: its first CATALOGER. */
  catalogerOf(orgKey: string): DemoUser & { id: string }
  actor(username: string): Actor
  classNodes: number
}

/**
 * Stores orgs, users and the departments' 目 (with the libraries' lead departments) in one
 * transaction. Ids are made here so parents and users can be written in single inserts.
 */
export async function loadDirectory(db: Db, createdAt: Date): Promise<DemoDirectory> {
  const orgs = new Map(DEMO_ORGS.map((org) => [org.key, { ...org, id: randomUUID() }]))
  const users = new Map(DEMO_USERS.map((user) => [user.username, { ...user, id: randomUUID() }]))
  const org = (key: string) => {
    const found = orgs.get(key)
    if (!found) throw new Error(`demo data names an unknown org key "${key}"`)
    return found
  }
  const passwordHash = await hashPassword(DEMO_PASSWORD)
  const departmentNodes = [...orgs.values()].filter((o) => o.classCode !== null)

  await db.transaction().execute(async (trx) => {
    await trx
      .insertInto('orgs')
      .values(
        [...orgs.values()].map((o) => ({
          id: o.id,
          name: o.name,
          shortName: o.shortName,
          code: o.code,
          regionCode: o.regionCode,
          parentId: o.parentKey ? org(o.parentKey).id : null,
          kind: o.kind,
          createdAt,
        })),
      )
      .execute()
    await trx
      .insertInto('users')
      .values(
        [...users.values()].map((u) => ({
          id: u.id,
          username: u.username,
          name: u.name,
          orgId: org(u.orgKey).id,
          roles: u.roles,
          passwordHash,
          mobile: u.mobile,
          createdAt,
        })),
      )
      .execute()
    // One 目 per department under its tenant's 项 (301 市直, 302–313 the counties), led by that department.
    await trx
      .insertInto('classNodes')
      .values(
        departmentNodes.map((o) => ({
          code: o.classCode!,
          name: o.name,
          parentCode: o.classCode!.slice(0, 3),
          depth: 3,
          leadOrgId: o.id,
          sort: Number(o.classCode!.slice(3)),
        })),
      )
      .execute()
    for (const [code, key] of Object.entries(LIBRARY_LEADS)) {
      const result = await trx
        .updateTable('classNodes')
        .set({ leadOrgId: org(key).id })
        .where('code', '=', code)
        .executeTakeFirst()
      if (result.numUpdatedRows !== 1n) throw new Error(`class node ${code} is missing: the demo expects the reference class tree`)
    }
  })

  const user = (username: string) => {
    const found = users.get(username)
    if (!found) throw new Error(`demo data names an unknown user "${username}"`)
    return found
  }
  const sessionId = randomUUID()
  return {
    org,
    user,
    catalogerOf(orgKey) {
      const found = [...users.values()].find((u) => u.orgKey === orgKey && u.roles.includes('CATALOGER'))
      if (!found) throw new Error(`org "${orgKey}" has no demo cataloger`)
      return found
    },
    actor(username) {
      const u = user(username)
      const o = org(u.orgKey)
      return { userId: u.id, username: u.username, name: u.name, orgId: o.id, orgName: o.name, orgKind: o.kind, roles: u.roles, sessionId }
    },
    classNodes: departmentNodes.length,
  }
}
