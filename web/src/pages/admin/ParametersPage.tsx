import { App, Card, Descriptions, Select, Space, Tag, Typography } from 'antd'
import { useState } from 'react'
import { type Parameter, listParameters, updateParameter } from '../../api/parameters.ts'
import { useAuth } from '../../auth/AuthProvider.tsx'
import { allowedByRole } from '../../auth/permissions.ts'
import { PageContainer } from '../../components/PageContainer.tsx'
import { LoadError, Loading } from '../../components/States.tsx'
import { useAsync } from '../../hooks/useAsync.ts'
import { formatDateTime } from '../../lib/dates.ts'

/** 参数设置: the deadlines the platform counts with (SPEC §7.1); the system administrator picks among the allowed values. */
export default function ParametersPage() {
  const { user } = useAuth()
  const { message } = App.useApp()
  const canEdit = !!user && allowedByRole(user.roles, 'parameter.update')
  const { data, error, loading, reload } = useAsync(() => listParameters(), [])
  const [saving, setSaving] = useState<string | null>(null)

  async function change(parameter: Parameter, value: number) {
    setSaving(parameter.key)
    try {
      await updateParameter(parameter.key, value)
      message.success(`「${parameter.label}」已改为 ${value}`)
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
                      options={parameter.allowed.map((v) => ({ value: v, label: `${v} 个工作日${v === parameter.default ? '（默认）' : ''}` }))}
                      onChange={(value: number) => change(parameter, value)}
                    />
                  ) : (
                    <Typography.Text strong>{parameter.value} 个工作日</Typography.Text>
                  )}
                  {parameter.value !== parameter.default && <Tag color="orange" style={{ marginLeft: 8 }}>已改动（默认 {parameter.default}）</Tag>}
                </Descriptions.Item>
                <Descriptions.Item label="最后修改">
                  {parameter.updatedAt ? `${formatDateTime(parameter.updatedAt as unknown as string)}，${parameter.updatedByName ?? '—'}` : '未修改（使用默认值）'}
                </Descriptions.Item>
              </Descriptions>
            </Card>
          ))}
        </Space>
      )}
    </PageContainer>
  )
}
