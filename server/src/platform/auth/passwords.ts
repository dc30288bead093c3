import { Algorithm, hash, verify } from '@node-rs/argon2'

// argon2id with OWASP's minimum profile (19 MiB, t=2): ~35 ms per hash on this machine class (STACK.md §4).
export const PASSWORD_HASH_PROFILE = Object.freeze({ algorithm: Algorithm.Argon2id, memoryCost: 19_456, timeCost: 2, parallelism: 1 })
// The fast test suite logs in hundreds of times; there the profile only has to be argon2id, not slow.
const TEST_PROFILE = Object.freeze({ algorithm: Algorithm.Argon2id, memoryCost: 1024, timeCost: 1, parallelism: 1 })

/**
 * The production profile, always, except inside node's test runner (NODE_TEST_CONTEXT) when `npm test`
 * also asked for fast hashing (GOVSHARE_TEST_FAST_HASH=1): a server never runs with both set. Hashes
 * carry their parameters, so either verifies against the other.
 */
export const passwordHashProfile = (env: NodeJS.ProcessEnv = process.env) =>
  env.NODE_TEST_CONTEXT && env.GOVSHARE_TEST_FAST_HASH === '1' ? TEST_PROFILE : PASSWORD_HASH_PROFILE

// Read per hash, so a test file that measures the real cost (login-refusals.test.ts) can opt out.
export const hashPassword = (password: string) => hash(password, passwordHashProfile())

export async function verifyPassword(passwordHash: string, password: string): Promise<boolean> {
  try {
    return await verify(passwordHash, password)
  } catch {
    return false
  }
}

// Verified when the username is unknown, so both failures take the same time.
let dummyHash: Promise<string> | undefined
export const dummyPasswordHash = () => (dummyHash ??= hashPassword('no-such-user-placeholder'))

/**
 * API.md: at least 8 characters from at least 3 of upper case, lower case, digits, symbols; and not
 * the username itself (in any letter case). Returns a Chinese message for the first rule broken, or
 * null when the password is acceptable.
 */
export function passwordPolicyViolation(password: string, username?: string): string | null {
  if (password.length < 8) return '密码至少 8 位'
  if (password.length > 128) return '密码不能超过 128 位'
  const classes = [/[A-Z]/, /[a-z]/, /\d/, /[^A-Za-z0-9]/].filter((re) => re.test(password)).length
  if (classes < 3) return '密码须包含大写字母、小写字母、数字、符号中的至少三类'
  if (username && password.trim().toLowerCase() === username.trim().toLowerCase()) return '密码不能与用户名相同'
  return null
}
