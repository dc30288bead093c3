import { type Action, can, canByRole, scopeOf } from '../../../common/policy/index.ts'
import type { Role } from '../../../common/roles.ts'

/**
 * Menus, tabs and buttons are shown from the one policy table (common/policy), the same table the
 * server enforces, so the console never re-implements role logic. Whether a user may act on one object
 * comes from the `actions` map in the API's responses, or from the same rule applied to the object here.
 */
export type PolicyAction = Action

interface ConsoleUser {
  id: string
  orgId: string
  roles: readonly Role[]
}

const actorOf = (user: ConsoleUser) => ({ userId: user.id, orgId: user.orgId, roles: user.roles })

/** True when one of the user's roles is listed for the action (unknown actions are denied). */
export function allowedByRole(roles: readonly Role[], action: PolicyAction): boolean {
  return canByRole({ orgId: '', roles }, action)
}

/** Whether the read rule lets this user see every object of its kind (the "all" tabs). */
export const seesAll = (user: ConsoleUser, action: PolicyAction) => canByRole(actorOf(user), action) && 'all' in scopeOf(actorOf(user), action)

/** The policy's answer for one object, as the server will give it. */
export const allowedOn = (user: ConsoleUser, action: PolicyAction, subject: object) => can(actorOf(user), action, subject)
