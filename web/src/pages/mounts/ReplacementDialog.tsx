import { Alert, Checkbox, Descriptions, Modal, Space, Tag } from 'antd'
import { useState } from 'react'
import type { TableUploadPreview } from '../../api/mounts.ts'

type Preview = TableUploadPreview['preview']

const rowsText = (n: number | null) => (n === null ? '尚无数据' : `${n.toLocaleString('zh-CN')} 行`)

/**
 * What replacing the current batch with this file changes, asked before anything is imported. A change
 * the server would refuse without confirmation (rows swinging by more than half, items losing their data)
 * needs an explicit tick before the button works.
 */
export function ReplacementDialog({
  fileName,
  preview,
  onConfirm,
  onCancel,
}: {
  fileName: string
  preview: Preview
  onConfirm: () => void
  onCancel: () => void
}) {
  const [checked, setChecked] = useState(false)
  const strong = preview.confirmationRequired
  const change = preview.changePercent === null ? '—' : `${preview.changePercent > 0 ? '+' : ''}${preview.changePercent}%`
  return (
    <Modal
      open
      title="确认替换库表数据"
      okText={strong ? '确认替换（变化较大）' : '确认替换'}
      cancelText="取消"
      okButtonProps={{ danger: strong, disabled: strong && !checked, 'data-testid': 'replace-confirm' }}
      onOk={onConfirm}
      onCancel={onCancel}
      width={640}
    >
      <div data-testid="replace-preview">
        <p>文件「{fileName}」将整批替换当前数据，已检查完毕，尚未导入。替换前请核对：</p>
        <Descriptions size="small" column={1} bordered>
          <Descriptions.Item label="当前数据行数">{rowsText(preview.rowsBefore)}</Descriptions.Item>
          <Descriptions.Item label="替换后数据行数">{rowsText(preview.rowsAfter)}</Descriptions.Item>
          <Descriptions.Item label="行数变化">
            {strong && preview.reasons.some((r) => r.includes('行数')) ? <Tag color="red">{change}</Tag> : change}
          </Descriptions.Item>
          <Descriptions.Item label="文件中缺少的信息项">
            {preview.missingItems.length === 0 ? (
              '无'
            ) : (
              <Space size={[4, 4]} wrap>
                {preview.missingItems.map((m) => (
                  <Tag key={m.itemId} color={m.hadBefore ? 'orange' : 'default'}>
                    {m.name}
                    {m.hadBefore ? '（当前有数据，替换后为空）' : '（替换后为空）'}
                  </Tag>
                ))}
              </Space>
            )}
          </Descriptions.Item>
          <Descriptions.Item label="将被忽略的列">{preview.ignoredColumns.length === 0 ? '无' : preview.ignoredColumns.join('，')}</Descriptions.Item>
          {preview.rejectedTotal > 0 ? <Descriptions.Item label="跳过的错误行">{`${preview.rejectedTotal} 行`}</Descriptions.Item> : null}
        </Descriptions>
        {strong ? (
          <Alert
            type="warning"
            showIcon
            style={{ marginTop: 12 }}
            message="变化较大，请确认"
            description={
              <div>
                {preview.reasons.map((reason) => (
                  <div key={reason}>{reason}。</div>
                ))}
                <Checkbox style={{ marginTop: 8 }} checked={checked} onChange={(e) => setChecked(e.target.checked)} data-testid="replace-acknowledge">
                  我已核对上述变化，确认用此文件替换当前数据
                </Checkbox>
              </div>
            }
          />
        ) : null}
        <p className="muted" style={{ marginTop: 12 }}>
          被替换的数据保留一段时间，期间可以「恢复上一批次」。
        </p>
      </div>
    </Modal>
  )
}
