import { PlusOutlined } from '@ant-design/icons'
import { App, Button, Card, Checkbox, Form, Input, Modal, Popconfirm, Radio, Select, Space, Table, Tag } from 'antd'
import { useMemo, useState } from 'react'
import { PLATFORM_ROLES } from '../../../../common/policy/identity.ts'
import { can } from '../../../../common/policy/index.ts'
import { ROLES, ROLE_LABELS, type Role } from '../../../../common/roles.ts'
import { ApiError } from '../../api/client.ts'
import { type NewUser, type User, type UserPatch, createUser, listUsers, updateUser } from '../../api/identity.ts'
import { allOrganisations } from '../../api/orgs.ts'
import { useAuth } from '../../auth/AuthProvider.tsx'
import { seesAll } from '../../auth/permissions.ts'
import { PageContainer } from '../../components/PageContainer.tsx'
import { LoadError } from '../../components/States.tsx'
import { useAsync } from '../../hooks/useAsync.ts'
import { formatDateTime } from '../../lib/dates.ts'
import { applyFieldErrors, formValid } from '../../lib/fieldErrors.ts'

const ROLE_OPTIONS = ROLES.map((r) => ({ value: r, label: ROLE_LABELS[r] }))
const BUSINESS_ROLE_OPTIONS = ROLE_OPTIONS.filter((o) => !PLATFORM_ROLES.includes(o.value))
const USER_FIELDS = new Set(['username', 'name', 'orgId', 'roles', 'password', 'mobile', 'status'])

type Editing = { mode: 'create' } | { mode: 'edit'; user: User }

/**
 * 用户与角色 under 三员分立: the system administrator opens accounts, the security administrator assigns
 * roles, a department admin manages its own department's business accounts. What each may do to an
 * account comes from the one policy table (common/policy), the same rules the server enforces.
 */
