import { LockOutlined, UserOutlined } from '@ant-design/icons'
import { Alert, Button, Card, Form, Input, Typography } from 'antd'
import { useEffect, useState } from 'react'
import { Navigate, useNavigate, useSearchParams } from 'react-router-dom'
import type { ApiError } from '../../api/client.ts'
import { useAuth } from '../../auth/AuthProvider.tsx'

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

  useEffect(() => {
    // The embedded database ships the Weifang demo (API.md "Demo data"); PostgreSQL deployments do not.
    fetch('/api/health')
      .then((r) => (r.ok ? r.json() : null))
      .then((h: { db?: string } | null) => setEmbedded(h?.db === 'pglite'))
      .catch(() => undefined)
  }, [])

  if (user) return <Navigate to={safeRedirect(params.get('redirect'))} replace />

  const onFinish = async (values: { username: string; password: string }) => {
    setSubmitting(true)
    setError(null)
    try {
      await login(values.username.trim(), values.password)
      navigate(safeRedirect(params.get('redirect')), { replace: true })
    } catch (e) {
      setError((e as ApiError).message)
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
        <Form layout="vertical" onFinish={onFinish} requiredMark={false} size="large">
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
        <div style={{ marginTop: 16, fontSize: 12, color: '#8c8c8c', lineHeight: 1.7 }}>
          连续输错 5 次密码，账号将锁定 15 分钟。
          {embedded ? (
            <div data-testid="demo-hint">
              演示环境账号：{DEMO_ACCOUNTS} 等，密码均为 Govshare@2026。
            </div>
          ) : null}
        </div>
      </Card>
    </div>
  )
}
