import { type Action, canByRole } from '../../../common/policy/index.ts'
import type { Role } from '../../../common/roles.ts'

/**
 * Menus and pages are shown from the one policy table (common/policy), the same table the server
 * enforces, so the console never re-implements role logic. Whether a user may act on one object
 * comes from the `actions` map in the API's responses.
 */
export type PolicyAction = Action

/** True when one of the user's roles is listed for the action (unknown actions are denied). */
export function allowedByRole(roles: readonly Role[], action: PolicyAction): boolean {
  return canByRole({ orgId: '', roles }, action)
}
