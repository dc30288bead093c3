import type { Role } from '../../../../common/roles.ts'

/** The authenticated caller of a request. */
export interface Actor {
  userId: string
  username: string
  name: string
  orgId: string
  orgName: string
  orgKind: 'authority' | 'department' | 'region'
  roles: readonly Role[]
  sessionId: string
  /** The session may only set up TOTP: it is mandatory for this user, who has not enrolled yet. */
  totpEnrollmentOnly?: boolean
}

export const hasRole = (actor: Actor, ...roles: Role[]) => roles.some((role) => actor.roles.includes(role))
