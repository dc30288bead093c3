import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod'
import { z } from 'zod'
import { pageOf } from '../../platform/http/pagination.ts'
import { IdParams } from '../../platform/http/params.ts'
import { CreateUserBody, LoginBody, LoginOut, UpdateUserBody, UserListQuery, UserOut } from './schemas.ts'
import { createUser, getMe, listUsersFor, login, logout, updateUser } from './service.ts'

const tags = ['identity']

export const identityRoutes: FastifyPluginAsyncZod = async (app) => {
  app.post('/auth/login', {
    config: { public: true },
    schema: { tags, summary: '登录', security: [], body: LoginBody, response: { 200: LoginOut } },
  }, (req) =>
    login({ db: app.db, config: app.config, now: app.clock(), ip: req.ip, requestId: req.id }, req.body.username, req.body.password),
  )

  app.get('/auth/me', {
    config: { action: 'identity.session.me' },
    schema: { tags, summary: '当前用户', response: { 200: UserOut } },
  }, (req) => getMe(req.ctx))

  app.post('/auth/logout', {
    config: { action: 'identity.session.logout' },
    schema: { tags, summary: '退出登录（吊销令牌）', response: { 204: z.null() } },
  }, async (req, reply) => {
    await logout(req.ctx)
    return reply.code(204).send(null)
  })

  app.get('/users', {
    config: { action: 'identity.user.list' },
    schema: { tags, summary: '用户列表', querystring: UserListQuery, response: { 200: pageOf(UserOut) } },
  }, (req) => listUsersFor(req.ctx, req.query))

  app.post('/users', {
    config: { action: 'identity.user.create' },
    schema: { tags, summary: '创建用户', body: CreateUserBody, response: { 201: UserOut } },
  }, async (req, reply) => reply.code(201).send(await createUser(req.ctx, req.body)))

  app.patch('/users/:id', {
    config: { action: 'identity.user.update' },
    schema: { tags, summary: '修改用户（角色、状态、重置密码）', params: IdParams, body: UpdateUserBody, response: { 200: UserOut } },
  }, (req) => updateUser(req.ctx, req.params.id, req.body))
}
