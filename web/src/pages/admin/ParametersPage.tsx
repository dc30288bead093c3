import { App, Card, Descriptions, Input, Modal, Select, Space, Tag, Typography } from 'antd'
import { useState } from 'react'
import { type Parameter, listParameters, updateParameter } from '../../api/parameters.ts'
import { useAuth } from '../../auth/AuthProvider.tsx'
import { allowedByRole } from '../../auth/permissions.ts'
import { PageContainer } from '../../components/PageContainer.tsx'
import { LoadError, Loading } from '../../components/States.tsx'
import { useAsync } from '../../hooks/useAsync.ts'
import { formatDateTime } from '../../lib/dates.ts'
import { reasonProblem } from '../../../../common/reasons.ts'

/** A value with the unit its label names in brackets (「…（天）」 → 「7 天」; working days read 「10 个工作日」). */
function withUnit(parameter: Parameter, value: number) {
  const unit = /（([^（）]+)）$/.exec(parameter.label)?.[1] ?? ''
  return unit === '工作日' ? `${value} 个工作日` : `${value} ${unit}`.trim()
}
/** A switch (allowed 0 and 1, such as the compliance review) reads 开启/关闭; every other parameter reads in its unit. */
const isSwitch = (parameter: Parameter) => parameter.allowed.length === 2 && parameter.allowed.includes(0) && parameter.allowed.includes(1)
const valueText = (parameter: Parameter, value: number) => (isSwitch(parameter) ? (value === 1 ? '开启' : '关闭') : withUnit(parameter, value))

/** 参数设置: the deadlines the platform counts with (SPEC §7.1); the system administrator picks among the allowed values. */
export default function ParametersPage() {
  const { user } = useAuth()
  const { message } = App.useApp()
  const canEdit = !!user && allowedByRole(user.roles, 'parameter.update')
  const { data, error, loading, reload } = useAsync(() => listParameters(), [])
  const [saving, setSaving] = useState<string | null>(null)
  // A city-wide clock changes every department's deadlines: the new value is confirmed with a reason first.
  const [pending, setPending] = useState<{ parameter: Parameter; value: number } | null>(null)
  const [reason, setReason] = useState('')
  const [touched, setTouched] = useState(false)
  const problem = reasonProblem(reason, '修改原因')

  async function change() {
    if (!pending) return
    setTouched(true)
    if (problem) return
    const { parameter, value } = pending
    setSaving(parameter.key)
    try {
      await updateParameter(parameter.key, value, reason.trim())
      message.success(`「${parameter.label}」已改为 ${valueText(parameter, value)}`)
      setPending(null)
      reload()
    } catch {
      // the client showed the message
    } finally {
      setSaving(null)
    }
  }

  return (
    <PageContainer title="参数设置" description="平台计算期限所用的参数；修改后对新发生的事项生效，每次修改都记入审计日志。">
      {loading && !data ? (
        <Loading />
      ) : error ? (
        <LoadError error={error} onRetry={reload} />
      ) : (
        <Space direction="vertical" size="middle" style={{ width: '100%' }}>
          {data!.items.map((parameter) => (
            <Card key={parameter.key} size="small" title={parameter.label} data-parameter={parameter.key}>
              <Descriptions column={1} size="small">
                <Descriptions.Item label="说明">{parameter.description}</Descriptions.Item>
                <Descriptions.Item label="当前值">
                  {canEdit ? (
                    <Select
                      aria-label={parameter.label}
                      value={parameter.value}
                      loading={saving === parameter.key}
                      style={{ width: 220 }}
                      options={parameter.allowed.map((v) => ({ value: v, label: `${valueText(parameter, v)}${v === parameter.default ? '（默认）' : ''}` }))}
                      onChange={(value: number) => {
                        setReason('')
                        setTouched(false)
                        setPending({ parameter, value })
                      }}
                    />
                  ) : (
                    <Typography.Text strong>{valueText(parameter, parameter.value)}</Typography.Text>
                  )}
                  {parameter.value !== parameter.default && (
                    <Tag color="orange" style={{ marginLeft: 8 }}>
                      已改动（默认 {isSwitch(parameter) ? valueText(parameter, parameter.default) : parameter.default}）
                    </Tag>
                  )}
                </Descriptions.Item>
                <Descriptions.Item label="最后修改">
                  {parameter.updatedAt
                    ? `${formatDateTime(parameter.updatedAt as unknown as string)}，${parameter.updatedByName ?? '—'}`
                    : '未修改（使用默认值）'}
                </Descriptions.Item>
              </Descriptions>
            </Card>
          ))}
        </Space>
      )}
      <Modal
        title="确认修改平台参数"
        open={!!pending}
        okText="确认修改"
        cancelText="取消"
        confirmLoading={!!saving}
        onOk={change}
        onCancel={() => setPending(null)}
        okButtonProps={{ 'data-testid': 'parameter-confirm' } as never}
        destroyOnHidden
      >
        {pending ? (
          <Space direction="vertical" style={{ width: '100%' }}>
            <Typography.Paragraph>
              将「{pending.parameter.label}」由 <Typography.Text strong>{valueText(pending.parameter, pending.parameter.value)}</Typography.Text> 改为{' '}
              <Typography.Text strong>{valueText(pending.parameter, pending.value)}</Typography.Text>。该参数全市生效，对修改后新发生的事项适用。
            </Typography.Paragraph>
            <label htmlFor="parameter-reason">修改原因（记入审计日志，须写明具体依据）</label>
            <Input.TextArea
              id="parameter-reason"
              rows={3}
              value={reason}
              maxLength={2000}
              status={touched && problem ? 'error' : undefined}
              aria-invalid={touched && !!problem}
              aria-describedby={touched && problem ? 'parameter-reason-error' : undefined}
              onChange={(e) => setReason(e.target.value)}
              placeholder="如：依据市政府办公室〔2026〕12号文件，答复时限缩短为 5 个工作日"
              data-testid="parameter-reason"
            />
            {touched && problem ? (
              <Typography.Text type="danger" id="parameter-reason-error" role="alert">
                {problem}
              </Typography.Text>
            ) : null}
          </Space>
        ) : null}
      </Modal>
    </PageContainer>
  )
}
