import { Descriptions, Space, Tag } from 'antd'
import { SHARE_MODES, formatTypeLabel } from '../../../../common/catalog.ts'
import type { Resource } from '../../api/catalog.ts'
import { PendingVersionTag, ShareTypeTag, StatusTag } from '../../components/Tags.tsx'
import { formatDate, formatDateTime } from '../../lib/dates.ts'

const modeLabel = (m: string) => SHARE_MODES[m as keyof typeof SHARE_MODES] ?? m

/** The core metadata of an entry (SPEC §5.1), as a description list. */
export function ResourceFacts({ resource: r }: { resource: Resource }) {
  return (
    <Descriptions bordered size="small" column={2} styles={{ label: { width: 150 } }} data-testid="resource-facts">
      <Descriptions.Item label="资源名称" span={2}>
        {r.name}
      </Descriptions.Item>
      <Descriptions.Item label="资源代码">{r.code ?? <span className="muted">首次发布时生成</span>}</Descriptions.Item>
      <Descriptions.Item label="状态">
        <Space size={4}>
          <StatusTag status={r.status} label={r.statusLabel} />
          <span className="muted">第 {r.version} 版</span>
          <PendingVersionTag version={r.pendingVersion} />
        </Space>
      </Descriptions.Item>
      <Descriptions.Item label="资源分类">
        {r.className} <span className="muted">{r.classCode}</span>
      </Descriptions.Item>
      <Descriptions.Item label="层级属性">{r.levelAttr}</Descriptions.Item>
      <Descriptions.Item label="资源提供方">{r.providerName}</Descriptions.Item>
      <Descriptions.Item label="提供方代码">
        <span className="mono">{r.providerCode ?? '—'}</span>
      </Descriptions.Item>
      <Descriptions.Item label="资源摘要" span={2}>
        {r.abstract}
      </Descriptions.Item>
      <Descriptions.Item label="格式">
        {r.formatClassLabel} / {formatTypeLabel(r.formatType)}
        {r.formatOther ? `（${r.formatOther}）` : ''}
      </Descriptions.Item>
      <Descriptions.Item label="更新周期">
        {r.updateCycleLabel}
        {r.updateTimeLimit ? `（${r.updateTimeLimit}）` : ''}
      </Descriptions.Item>
      <Descriptions.Item label="共享类型">
        <ShareTypeTag value={r.shareType} />
      </Descriptions.Item>
      <Descriptions.Item label="共享方式">
        {r.shareModeClass}
        {r.shareModes.length > 0 ? (
          <span style={{ marginInlineStart: 8 }}>
            {r.shareModes.map((m) => (
              <Tag key={m}>{modeLabel(m)}</Tag>
            ))}
          </span>
        ) : null}
      </Descriptions.Item>
      <Descriptions.Item label="共享条件" span={2}>
        {r.shareCondition ?? '—'}
      </Descriptions.Item>
      {r.shareBasis ? (
        <Descriptions.Item label="共享依据" span={2}>
          {r.shareBasis}
        </Descriptions.Item>
      ) : null}
      <Descriptions.Item label="向社会开放">{r.openFlag ? `是（${r.openCondition ?? '—'}）` : '否'}</Descriptions.Item>
      <Descriptions.Item label="数据分级">{r.dataGrade}</Descriptions.Item>
      <Descriptions.Item label="涉密属性">{r.secret ? '涉密' : '非涉密'}</Descriptions.Item>
      <Descriptions.Item label="来源系统">{r.sourceSystem ?? '—'}</Descriptions.Item>
      <Descriptions.Item label="共享咨询">{[r.contactName, r.contactPhone].filter(Boolean).join('，') || '—'}</Descriptions.Item>
      <Descriptions.Item label="发布日期">{formatDate(r.publishedAt)}</Descriptions.Item>
      <Descriptions.Item label="最近修改">{formatDateTime(r.changedAt)}</Descriptions.Item>
      {r.withdrawnReason ? (
        <Descriptions.Item label="下架原因" span={2}>
          {r.withdrawnReason}
        </Descriptions.Item>
      ) : null}
    </Descriptions>
  )
}
