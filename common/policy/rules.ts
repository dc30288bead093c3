import type { Role } from '../roles.ts'

/** Who is asking, as far as the policy cares (the server's `Actor` and the console's user both fit). */
export interface PolicyActor {
  readonly userId?: string
  readonly orgId: string
  readonly roles: readonly Role[]
}

/** One condition of a scope: the object's `field` equals the value. */
export interface ScopeTerm {
  readonly field: string
  readonly equals: string | boolean
}

/**
 * Which objects a read rule lets the actor see: all of them, or those matching any term. It is data,
 * not a function, so the same rule checks a loaded object (`inScope`) and filters a list in SQL.
 */
export type Scope = { readonly all: true } | { readonly anyOf: readonly ScopeTerm[] }

export const ALL: Scope = Object.freeze({ all: true })
export const anyOf = (...terms: ScopeTerm[]): Scope => Object.freeze({ anyOf: Object.freeze(terms) })

/** True when the object matches the scope (fields compared by strict equality). */
export function inScope(scope: Scope, subject: object): boolean {
  if ('all' in scope) return true
  const fields = subject as Record<string, unknown>
  return scope.anyOf.some((term) => fields[term.field] === term.equals)
}

/**
 * One authorization rule. `roles` is checked before the handler runs (deny by default); then, against
 * the loaded object, the actor must see it (`scope`, or the `visibility` rule's scope: 404 otherwise)
 * and `when` must hold (403 otherwise).
 */
export interface Rule<Subject = never> {
  roles: readonly Role[] | 'any-user'
  /** Read rules: the objects the actor sees. List routes filter with it; object routes answer 404 outside it. */
  scope?: (actor: PolicyActor) => Scope
  /** Actions on an object: the read rule whose scope decides whether the actor sees that object. */
  visibility?: string
  when?: (actor: PolicyActor, subject: Subject) => boolean
  /** One line in Chinese for reviewers, shown in the route-matrix report. */
  describe: string
}

// `any` lets each domain declare its own subject type while the merged table stays indexable.
export type Rules = Record<string, Rule<any>>

export const isAuthority = (actor: PolicyActor) => actor.roles.includes('AUTH_ADMIN')
/**
 * SPEC §2.3 department isolation for two-party cases (requests, grants, objections, demands): the
 * department in `first`, the provider and the authority see the case; nobody else.
 */
export const twoParties = (first: string) => (actor: PolicyActor) =>
  isAuthority(actor) ? ALL : anyOf({ field: first, equals: actor.orgId }, { field: 'providerOrgId', equals: actor.orgId })
/** The provider acts, never on a case its own department opened (the `first` party of twoParties). */
export const providerNotSelf = (first: string) => (actor: PolicyActor, subject: object) => {
  const fields = subject as Record<string, unknown>
  return fields.providerOrgId === actor.orgId && fields[first] !== actor.orgId
}
export const holds = (actor: PolicyActor, ...roles: Role[]) => roles.some((role) => actor.roles.includes(role))
