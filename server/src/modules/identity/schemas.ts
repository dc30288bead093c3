import { z } from 'zod'
import { ROLES } from '../../../../common/roles.ts'
import { PageQuery } from '../../platform/http/pagination.ts'

const TotpCode = z
  .string()
  .trim()
  .regex(/^\d{6}$/, '动态验证码应为 6 位数字')

export const LoginBody = z
  .object({
    username: z.string().trim().min(1).max(64).describe('用户名'),
    password: z.string().min(1).max(128).describe('密码'),
    totpCode: TotpCode.optional().describe('已启用动态验证码的用户必填：身份验证器中的 6 位数字'),
  })
  .meta({ examples: [{ username: 'mzj_user', password: 'Govshare@2026' }] })
export type LoginBody = z.infer<typeof LoginBody>

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
  totpEnabled: z.boolean().optional().describe('已启用动态验证码（auth/me 与用户列表）'),
  totpRequired: z.boolean().optional().describe('本平台要求该用户使用动态验证码（仅 auth/me）'),
})
export type UserOut = z.infer<typeof UserOut>

export const LoginOut = z
  .object({
    token: z.string(),
    expiresAt: z.date(),
    user: UserOut,
    totpEnrollmentRequired: z.boolean().describe('true：须先绑定动态验证码，此令牌只能用于绑定、修改密码和退出'),
  })
  .meta({
    examples: [
      {
        token: 'q7Zk2mB5tH9xR3wLp0sV8cNfJ4yD6gUe1aKiOoTrWbM',
        expiresAt: '2026-03-02T10:30:00.000Z',
        user: {
          id: '0b7c9f7e-3a51-4c1e-9d0b-5a2f4e6c8d11',
          username: 'mzj_user',
          name: '王芳',
          orgId: '7d1f0c2a-6b3e-4f58-8a9c-1e2d3c4b5a60',
          orgName: '潍坊市民政局',
          roles: ['REQUESTER'],
        },
        totpEnrollmentRequired: false,
      },
    ],
  })

export const ChangePasswordBody = z.object({
  currentPassword: z.string().min(1).max(128).describe('当前密码'),
  newPassword: z.string().max(128).describe('新密码：至少 8 位，含大写、小写、数字、符号中的三类，不能与用户名相同'),
})
export type ChangePasswordBody = z.infer<typeof ChangePasswordBody>

export const TotpEnrollBody = z.object({ password: z.string().min(1).max(128).describe('当前密码（确认本人操作）') })
export type TotpEnrollBody = z.infer<typeof TotpEnrollBody>

export const TotpEnrollOut = z.object({
  secret: z.string().describe('Base32 密钥，只显示这一次'),
  otpauthUri: z.string().describe('otpauth:// 地址，可生成二维码供身份验证器扫描'),
  algorithm: z.literal('SHA1'),
  digits: z.literal(6),
  period: z.literal(30),
})

export const TotpCodeBody = z.object({ code: TotpCode.describe('身份验证器中的 6 位数字') })
export type TotpCodeBody = z.infer<typeof TotpCodeBody>

export const TotpStatusOut = z.object({
  enabled: z.boolean(),
  pending: z.boolean().describe('已开始绑定、尚未用验证码确认'),
  required: z.boolean(),
})
export type TotpStatusOut = z.infer<typeof TotpStatusOut>

const Username = z
  .string()
  .trim()
  .regex(/^[A-Za-z][A-Za-z0-9_.-]{2,31}$/, '用户名须以字母开头，3–32 位字母、数字、下划线、点或横线')
const Roles = z.array(z.enum(ROLES)).max(ROLES.length).describe('角色（三员分立：系统管理员、安全管理员、审计员各自单独持有，不兼任其他角色）')

export const CreateUserBody = z.object({
  username: Username,
  name: z.string().trim().min(1).max(50).describe('姓名'),
  orgId: z.uuid('单位编号格式不正确'),
  roles: Roles.default([]).describe('角色：系统管理员只开设账号（不带角色），由安全管理员分配；部门管理员可为本部门账号直接分配业务角色'),
  password: z.string().max(128).describe('初始密码：至少 8 位，含大写、小写、数字、符号中的三类'),
  mobile: z
    .string()
    .regex(/^1\d{10}$/, '手机号应为 11 位')
    .optional(),
})
export type CreateUserBody = z.infer<typeof CreateUserBody>

export const UpdateUserBody = z
  .object({
    name: z.string().trim().min(1).max(50),
    roles: Roles,
    status: z.enum(['active', 'disabled']),
    password: z.string().max(128),
    mobile: z
      .string()
      .regex(/^1\d{10}$/, '手机号应为 11 位')
      .nullable(),
    resetTotp: z.literal(true).describe('清除该用户的动态验证码（如手机丢失），下次登录重新绑定'),
  })
  .partial()
  .refine((body) => Object.keys(body).length > 0, '至少修改一项')
export type UpdateUserBody = z.infer<typeof UpdateUserBody>

export const UserListQuery = PageQuery.extend({
  orgId: z.uuid().optional(),
  q: z.string().trim().max(50).optional().describe('按用户名或姓名查找'),
})
export type UserListQuery = z.infer<typeof UserListQuery>
