import { Button, Card, Typography } from 'antd'
import { useNavigate } from 'react-router-dom'
import { useAuth } from '../../auth/AuthProvider.tsx'
import { TotpSetup } from './TotpSetup.tsx'

/**
 * 两步验证设置 for a session the server restricted to enrollment (GOVSHARE_TOTP_REQUIRED and no TOTP
 * yet): nothing else of the console works until it is done, so it stands alone like the login page.
 */
export default function TotpSetupPage() {
  const { user, enrollmentRequired, enrolled, logout } = useAuth()
  const navigate = useNavigate()
  if (!user) return null
  return (
    <div className="login-bg">
      <Card className="login-card totp-card" styles={{ body: { padding: '28px 32px 24px' } }}>
        <Typography.Title level={4} style={{ marginBottom: 4 }}>
          设置两步验证
        </Typography.Title>
        <Typography.Paragraph type="secondary">
          {enrollmentRequired
            ? `${user.name}（${user.orgName}）：本平台要求审批和管理角色在密码之外使用手机动态验证码登录。请先完成绑定，再使用平台。`
            : '为账号绑定手机身份验证器，登录时在密码之外输入动态验证码。'}
        </Typography.Paragraph>
        <TotpSetup
          onDone={() => {
            enrolled()
            navigate('/workbench', { replace: true })
          }}
          onCancel={enrollmentRequired ? undefined : () => navigate('/settings')}
        />
        <div style={{ marginTop: 16, textAlign: 'right' }}>
          <Button type="link" size="small" onClick={() => void logout()}>
            退出登录
          </Button>
        </div>
      </Card>
    </div>
  )
}
