import type { Role } from '../../../../common/roles.ts'
import type { Actor } from './actor.ts'

/**
 * One authorization rule. `roles` is checked before the handler runs; `when` is checked by the
 * service against the loaded object (SPEC §2.3 org scoping). A rule is satisfied when the actor
 * holds one of the roles AND (no `when`, or `when` is true for that role set).
 */
export interface Rule<Subject = never> {
  roles: readonly Role[] | 'any-user'
  when?: (actor: Actor, subject: Subject) => boolean
  /** One line for reviewers, shown in the route-matrix report. */
  describe: string
}

// `any` here lets each module declare its own subject type while the merged table stays indexable.
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export type Rules = Record<string, Rule<any>>
