import { z } from 'zod'
import { ROLES } from '../../../../common/roles.ts'
import { PageQuery } from '../../platform/http/pagination.ts'

export const LoginBody = z.object({
  username: z.string().trim().min(1).max(64).describe('用户名'),
  password: z.string().min(1).max(128).describe('密码'),
})

export const UserOut = z.object({
  id: z.string(),
  username: z.string(),
  name: z.string(),
  orgId: z.string(),
  orgName: z.string(),
  roles: z.array(z.enum(ROLES)),
  status: z.enum(['active', 'disabled']).optional(),
  mobile: z.string().nullable().optional(),
  lastLoginAt: z.date().nullable().optional(),
})
export type UserOut = z.infer<typeof UserOut>

export const LoginOut = z.object({ token: z.string(), expiresAt: z.date(), user: UserOut })

const Username = z.string().trim().regex(/^[A-Za-z][A-Za-z0-9_.-]{2,31}$/, '用户名须以字母开头，3–32 位字母、数字、下划线、点或横线')
const Roles = z.array(z.enum(ROLES)).min(1, '至少分配一个角色').max(ROLES.length)

export const CreateUserBody = z.object({
  username: Username,
  name: z.string().trim().min(1).max(50).describe('姓名'),
  orgId: z.uuid('单位编号格式不正确'),
  roles: Roles,
  password: z.string().max(128).describe('初始密码：至少 8 位，含大写、小写、数字、符号中的三类'),
  mobile: z.string().regex(/^1\d{10}$/, '手机号应为 11 位').optional(),
})
export type CreateUserBody = z.infer<typeof CreateUserBody>

export const UpdateUserBody = z
  .object({
    name: z.string().trim().min(1).max(50),
    roles: Roles,
    status: z.enum(['active', 'disabled']),
    password: z.string().max(128),
    mobile: z.string().regex(/^1\d{10}$/, '手机号应为 11 位').nullable(),
  })
  .partial()
  .refine((body) => Object.keys(body).length > 0, '至少修改一项')
export type UpdateUserBody = z.infer<typeof UpdateUserBody>

export const UserListQuery = PageQuery.extend({
  orgId: z.uuid().optional(),
  q: z.string().trim().max(50).optional().describe('按用户名或姓名查找'),
})
export type UserListQuery = z.infer<typeof UserListQuery>

