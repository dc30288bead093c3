import type { Executor } from '../db/database.ts'
import { type Ctx, auditSourceOf } from '../context.ts'
import { type AuditEventInput, appendAudit } from './chain.ts'

/** Appends an audit event for the current request's actor, in the given executor's transaction. */
export const recordAudit = (executor: Executor, ctx: Ctx, event: AuditEventInput) => appendAudit(executor, auditSourceOf(ctx), event)