export default function UsersPage() {
  const { user: me } = useAuth()
  const { message } = App.useApp()
  const [query, setQuery] = useState<{ q?: string; orgId?: string }>({})
  const [page, setPage] = useState(1)
  const { data, error, loading, reload } = useAsync(() => listUsers({ ...query, page, pageSize: 20 }), [query, page])
  const orgs = useAsync(() => allOrganisations(), [])
  const orgOptions = useMemo(() => (orgs.data ?? []).filter((o) => o.kind !== 'region').map((o) => ({ value: o.id, label: o.name })), [orgs.data])
  const isSysAdmin = !!me?.roles.includes('SYS_ADMIN')
  const actor = useMemo(() => (me ? { userId: me.id, orgId: me.orgId, roles: me.roles } : { orgId: '', roles: [] }), [me])
  const seesAllOrgs = !!me && seesAll(me, 'identity.user.read')
  const createsAccounts = can(actor, 'identity.user.create', { orgId: actor.orgId, roles: [] })
  // The system administrator opens accounts without roles; a department admin gives business roles at once.
  const rolesOnCreate = !isSysAdmin
  const target = (u: User) => ({ id: u.id, orgId: u.orgId, roles: u.roles })
  const mayEdit = (u: User) => can(actor, 'identity.user.update', target(u))
  const mayAssign = (u: User) => can(actor, 'identity.user.assign-roles', { ...target(u), newRoles: [] })
  const mayReset = (u: User) => can(actor, 'identity.user.reset-credentials', target(u))
  const [editing, setEditing] = useState<Editing | null>(null)
  const [saving, setSaving] = useState(false)
  const [form] = Form.useForm<NewUser & UserPatch & { password?: string }>()

  const open = (next: Editing) => setEditing(next)
  // The modal's form mounts per opening (destroyOnHidden), so its initial values are the record's.
  const initialValues =
    editing?.mode === 'edit'
      ? { name: editing.user.name, roles: editing.user.roles, status: editing.user.status ?? 'active', mobile: editing.user.mobile ?? undefined }
      : { orgId: isSysAdmin ? undefined : me?.orgId, roles: rolesOnCreate ? ['REQUESTER' as const] : [] }

  // A lost phone: the user binds again at the next login (the server also ends the user's sessions).
  const resetTotp = async (u: User) => {
    try {
      await updateUser(u.id, { resetTotp: true })
      message.success(`已重置 ${u.name} 的两步验证，其登录已失效`)
      reload()
    } catch {
      // the client showed the message
    }
  }

  const save = async () => {
    if (!editing) return
    if (!(await formValid(form))) return
    setSaving(true)
    const v = form.getFieldsValue()
    try {
      if (editing.mode === 'create') {
        await createUser({
          username: v.username,
          name: v.name,
          orgId: v.orgId,
          roles: rolesOnCreate ? (v.roles ?? []) : [],
          password: v.password ?? '',
          mobile: v.mobile || undefined,
        })
        message.success(rolesOnCreate ? '用户已创建' : '账号已开设，请安全管理员分配角色')
      } else {
        // Only what changed is sent: each part of an account is its own permission (三员分立).
        const before = editing.user
        const patch: UserPatch = {}
        if (v.name !== undefined && v.name !== before.name) patch.name = v.name
        if (v.status !== undefined && v.status !== (before.status ?? 'active')) patch.status = v.status
        if ((v.mobile || null) !== (before.mobile ?? null) && v.mobile !== undefined) patch.mobile = v.mobile || null
        if (v.roles && [...v.roles].sort().join() !== [...before.roles].sort().join()) patch.roles = v.roles
        if (v.password) patch.password = v.password
        if (Object.keys(patch).length === 0) {
          setEditing(null)
          return
        }
        await updateUser(editing.user.id, patch)
        message.success('用户已更新')
      }
      setEditing(null)
      reload()
    } catch (e) {
      if (e instanceof ApiError) {
        const details = e.details.length ? e.details : e.code === 'CONFLICT' && e.message.includes('用户名') ? [{ field: 'username', message: e.message }] : []
        applyFieldErrors(form, details, (p) => USER_FIELDS.has(String(p[0])))
      }
    } finally {
      setSaving(false)
    }
  }

  return (
    <PageContainer
      title="用户与角色"
      description={
        isSysAdmin
          ? '三员分立：系统管理员开设和停用账号，角色由安全管理员分配；审计员、系统管理员的密码由安全管理员重置。'
          : me?.roles.includes('SEC_ADMIN')
            ? '三员分立：安全管理员为账号分配角色（三员不得兼任，不得修改自己的角色）；审计员、系统管理员的密码由安全管理员重置。'
            : '本部门用户及其业务角色。'
      }
      extra={
        createsAccounts ? (
          <Button type="primary" icon={<PlusOutlined />} onClick={() => open({ mode: 'create' })} data-testid="new-user">
            {isSysAdmin ? '开设账号' : '新建用户'}
          </Button>
        ) : null
      }
    >
      <Card size="small">
        <Space style={{ marginBottom: 12 }} wrap>
          <Input.Search
            placeholder="用户名或姓名"
            allowClear
            style={{ width: 220 }}
            onSearch={(q) => (setQuery((s) => ({ ...s, q: q || undefined })), setPage(1))}
          />
          {seesAllOrgs ? (
            <Select
              placeholder="所属单位"
              allowClear
              showSearch
              optionFilterProp="label"
              style={{ width: 260 }}
              options={orgOptions}
              onChange={(orgId) => (setQuery((s) => ({ ...s, orgId })), setPage(1))}
            />
          ) : null}
        </Space>
        {error ? (
          <LoadError error={error} onRetry={reload} />
        ) : (
          <Table<User>
            rowKey="id"
            size="small"
            loading={loading}
            dataSource={data?.items ?? []}
            locale={{ emptyText: <span className="muted">没有符合条件的用户</span> }}
            pagination={{ current: page, pageSize: 20, total: data?.total ?? 0, showTotal: (t) => `共 ${t} 个用户`, onChange: setPage }}
            data-testid="users-table"
            columns={[
              { title: '用户名', dataIndex: 'username', width: 160, render: (v: string) => <span className="mono">{v}</span> },
              { title: '姓名', dataIndex: 'name', width: 100 },
              { title: '所属单位', dataIndex: 'orgName' },
              {
                title: '角色',
                dataIndex: 'roles',
                render: (roles: Role[]) =>
                  roles.map((r) => (
                    <Tag key={r} color="blue">
                      {ROLE_LABELS[r]}
                    </Tag>
                  )),
              },
              { title: '状态', dataIndex: 'status', width: 80, render: (s?: string) => (s === 'disabled' ? <Tag>停用</Tag> : <Tag color="green">启用</Tag>) },
              {
                title: '动态验证码',
                dataIndex: 'totpEnabled',
                width: 100,
                render: (on?: boolean) => (on ? <Tag color="green">已启用</Tag> : <Tag>未启用</Tag>),
              },
              { title: '最近登录', dataIndex: 'lastLoginAt', width: 170, render: (v?: string | null) => formatDateTime(v) },
              {
                title: '操作',
                key: 'op',
                width: 170,
                render: (_: unknown, u) => (
                  <Space size={12}>
                    {mayEdit(u) || mayAssign(u) || mayReset(u) ? (
                      <a onClick={() => open({ mode: 'edit', user: u })}>{mayEdit(u) || mayReset(u) ? '编辑' : '分配角色'}</a>
                    ) : null}
                    {/* Only a user with an authenticator bound has something to reset (a lost phone). */}
                    {mayReset(u) && u.totpEnabled ? (
                      <Popconfirm
                        title="重置两步验证"
                        description={`清除 ${u.name} 绑定的身份验证器（如手机丢失）。其当前登录将失效，下次登录时重新绑定。`}
                        okText="确认重置"
                        cancelText="取消"
                        okButtonProps={{ danger: true }}
                        onConfirm={() => resetTotp(u)}
                        overlayStyle={{ maxWidth: 320 }}
                      >
                        <a data-testid={`reset-totp-${u.username}`}>重置两步验证</a>
                      </Popconfirm>
                    ) : null}
                  </Space>
                ),
              },
            ]}
          />
        )}
      </Card>
      <Modal
        title={editing?.mode === 'edit' ? `编辑用户：${editing.user.username}` : '新建用户'}
        open={!!editing}
        onCancel={() => setEditing(null)}
        onOk={save}
        okText="保存"
        confirmLoading={saving}
        width={640}
        destroyOnHidden
      >
        <Form form={form} layout="vertical" key={editing?.mode === 'edit' ? editing.user.id : 'new'} initialValues={initialValues} preserve={false}>
          {editing?.mode === 'create' ? (
            <>
              <Form.Item
                name="username"
                label="用户名"
                rules={[{ required: true, whitespace: true, message: '用户名不能为空' }]}
                tooltip="字母开头，3–32 位字母、数字、下划线、点或横线"
              >
                <Input placeholder="如：slj_cataloger" />
              </Form.Item>
              <Form.Item name="orgId" label="所属单位" rules={[{ required: true, whitespace: true, message: '所属单位不能为空' }]}>
                <Select showSearch optionFilterProp="label" options={orgOptions} disabled={!isSysAdmin} placeholder="选择单位" />
              </Form.Item>
            </>
          ) : null}
          <Form.Item name="name" label="姓名" rules={[{ required: true, whitespace: true, message: '姓名不能为空' }]}>
            <Input disabled={editing?.mode === 'edit' && !mayEdit(editing.user)} />
          </Form.Item>
          {(editing?.mode === 'create' && rolesOnCreate) || (editing?.mode === 'edit' && mayAssign(editing.user)) ? (
            <Form.Item name="roles" label="角色" tooltip="系统管理员、安全管理员、审计员各自单独持有，不兼任其他角色">
              <Checkbox.Group
                options={me?.roles.includes('SEC_ADMIN') ? ROLE_OPTIONS : BUSINESS_ROLE_OPTIONS}
                style={{ display: 'grid', gridTemplateColumns: 'repeat(3, 1fr)', rowGap: 6 }}
              />
            </Form.Item>
          ) : null}
          {editing?.mode === 'edit' && mayEdit(editing.user) ? (
            <Form.Item name="status" label="状态">
              <Radio.Group
                options={[
                  { value: 'active', label: '启用' },
                  { value: 'disabled', label: '停用' },
                ]}
              />
            </Form.Item>
          ) : null}
          {editing?.mode === 'create' || (editing?.mode === 'edit' && mayReset(editing.user)) ? (
            <Form.Item
              name="password"
              label={editing?.mode === 'edit' ? '重置密码（不修改请留空）' : '初始密码'}
              rules={[{ required: editing?.mode === 'create', message: '初始密码不能为空' }]}
              tooltip="至少 8 位，含大写字母、小写字母、数字、符号中的三类"
            >
              <Input.Password autoComplete="new-password" />
            </Form.Item>
          ) : null}
          <Form.Item name="mobile" label="手机号">
            <Input maxLength={11} disabled={editing?.mode === 'edit' && !mayEdit(editing.user)} />
          </Form.Item>
        </Form>
      </Modal>
    </PageContainer>
  )
}
