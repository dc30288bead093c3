import { type Action, can, sees } from '../../../../common/policy/index.ts'
import { forbidden, notFound } from '../http/errors.ts'
import type { Actor } from './actor.ts'

export { type Action, POLICY, can, canByRole, isAction, ruleOf, scopeOf, sees } from '../../../../common/policy/index.ts'

/** Throws 403 FORBIDDEN unless `can`. */
export function authorize(actor: Actor, action: Action, subject?: object, message?: string): void {
  if (!can(actor, action, subject)) throw forbidden(message)
}

/**
 * The one way a service checks a loaded object: 404 (named `what`) when it is missing or the actor may
 * not see it, so ids do not leak; 403 when the actor sees it but may not act. Returns the object.
 *
 * @example const request = authorizeLoaded(ctx.actor, 'sharing.request.decide', await lockRequest(trx, id), '共享申请')
 */
export function authorizeLoaded<T extends object>(actor: Actor, action: Action, subject: T | undefined | null, what: string, message?: string): T {
  if (!subject || !sees(actor, action, subject)) throw notFound(what)
  authorize(actor, action, subject, message)
  return subject
}
