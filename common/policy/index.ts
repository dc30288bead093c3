import { auditRules } from './audit.ts'
import { calendarRules } from './calendar.ts'
import { catalogRules } from './catalog.ts'
import { demandRules } from './demands.ts'
import { elementRules } from './elements.ts'
import { exchangeRules } from './exchange.ts'
import { gatewayRules } from './gateway.ts'
import { identityRules } from './identity.ts'
import { mountRules } from './mounts.ts'
import { notificationRules } from './notifications.ts'
import { evaluationRules } from './evaluation.ts'
import { freshnessRules } from './freshness.ts'
import { objectionRules } from './objections.ts'
import { orgRules } from './orgs.ts'
import { parameterRules } from './parameters.ts'
import { type PolicyActor, type Rule, type Scope, inScope } from './rules.ts'
import { securityRules } from './security.ts'
import { sharingRules } from './sharing.ts'

/**
 * The one policy table: every domain's rules, merged here and nowhere else. The server enforces it
 * and the console reads it (menus, buttons); it is plain data and pure functions, so both import it.
 */
export const POLICY = Object.freeze({
  ...identityRules,
  ...orgRules,
  ...calendarRules,
  ...parameterRules,
  ...catalogRules,
  ...mountRules,
  ...sharingRules,
  ...gatewayRules,
  ...securityRules,
  ...auditRules,
  ...notificationRules,
  ...evaluationRules,
  ...freshnessRules,
  ...objectionRules,
  ...demandRules,
  ...elementRules,
  ...exchangeRules,
})

/** Every action the platform knows: a misspelt action does not compile. */
export type Action = keyof typeof POLICY

/** The rule of an action, or undefined for an unknown one (tests and reports walk the table by name). */
export const ruleOf = (action: string): Rule<unknown> | undefined => (POLICY as Record<string, Rule<unknown>>)[action]

// A rule that names a visibility rule without a scope would make every object visible: refuse to load.
for (const [action, rule] of Object.entries(POLICY) as [string, Rule<unknown>][]) {
  if (rule.visibility && !ruleOf(rule.visibility)?.scope) throw new Error(`policy: ${action} names ${rule.visibility}, which has no scope`)
}

export const isAction = (action: string): action is Action => ruleOf(action) !== undefined

/** Role part only (checked before the body is even parsed). Unknown actions are denied. */
export function canByRole(actor: PolicyActor, action: Action): boolean {
  const rule = ruleOf(action)
  if (!rule) return false
  return rule.roles === 'any-user' || rule.roles.some((role) => actor.roles.includes(role))
}

/** The objects of a read rule this actor sees; a rule without a scope shows nothing beyond its roles' reach. */
export function scopeOf(actor: PolicyActor, action: Action): Scope {
  const rule = ruleOf(action)
  if (!rule?.scope) throw new Error(`policy: ${action} has no scope`)
  return canByRole(actor, action) ? rule.scope(actor) : { anyOf: [] }
}

/** Whether the actor sees the object an action works on (false means 404, not 403). */
export function sees(actor: PolicyActor, action: Action, subject: object): boolean {
  const rule = ruleOf(action)
  if (!rule) return false
  const readAction = rule.scope ? action : (rule.visibility as Action | undefined)
  if (!readAction) return true
  const readRule = ruleOf(readAction)
  if (!readRule?.scope || !canByRole(actor, readAction)) return false
  return inScope(readRule.scope(actor), subject)
}

/** Full check against a loaded object: roles, visibility, then the rule's condition. Unknown actions are denied. */
export function can(actor: PolicyActor, action: Action, subject?: object): boolean {
  const rule = ruleOf(action)
  if (!rule || !canByRole(actor, action)) return false
  if (subject !== undefined && !sees(actor, action, subject)) return false
  return rule.when ? rule.when(actor, subject as never) : true
}

export type { PolicyActor, Rule, Scope, ScopeTerm } from './rules.ts'
export { ALL, anyOf, inScope } from './rules.ts'
