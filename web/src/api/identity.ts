import type { z } from 'zod'
import type { CreateUserBody, LoginOut, UpdateUserBody, UserListQuery, UserOut } from '../../../server/src/modules/identity/schemas.ts'
import { type Query, api } from './client.ts'
import type { Json, Page } from './json.ts'

export type User = Json<UserOut>
export type LoginResult = Json<z.infer<typeof LoginOut>>
export type NewUser = z.input<typeof CreateUserBody>
export type UserPatch = z.input<typeof UpdateUserBody>
export type UserQuery = Partial<z.input<typeof UserListQuery>>

export const login = (username: string, password: string) =>
  api.post<LoginResult>('/auth/login', { username, password }, { quiet: true })
export const me = () => api.get<User>('/auth/me', { quiet: true })
export const logout = () => api.post<void>('/auth/logout', undefined, { quiet: true })

export const listUsers = (query: UserQuery) => api.get<Page<User>>('/users', { query: query as Query })
export const createUser = (body: NewUser) => api.post<User>('/users', body)
export const updateUser = (id: string, body: UserPatch) => api.patch<User>(`/users/${id}`, body)
