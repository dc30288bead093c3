import type { Executor } from '../../platform/db/database.ts'

export type MountKind = 'table' | 'file' | 'api'
export type MountKindsOf = (db: Executor, resourceId: string) => Promise<ReadonlySet<MountKind>>

let provider: MountKindsOf | null = null

/**
 * The catalog asks which kinds of active mount an entry has (SPEC §5.4 rule 6) without importing the
 * mounts module, which depends on the catalog: the app wires the mounts module's answer in here.
 */
export function provideMountKinds(source: MountKindsOf) {
  provider = source
}

export function activeMountKindsOf(db: Executor, resourceId: string): Promise<ReadonlySet<MountKind>> {
  if (!provider) throw new Error('no mount-kinds provider: buildApp wires the mounts module into the catalog')
  return provider(db, resourceId)
}
