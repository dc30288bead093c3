import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod'
import { z } from 'zod'
import { pageOf } from '../../platform/http/pagination.ts'
import { IdParams } from '../../platform/http/params.ts'
import {
  ChangePasswordBody,
  CreateUserBody,
  LoginBody,
  LoginOut,
  TotpCodeBody,
  TotpEnrollBody,
  TotpEnrollOut,
  TotpStatusOut,
  UpdateUserBody,
  UserListQuery,
  UserOut,
} from './schemas.ts'
import { createLoginThrottle } from './login.ts'
import { changeOwnPassword, createUser, getMe, listUsersFor, login, logout, updateUser } from './service.ts'
import { confirmTotp, disableTotp, enrollTotp, getTotpStatus } from './totp.ts'

const tags = ['identity']

export const identityRoutes: FastifyPluginAsyncZod = async (app) => {
  const throttle = createLoginThrottle(app.db)
  app.post(
    '/auth/login',
    {
      config: { public: true },
      schema: {
        tags,
        summary: '登录（已启用动态验证码的用户同时提交 totpCode）',
        security: [],
        body: LoginBody,
        response: { 200: LoginOut },
      },
    },
    (req) => login({ db: app.db, config: app.config, now: app.clock(), ip: req.ip, requestId: req.id, throttle, denials: app.auditDenials }, req.body),
  )

  app.get(
    '/auth/me',
    {
      config: { action: 'identity.session.me' },
      schema: { tags, summary: '当前用户', response: { 200: UserOut } },
    },
    (req) => getMe(req.ctx),
  )

  app.post(
    '/auth/logout',
    {
      config: { action: 'identity.session.logout' },
      schema: { tags, summary: '退出登录（吊销令牌）', response: { 204: z.null() } },
    },
    async (req, reply) => {
      await logout(req.ctx)
      return reply.code(204).send(null)
    },
  )

  app.post(
    '/auth/password',
    {
      config: { action: 'identity.password.change' },
      schema: { tags, summary: '修改本人密码（需当前密码；其他登录会话随之失效）', body: ChangePasswordBody, response: { 204: z.null() } },
    },
    async (req, reply) => {
      await changeOwnPassword(req.ctx, req.body)
      return reply.code(204).send(null)
    },
  )

  app.get(
    '/auth/totp',
    {
      config: { action: 'identity.totp.status' },
      schema: { tags, summary: '本人动态验证码状态', response: { 200: TotpStatusOut } },
    },
    (req) => getTotpStatus(req.ctx),
  )

  app.post(
    '/auth/totp/enroll',
    {
      config: { action: 'identity.totp.enroll' },
      schema: { tags, summary: '开始绑定动态验证码（返回密钥和 otpauth 地址，只显示一次）', body: TotpEnrollBody, response: { 200: TotpEnrollOut } },
    },
    (req) => enrollTotp(req.ctx, req.body),
  )

  app.post(
    '/auth/totp/confirm',
    {
      config: { action: 'identity.totp.confirm' },
      schema: { tags, summary: '用验证码确认绑定', body: TotpCodeBody, response: { 200: TotpStatusOut } },
    },
    (req) => confirmTotp(req.ctx, req.body),
  )

  app.post(
    '/auth/totp/disable',
    {
      config: { action: 'identity.totp.disable' },
      schema: { tags, summary: '用验证码停用动态验证码', body: TotpCodeBody, response: { 200: TotpStatusOut } },
    },
    (req) => disableTotp(req.ctx, req.body),
  )

  app.get(
    '/users',
    {
      config: { action: 'identity.user.list' },
      schema: { tags, summary: '用户列表', querystring: UserListQuery, response: { 200: pageOf(UserOut) } },
    },
    (req) => listUsersFor(req.ctx, req.query),
  )

  app.post(
    '/users',
    {
      config: { action: 'identity.user.create' },
      schema: { tags, summary: '创建用户', body: CreateUserBody, response: { 201: UserOut } },
    },
    async (req, reply) => reply.code(201).send(await createUser(req.ctx, req.body)),
  )

  app.patch(
    '/users/:id',
    {
      config: { action: 'identity.user.update' },
      schema: { tags, summary: '修改用户（角色、状态、重置密码）', params: IdParams, body: UpdateUserBody, response: { 200: UserOut } },
    },
    (req) => updateUser(req.ctx, req.params.id, req.body),
  )
}
