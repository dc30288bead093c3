import type { Executor } from '../../platform/db/database.ts'

/**
 * Recorded activity for evaluation tests and the benchmark: rows as the sharing, catalog and gateway
 * modules record them, with the times a scenario needs (the metrics read nothing else).
 */
export const bj = (local: string) => new Date(`${local}+08:00`)

let seq = 0

export async function recordRequest(
  db: Executor,
  r: {
    resourceId: string
    version?: number
    providerOrgId: string
    requesterOrgId: string
    requesterId: string
    dueAt: Date | null
    decision?: 'approve' | 'reject'
    decidedAt?: Date
    decidedBy?: string | null
    reason?: string | null
    status?: 'pending' | 'granted' | 'rejected' | 'withdrawn' | 'escalated'
    escalatedAt?: Date
    createdAt?: Date
  },
) {
  seq += 1
  const status = r.status ?? (r.decision === 'approve' ? 'granted' : r.decision === 'reject' ? 'rejected' : 'pending')
  const row = await db
    .insertInto('shareRequests')
    .values({
      no: `SQ-FIX-${Date.now()}-${seq}`,
      resourceId: r.resourceId,
      resourceVersion: r.version ?? 1,
      providerOrgId: r.providerOrgId,
      requesterOrgId: r.requesterOrgId,
      requesterId: r.requesterId,
      itemIds: [],
      purpose: '业务协同',
      dutyBasis: '《测试条例》第一条',
      mode: 'api',
      validUntil: '2027-12-31',
      status,
      shareType: r.dueAt ? 2 : 1,
      dueAt: r.dueAt,
      dueDate: r.dueAt ? new Date(r.dueAt.getTime() + 8 * 3_600_000).toISOString().slice(0, 10) : null,
      decision: r.decision ?? null,
      decisionReason: r.reason ?? null,
      decidedBy: r.decision ? (r.decidedBy ?? null) : null,
      decidedAt: r.decidedAt ?? null,
      escalatedAt: r.escalatedAt ?? null,
      createdAt: r.createdAt ?? r.decidedAt ?? new Date('2026-01-01T00:00:00Z'),
    })
    .returning('id')
    .executeTakeFirstOrThrow()
  return row.id
}

export async function recordReviewTask(db: Executor, t: { orgId: string; resourceId: string; createdBy: string; dueAt: Date; doneAt?: Date }) {
  const event = await db
    .insertInto('catalogChangeEvents')
    .values({
      orgId: t.orgId,
      kind: 'law_revision',
      occurredAt: new Date(t.dueAt.getTime() - 20 * 86_400_000),
      description: '《测试条例》修订',
      createdBy: t.createdBy,
    })
    .returning('id')
    .executeTakeFirstOrThrow()
  const row = await db
    .insertInto('catalogReviewTasks')
    .values({
      eventId: event.id,
      resourceId: t.resourceId,
      orgId: t.orgId,
      dueAt: t.dueAt,
      dueDate: new Date(t.dueAt.getTime() + 8 * 3_600_000).toISOString().slice(0, 10),
      status: t.doneAt ? 'done' : 'open',
      resolution: t.doneAt ? 'updated' : null,
      doneBy: t.doneAt ? t.createdBy : null,
      doneAt: t.doneAt ?? null,
    })
    .returning('id')
    .executeTakeFirstOrThrow()
  return row.id
}

export async function recordCalls(
  db: Executor,
  c: { providerOrgId: string; consumerOrgId: string; resourceId: string; at: Date; count: number; rows?: number; result?: 'success' | 'denied' },
) {
  const values = Array.from({ length: c.count }, (_, i) => {
    const at = new Date(c.at.getTime() + i * 1000)
    return {
      requestInAt: at,
      responseOutAt: at,
      consumerOrgId: c.consumerOrgId,
      providerOrgId: c.providerOrgId,
      resourceId: c.resourceId,
      rowsReturned: c.rows ?? 1,
      result: c.result ?? 'success',
      requestBytes: 0,
      responseBytes: 0,
    }
  })
  await db.insertInto('callLogs').values(values).execute()
}

