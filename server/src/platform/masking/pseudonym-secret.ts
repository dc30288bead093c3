import { randomBytes } from 'node:crypto'
import { deriveKey } from '../crypto/sm3.ts'

// Per data key (a Buffer is an object): derived once, kept only in this process's memory.
const derived = new WeakMap<Buffer, string>()

// Without a data key (the embedded demo) there is nothing to derive from, and a secret written to the
// database would sit beside the data it protects. So the process draws a random secret of its own: never
// stored, never logged. Pseudonyms then stay stable while the process runs (the embedded database has a
// single process) and change after a restart, which is safe; a deployment whose consumers join on
// pseudonyms across restarts or processes sets GOVSHARE_DATA_KEY, as it must for encrypted columns anyway.
const ephemeral = randomBytes(32).toString('hex')

/**
 * The deployment's secret for SM3 pseudonyms (SPEC §8.3 S9): derived from the data key
 * (GOVSHARE_DATA_KEY), so it is the same in every process sharing that key, differs between
 * deployments, and is never in the database.
 */
export function pseudonymSecret(dataKey: Buffer | null): string {
  if (!dataKey) return ephemeral
  let secret = derived.get(dataKey)
  if (!secret) derived.set(dataKey, (secret = deriveKey(dataKey, 'govshare-masking:pseudonym').toString('hex')))
  return secret
}
