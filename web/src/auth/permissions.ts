import type { Role } from '../../../common/roles.ts'
import { auditRules } from '../../../server/src/modules/audit/policy.ts'
import { calendarRules } from '../../../server/src/modules/calendar/policy.ts'
import { catalogRules } from '../../../server/src/modules/catalog/policy.ts'
import { gatewayRules } from '../../../server/src/modules/gateway/policy.ts'
import { identityRules } from '../../../server/src/modules/identity/policy.ts'
import { mountRules } from '../../../server/src/modules/mounts/policy.ts'
import { orgRules } from '../../../server/src/modules/orgs/policy.ts'
import { parameterRules } from '../../../server/src/modules/parameters/policy.ts'
import { securityRules } from '../../../server/src/modules/security/policy.ts'
import { sharingRules } from '../../../server/src/modules/sharing/policy.ts'

/**
 * Menus and pages are shown from the server's own policy tables (the role part only), imported
 * rather than copied, so the console never re-implements role logic (STYLE §11). Whether a user
 * may act on one object comes from the `actions` map in the API's responses.
 *
 * Only the modules' policy.ts files are imported: they are plain data with type-only imports.
 */
const RULES: Record<string, { roles: readonly Role[] | 'any-user' }> = {
  ...identityRules,
  ...orgRules,
  ...calendarRules,
  ...parameterRules,
  ...catalogRules,
  ...auditRules,
  ...mountRules,
  ...sharingRules,
  ...gatewayRules,
  ...securityRules,
}

export type PolicyAction =
  | keyof typeof identityRules
  | keyof typeof orgRules
  | keyof typeof calendarRules
  | keyof typeof parameterRules
  | keyof typeof catalogRules
  | keyof typeof auditRules
  | keyof typeof mountRules
  | keyof typeof sharingRules
  | keyof typeof gatewayRules
  | keyof typeof securityRules

/** True when one of the user's roles is listed for the action (unknown actions are denied). */
export function allowedByRole(roles: readonly Role[], action: PolicyAction): boolean {
  const rule = RULES[action]
  if (!rule) return false
  return rule.roles === 'any-user' || rule.roles.some((role) => roles.includes(role))
}
