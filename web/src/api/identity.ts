import type { z } from 'zod'
import type {
  ChangePasswordBody,
  CreateUserBody,
  LoginOut,
  TotpEnrollOut,
  TotpStatusOut,
  UpdateUserBody,
  UserListQuery,
  UserOut,
} from '../../../server/src/modules/identity/schemas.ts'
import { type Query, api } from './client.ts'
import type { Json, Page } from './json.ts'

export type User = Json<UserOut>
export type LoginResult = Json<z.infer<typeof LoginOut>>
export type NewUser = z.input<typeof CreateUserBody>
export type UserPatch = z.input<typeof UpdateUserBody>
export type UserQuery = Partial<z.input<typeof UserListQuery>>

export type TotpStatus = TotpStatusOut
export type TotpEnrollment = z.infer<typeof TotpEnrollOut>
export type PasswordChange = z.input<typeof ChangePasswordBody>

/** `totpCode` only once the server has answered TOTP_REQUIRED (the user has TOTP on). */
export const login = (username: string, password: string, totpCode?: string) =>
  api.post<LoginResult>('/auth/login', { username, password, ...(totpCode ? { totpCode } : {}) }, { quiet: true })
export const me = () => api.get<User>('/auth/me', { quiet: true })
export const logout = () => api.post<void>('/auth/logout', undefined, { quiet: true })
export const changePassword = (body: PasswordChange) => api.post<void>('/auth/password', body, { quiet: true })

export const getTotpStatus = () => api.get<TotpStatus>('/auth/totp', { quiet: true })
export const enrollTotp = (password: string) => api.post<TotpEnrollment>('/auth/totp/enroll', { password }, { quiet: true })
export const confirmTotp = (code: string) => api.post<TotpStatus>('/auth/totp/confirm', { code }, { quiet: true })
export const disableTotp = (code: string) => api.post<TotpStatus>('/auth/totp/disable', { code }, { quiet: true })

export const listUsers = (query: UserQuery) => api.get<Page<User>>('/users', { query: query as Query })
export const createUser = (body: NewUser) => api.post<User>('/users', body)
export const updateUser = (id: string, body: UserPatch) => api.patch<User>(`/users/${id}`, body)
