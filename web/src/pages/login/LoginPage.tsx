import { LockOutlined, SafetyOutlined, UserOutlined } from '@ant-design/icons'
import { Alert, Button, Card, Form, Input, Typography } from 'antd'
import { useEffect, useState } from 'react'
import { Navigate, useNavigate, useSearchParams } from 'react-router-dom'
import { ApiError } from '../../api/client.ts'
import { TOTP_SETUP_PATH, useAuth } from '../../auth/AuthProvider.tsx'
import { TotpCodeInput } from '../account/TotpCodeInput.tsx'

const DEMO_ACCOUNTS = 'admin（系统管理员）、authority（主管部门）、auditor（审计员）、gaj_cataloger（市公安局编目员）、mzj_user（市民政局申请人）'

/** Where a redirect may go: only paths inside the console. */
const safeRedirect = (value: string | null) => (value && value.startsWith('/') && !value.startsWith('//') ? value : '/workbench')

export default function LoginPage() {
  const { user, login } = useAuth()
  const navigate = useNavigate()
  const [params] = useSearchParams()
  const [error, setError] = useState<string | null>(null)
  const [submitting, setSubmitting] = useState(false)
  const [embedded, setEmbedded] = useState(false)
  // The password was right and the account uses TOTP: the second step asks for the code.
  const [credentials, setCredentials] = useState<{ username: string; password: string } | null>(null)
  const [codeForm] = Form.useForm<{ totpCode: string }>()

  useEffect(() => {
    // The embedded database ships the Weifang demo (API.md "Demo data"); PostgreSQL deployments do not.
    fetch('/api/health')
      .then((r) => (r.ok ? r.json() : null))
      .then((h: { db?: string } | null) => setEmbedded(h?.db === 'pglite'))
      .catch(() => undefined)
  }, [])

  if (user) return <Navigate to={safeRedirect(params.get('redirect'))} replace />

  const attempt = async (username: string, password: string, totpCode?: string) => {
    setSubmitting(true)
    setError(null)
    try {
      const result = await login(username, password, totpCode)
      navigate(result.totpEnrollmentRequired ? TOTP_SETUP_PATH : safeRedirect(params.get('redirect')), { replace: true })
    } catch (e) {
      const codeProblem = e instanceof ApiError && (e.code === 'INVALID_TOTP' ? e.message : e.details.find((d) => d.field === 'totpCode')?.message)
      if (e instanceof ApiError && e.code === 'TOTP_REQUIRED') {
        setCredentials({ username, password })
      } else if (codeProblem && totpCode) {
        codeForm.setFields([{ name: 'totpCode', errors: [codeProblem], value: '' }])
      } else {
        setError((e as Error).message)
      }
    } finally {
      setSubmitting(false)
    }
  }

  return (
    <div className="login-bg">
      <Card className="login-card" styles={{ body: { padding: '32px 32px 24px' } }}>
        <div style={{ textAlign: 'center', marginBottom: 24 }}>
          <Typography.Title level={3} style={{ marginBottom: 4 }}>
            潍坊市政务数据共享交换平台
          </Typography.Title>
          <Typography.Text type="secondary">政务信息资源目录 · 共享申请 · 数据服务</Typography.Text>
        </div>
        {error ? <Alert type="error" showIcon message={error} style={{ marginBottom: 16 }} data-testid="login-error" /> : null}
        {credentials ? (
          <Form
            form={codeForm}
            layout="vertical"
            requiredMark={false}
            size="large"
            onFinish={(v) => attempt(credentials.username, credentials.password, v.totpCode)}
            data-testid="totp-step"
          >
            <Alert
              type="info"
              showIcon
              icon={<SafetyOutlined />}
              style={{ marginBottom: 16 }}
              message={`账号 ${credentials.username} 已启用两步验证，请打开手机上的身份验证器，输入当前显示的 6 位动态验证码。`}
            />
            <Form.Item name="totpCode" label="动态验证码" rules={[{ required: true, pattern: /^\d{6}$/, message: '请输入 6 位数字动态验证码' }]}>
              <TotpCodeInput autoFocus />
            </Form.Item>
            <Button type="primary" htmlType="submit" block loading={submitting}>
              验证并登录
            </Button>
            <Button
              type="link"
              block
              style={{ marginTop: 8 }}
              onClick={() => {
                setCredentials(null)
                setError(null)
              }}
            >
              返回重新输入密码
            </Button>
          </Form>
        ) : null}
        <Form
          layout="vertical"
          onFinish={(v: { username: string; password: string }) => attempt(v.username.trim(), v.password)}
          requiredMark={false}
          size="large"
          style={credentials ? { display: 'none' } : undefined}
        >
          <Form.Item name="username" label="用户名" rules={[{ required: true, message: '请输入用户名' }]}>
            <Input prefix={<UserOutlined />} placeholder="请输入用户名" autoComplete="username" autoFocus />
          </Form.Item>
          <Form.Item name="password" label="密码" rules={[{ required: true, message: '请输入密码' }]}>
            <Input.Password prefix={<LockOutlined />} placeholder="请输入密码" autoComplete="current-password" />
          </Form.Item>
          <Button type="primary" htmlType="submit" block loading={submitting}>
            登录
          </Button>
        </Form>
        <div style={{ marginTop: 16, fontSize: 12, color: '#666', lineHeight: 1.7 }}>
          连续输错 5 次密码或动态验证码，账号将锁定 15 分钟。
          {embedded ? <div data-testid="demo-hint">演示环境账号：{DEMO_ACCOUNTS} 等，密码均为 Govshare@2026。</div> : null}
        </div>
      </Card>
    </div>
  )
}
