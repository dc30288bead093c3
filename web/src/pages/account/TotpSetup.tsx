import { Alert, App, Button, Form, Input, QRCode, Space, Steps, Typography } from 'antd'
import { useState } from 'react'
import { ApiError } from '../../api/client.ts'
import { type TotpEnrollment, confirmTotp, enrollTotp } from '../../api/identity.ts'
import { applyFieldErrors } from '../../lib/fieldErrors.ts'
import { TotpCodeInput } from './TotpCodeInput.tsx'

/** `JBSWY3DPEHPK3PXP` → `JBSW Y3DP EHPK 3PXP`: easier to type into an app by hand. */
export const groupsOfFour = (secret: string) => secret.replace(/(.{4})(?=.)/g, '$1 ')

/**
 * Binding an authenticator app: the current password (the server wants proof it is the user, not a
 * borrowed session), then the secret as a QR code and as text, then a first code to confirm.
 */
export function TotpSetup({ onDone, onCancel }: { onDone: () => void; onCancel?: () => void }) {
  const { message } = App.useApp()
  const [enrollment, setEnrollment] = useState<TotpEnrollment | null>(null)
  const [busy, setBusy] = useState(false)
  const [problem, setProblem] = useState<string | null>(null)
  const [passwordForm] = Form.useForm<{ password: string }>()
  const [codeForm] = Form.useForm<{ code: string }>()

  // Field problems go to their field; anything else (no data key configured, locked account) above the form.
  const report = (form: typeof passwordForm | typeof codeForm, field: string, error: unknown) => {
    if (!(error instanceof ApiError)) throw error
    const left = applyFieldErrors(form, error.details, (path) => path[0] === field)
    if (error.details.length === 0 || left.length > 0) setProblem(error.message)
  }

  const start = async ({ password }: { password: string }) => {
    setBusy(true)
    setProblem(null)
    try {
      setEnrollment(await enrollTotp(password))
    } catch (error) {
      report(passwordForm, 'password', error)
    } finally {
      setBusy(false)
    }
  }

  const confirm = async ({ code }: { code: string }) => {
    setBusy(true)
    setProblem(null)
    try {
      await confirmTotp(code)
      message.success('两步验证已启用，以后登录时需输入动态验证码')
      onDone()
    } catch (error) {
      report(codeForm, 'code', error)
    } finally {
      setBusy(false)
    }
  }

  return (
    <div data-testid="totp-setup">
      <Steps size="small" current={enrollment ? 1 : 0} style={{ marginBottom: 20 }} items={[{ title: '确认身份' }, { title: '扫码并输入验证码' }]} />
      {problem ? <Alert type="error" showIcon message={problem} style={{ marginBottom: 16 }} data-testid="totp-setup-error" /> : null}
      {enrollment ? (
        <>
          <div className="totp-bind">
            <QRCode value={enrollment.otpauthUri} size={176} bordered errorLevel="M" />
            <div style={{ minWidth: 0, flex: 1 }}>
              <Typography.Paragraph style={{ marginBottom: 8 }}>
                用手机上的身份验证器应用（如腾讯身份验证器、微软身份验证器）扫描左侧二维码。无法扫码时，在应用中选择“手动输入密钥”，填入：
              </Typography.Paragraph>
              <Typography.Paragraph copyable={{ text: enrollment.secret, tooltips: ['复制密钥', '已复制'] }} className="totp-secret" data-testid="totp-secret">
                {groupsOfFour(enrollment.secret)}
              </Typography.Paragraph>
              <Typography.Paragraph type="secondary" style={{ fontSize: 12, marginBottom: 4 }}>
                类型：基于时间；位数：6；间隔：30 秒。密钥只显示这一次，请勿截图外传。
              </Typography.Paragraph>
              <Typography.Paragraph
                type="secondary"
                className="mono"
                style={{ fontSize: 12, marginBottom: 0 }}
                copyable={{ text: enrollment.otpauthUri, tooltips: ['复制绑定地址', '已复制'] }}
                ellipsis={{ rows: 1 }}
                data-testid="totp-uri"
              >
                {enrollment.otpauthUri}
              </Typography.Paragraph>
            </div>
          </div>
          <Form form={codeForm} layout="vertical" requiredMark={false} onFinish={confirm} style={{ maxWidth: 320, marginTop: 16 }}>
            <Form.Item name="code" label="身份验证器显示的 6 位验证码" rules={[{ required: true, pattern: /^\d{6}$/, message: '请输入 6 位数字验证码' }]}>
              <TotpCodeInput autoFocus />
            </Form.Item>
            <Space>
              <Button type="primary" htmlType="submit" loading={busy} data-testid="totp-confirm">
                确认启用
              </Button>
              {onCancel ? <Button onClick={onCancel}>取消</Button> : null}
            </Space>
          </Form>
        </>
      ) : (
        <Form form={passwordForm} layout="vertical" requiredMark={false} onFinish={start} style={{ maxWidth: 320 }}>
          <Form.Item name="password" label="当前登录密码" rules={[{ required: true, message: '请输入当前密码' }]}>
            <Input.Password autoComplete="current-password" autoFocus data-testid="totp-password" />
          </Form.Item>
          <Space>
            <Button type="primary" htmlType="submit" loading={busy} data-testid="totp-start">
              下一步
            </Button>
            {onCancel ? <Button onClick={onCancel}>取消</Button> : null}
          </Space>
        </Form>
      )}
    </div>
  )
}
