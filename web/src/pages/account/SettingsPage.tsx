import { SafetyCertificateOutlined } from '@ant-design/icons'
import { Alert, App, Button, Card, Col, Descriptions, Form, Input, Modal, Row, Space, Tag } from 'antd'
import { useState } from 'react'
import { ROLE_LABELS } from '../../../../common/roles.ts'
import { ApiError } from '../../api/client.ts'
import { changePassword, disableTotp, getTotpStatus } from '../../api/identity.ts'
import { useAuth } from '../../auth/AuthProvider.tsx'
import { PageContainer } from '../../components/PageContainer.tsx'
import { LoadError, Loading } from '../../components/States.tsx'
import { useAsync } from '../../hooks/useAsync.ts'
import { applyFieldErrors } from '../../lib/fieldErrors.ts'
import { TotpCodeInput } from './TotpCodeInput.tsx'
import { TotpSetup } from './TotpSetup.tsx'

const PASSWORD_FIELDS = new Set(['currentPassword', 'newPassword'])

/** 个人设置: one's own password and two-step verification (from the user menu in the header). */
export default function SettingsPage() {
  const { user } = useAuth()
  if (!user) return null
  return (
    <PageContainer title="个人设置" description="修改登录密码，设置两步验证（手机动态验证码）。">
      <Card size="small" style={{ marginBottom: 16 }}>
        <Descriptions size="small" column={3}>
          <Descriptions.Item label="用户名">
            <span className="mono">{user.username}</span>
          </Descriptions.Item>
          <Descriptions.Item label="姓名">{user.name}</Descriptions.Item>
          <Descriptions.Item label="所属单位">{user.orgName}</Descriptions.Item>
          <Descriptions.Item label="角色" span={3}>
            {user.roles.map((r) => (
              <Tag key={r} color="blue">
                {ROLE_LABELS[r]}
              </Tag>
            ))}
          </Descriptions.Item>
        </Descriptions>
      </Card>
      <Row gutter={16}>
        <Col xs={24} xl={10}>
          <PasswordCard />
        </Col>
        <Col xs={24} xl={14}>
          <TwoStepCard />
        </Col>
      </Row>
    </PageContainer>
  )
}

function PasswordCard() {
  const { message } = App.useApp()
  const [form] = Form.useForm<{ currentPassword: string; newPassword: string; repeat: string }>()
  const [busy, setBusy] = useState(false)
  const [problem, setProblem] = useState<string | null>(null)

  const save = async (v: { currentPassword: string; newPassword: string }) => {
    setBusy(true)
    setProblem(null)
    try {
      await changePassword({ currentPassword: v.currentPassword, newPassword: v.newPassword })
      form.resetFields()
      message.success('密码已修改，其他设备上的登录已退出')
    } catch (e) {
      if (!(e instanceof ApiError)) throw e
      const left = applyFieldErrors(form, e.details, (p) => PASSWORD_FIELDS.has(String(p[0])))
      if (e.details.length === 0 || left.length > 0) setProblem(e.message)
    } finally {
      setBusy(false)
    }
  }

  return (
    <Card size="small" title="修改密码" style={{ marginBottom: 16 }} data-testid="password-card">
      {problem ? <Alert type="error" showIcon message={problem} style={{ marginBottom: 12 }} /> : null}
      <Form form={form} layout="vertical" requiredMark={false} onFinish={save} style={{ maxWidth: 420 }}>
        <Form.Item name="currentPassword" label="当前密码" rules={[{ required: true, message: '请输入当前密码' }]}>
          <Input.Password autoComplete="current-password" data-testid="current-password" />
        </Form.Item>
        <Form.Item
          name="newPassword"
          label="新密码"
          extra="至少 8 位，含大写字母、小写字母、数字、符号中的三类，不能与用户名相同"
          rules={[{ required: true, message: '请输入新密码' }]}
        >
          <Input.Password autoComplete="new-password" data-testid="new-password" />
        </Form.Item>
        <Form.Item
          name="repeat"
          label="再次输入新密码"
          dependencies={['newPassword']}
          rules={[
            { required: true, message: '请再次输入新密码' },
            ({ getFieldValue }) => ({
              validator: (_, value) =>
                !value || value === getFieldValue('newPassword') ? Promise.resolve() : Promise.reject(new Error('两次输入的新密码不一致')),
            }),
          ]}
        >
          <Input.Password autoComplete="new-password" data-testid="repeat-password" />
        </Form.Item>
        <Button type="primary" htmlType="submit" loading={busy} data-testid="change-password">
          修改密码
        </Button>
      </Form>
    </Card>
  )
}