/** A grant row for objection fixtures (an objection is raised under the grant the raiser holds). */
async function recordGrant(db: Executor, g: { resourceId: string; providerOrgId: string; consumerOrgId: string; createdBy: string }) {
  const requestId = await recordRequest(db, {
    resourceId: g.resourceId,
    providerOrgId: g.providerOrgId,
    requesterOrgId: g.consumerOrgId,
    requesterId: g.createdBy,
    dueAt: null,
    decision: 'approve',
    decidedAt: new Date('2026-01-02T00:00:00Z'),
  })
  const row = await db
    .insertInto('grants')
    .values({
      requestId,
      resourceId: g.resourceId,
      providerOrgId: g.providerOrgId,
      consumerOrgId: g.consumerOrgId,
      appIds: [],
      itemIds: [],
      masking: '{}',
      rowFilter: '{}',
      mode: 'api',
      purpose: '业务协同',
      validFrom: '2026-01-02',
      validUntil: '2027-12-31',
      lookupKeys: [],
      rateLimitPerMinute: 600,
      dailyQuota: 100_000,
      status: 'active',
      createdBy: g.createdBy,
    })
    .returning('id')
    .executeTakeFirstOrThrow()
  return row.id
}

/** An objection as the objections module records it: the verification's due time, and when (and how) the provider answered. */
export async function recordObjection(
  db: Executor,
  o: {
    resourceId: string
    providerOrgId: string
    raiserOrgId: string
    raisedBy: string
    recordKeys: string[]
    verifyDueAt: Date
    verifiedAt?: Date
    confirmed?: boolean
  },
) {
  seq += 1
  const grantId = await recordGrant(db, { resourceId: o.resourceId, providerOrgId: o.providerOrgId, consumerOrgId: o.raiserOrgId, createdBy: o.raisedBy })
  const status = !o.verifiedAt ? 'verifying' : o.confirmed ? 'correcting' : 'explained'
  const row = await db
    .insertInto('objections')
    .values({
      no: `YY-FIX-${Date.now()}-${seq}`,
      resourceId: o.resourceId,
      providerOrgId: o.providerOrgId,
      raiserOrgId: o.raiserOrgId,
      raisedBy: o.raisedBy,
      grantId,
      itemIds: ['uscc'],
      recordKeys: o.recordKeys,
      type: 'error',
      description: '登记地址与实际不符',
      status,
      flagged: status !== 'explained',
      verifyDueAt: o.verifyDueAt,
      verifiedAt: o.verifiedAt ?? null,
      correctingAt: o.confirmed ? (o.verifiedAt ?? null) : null,
    })
    .returning('id')
    .executeTakeFirstOrThrow()
  return row.id
}

/** A demand assigned to a provider, with its due time and how the provider ended its stage (if it did). */
export async function recordDemand(
  db: Executor,
  d: { requesterOrgId: string; createdBy: string; providerOrgId: string; providerDueAt: Date; outcome?: 'fulfilled' | 'declined' | 'accepted'; doneAt?: Date },
) {
  seq += 1
  const row = await db
    .insertInto('demands')
    .values({
      no: `XQ-FIX-${Date.now()}-${seq}`,
      requesterOrgId: d.requesterOrgId,
      createdBy: d.createdBy,
      title: `婚姻登记信息需求${seq}`,
      description: '办理低保审核需核验婚姻状况',
      wantedItems: ['婚姻状况'],
      purpose: '行政依据',
      dutyBasis: '《社会救助暂行办法》第十一条',
      status: d.outcome ?? 'assigned',
      providerOrgId: d.providerOrgId,
      providerDueAt: d.providerDueAt,
      providerDoneAt: d.outcome === 'fulfilled' || d.outcome === 'declined' ? (d.doneAt ?? null) : null,
    })
    .returning('id')
    .executeTakeFirstOrThrow()
  return row.id
}
