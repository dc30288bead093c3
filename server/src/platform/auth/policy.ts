import { auditRules } from '../../modules/audit/policy.ts'
import { calendarRules } from '../../modules/calendar/policy.ts'
import { catalogRules } from '../../modules/catalog/policy.ts'
import { gatewayRules } from '../../modules/gateway/policy.ts'
import { identityRules } from '../../modules/identity/policy.ts'
import { mountRules } from '../../modules/mounts/policy.ts'
import { orgRules } from '../../modules/orgs/policy.ts'
import { parameterRules } from '../../modules/parameters/policy.ts'
import { securityRules } from '../../modules/security/policy.ts'
import { sharingRules } from '../../modules/sharing/policy.ts'
import { forbidden } from '../http/errors.ts'
import type { Actor } from './actor.ts'
import type { Rule, Rules } from './rules.ts'

/** The one policy table: every module's rules, readable (and walked by tests) in one place. */
export const POLICY: Readonly<Rules> = Object.freeze({
  ...identityRules,
  ...orgRules,
  ...calendarRules,
  ...parameterRules,
  ...catalogRules,
  ...mountRules,
  ...sharingRules,
  ...gatewayRules,
  ...auditRules,
  ...securityRules,
})

export type Action = keyof typeof POLICY

const ruleOf = (action: string): Rule<unknown> | undefined => POLICY[action]

/** Role part only (used before the body is even parsed). Unknown actions are denied. */
export function canByRole(actor: Actor, action: string): boolean {
  const rule = ruleOf(action)
  if (!rule) return false
  return rule.roles === 'any-user' || rule.roles.some((role) => actor.roles.includes(role))
}

/** Full check against a loaded subject. Unknown actions are denied. */
export function can(actor: Actor, action: string, subject?: unknown): boolean {
  const rule = ruleOf(action)
  if (!rule || !canByRole(actor, action)) return false
  return rule.when ? rule.when(actor, subject as never) : true
}

/** Throws 403 FORBIDDEN unless `can`. */
export function authorize(actor: Actor, action: string, subject?: unknown, message?: string): void {
  if (!can(actor, action, subject)) throw forbidden(message)
}