function TwoStepCard() {
  const { message } = App.useApp()
  const { data: status, error, loading, reload } = useAsync(() => getTotpStatus(), [])
  const [setting, setSetting] = useState(false)
  const [disabling, setDisabling] = useState(false)
  const [busy, setBusy] = useState(false)
  const [codeForm] = Form.useForm<{ code: string }>()

  const disable = async () => {
    const { code } = await codeForm.validateFields()
    setBusy(true)
    try {
      await disableTotp(code)
      message.success('两步验证已停用')
      setDisabling(false)
      reload()
    } catch (e) {
      if (!(e instanceof ApiError)) throw e
      const left = applyFieldErrors(codeForm, e.details, (p) => p[0] === 'code')
      if (e.details.length === 0 || left.length > 0) codeForm.setFields([{ name: 'code', errors: [e.message] }])
    } finally {
      setBusy(false)
    }
  }

  let body
  if (error) body = <LoadError error={error} onRetry={reload} />
  else if (loading && !status) body = <Loading height={120} />
  else if (!status) body = null
  else if (setting)
    body = (
      <TotpSetup
        onDone={() => {
          setSetting(false)
          reload()
        }}
        onCancel={() => setSetting(false)}
      />
    )
  else
    body = (
      <Space direction="vertical" size={12} style={{ width: '100%' }}>
        <Space size={8} wrap>
          <SafetyCertificateOutlined style={{ fontSize: 20, color: status.enabled ? '#389e0d' : '#8c8c8c' }} />
          <span>当前状态：</span>
          {status.enabled ? <Tag color="success">已启用</Tag> : <Tag>未启用</Tag>}
          {status.pending ? <Tag color="warning">绑定未完成</Tag> : null}
          {status.required ? <Tag color="blue">本平台要求使用</Tag> : null}
        </Space>
        <div className="muted" data-testid="totp-status">
          {status.enabled
            ? '登录时需在密码之外输入手机身份验证器上的 6 位动态验证码。更换手机时，请先停用再重新绑定；手机丢失请联系系统管理员重置。'
            : '启用后，登录时需在密码之外输入手机身份验证器上的 6 位动态验证码，即使密码泄露账号也不会被他人登录。'}
        </div>
        {status.enabled ? (
          status.required ? (
            <Alert type="info" showIcon message="本平台要求审批和管理角色使用两步验证，不能停用。" />
          ) : (
            <Button danger onClick={() => setDisabling(true)} data-testid="totp-disable">
              停用两步验证
            </Button>
          )
        ) : (
          <Button type="primary" onClick={() => setSetting(true)} data-testid="totp-enable">
            {status.pending ? '重新绑定' : '启用两步验证'}
          </Button>
        )}
      </Space>
    )

  return (
    <Card size="small" title="两步验证" style={{ marginBottom: 16 }} data-testid="two-step-card">
      {body}
      <Modal
        title="停用两步验证"
        open={disabling}
        onCancel={() => setDisabling(false)}
        onOk={disable}
        okText="确认停用"
        okButtonProps={{ danger: true }}
        confirmLoading={busy}
        destroyOnHidden
      >
        <p className="muted">停用后登录只需密码。请输入身份验证器当前显示的验证码以确认是本人操作：</p>
        <Form form={codeForm} layout="vertical" requiredMark={false} preserve={false}>
          <Form.Item name="code" label="动态验证码" rules={[{ required: true, pattern: /^\d{6}$/, message: '请输入 6 位数字验证码' }]}>
            <TotpCodeInput />
          </Form.Item>
        </Form>
      </Modal>
    </Card>
  )
}
