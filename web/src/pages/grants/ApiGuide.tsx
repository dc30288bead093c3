import { Alert, Button, Drawer, Table, Typography } from 'antd'
import { useState } from 'react'
import { Link } from 'react-router-dom'
import { type Item, getResource } from '../../api/catalog.ts'
import { type Grant, type MaskingRule, previewMasking } from '../../api/sharing.ts'
import { LoadError, Loading } from '../../components/States.tsx'
import { useAsync } from '../../hooks/useAsync.ts'
import { MASKING_LABELS, defaultMaskingFor, sampleValue } from '../../lib/masking.ts'

interface GuideItem {
  id: string
  name: string
  key: string
  rule: MaskingRule
  dataType: string | null
}

/** The items a caller receives: the grant's, or (before any grant) the shareable ones with their default masking. */
function guideItems(items: Item[], grant: Grant | undefined): GuideItem[] {
  if (grant) {
    return grant.items.map((g) => ({
      id: g.id,
      name: g.name,
      key: g.nameEn ?? g.name,
      rule: g.masking as MaskingRule,
      dataType: items.find((i) => i.id === g.id)?.dataType ?? null,
    }))
  }
  return items
    .filter((i) => i.shareType !== 3)
    .map((i) => ({ id: i.id, name: i.name, key: i.nameEn ?? i.name, rule: defaultMaskingFor(i), dataType: i.dataType }))
}

/** A sample record: made-up values per item, masked by the server's own rules (POST /masking/preview). */
async function sampleRecord(items: GuideItem[]) {
  const record: Record<string, unknown> = {}
  await Promise.all(
    items.map(async (item) => {
      const raw = sampleValue(item)
      const { values } = await previewMasking(item.rule, [typeof raw === 'boolean' ? String(raw) : raw])
      record[item.key] = typeof raw === 'boolean' && item.rule === 'none' ? raw : values[0]
    }),
  )
  return Object.fromEntries(items.map((i) => [i.key, record[i.key]]))
}

/** 调用说明: token exchange and the records call as curl samples with this platform's real addresses. */
export function ApiGuideButton({ resourceId, grant, type = 'default' }: { resourceId: string; grant?: Grant; type?: 'default' | 'primary' }) {
  const [open, setOpen] = useState(false)
  return (
    <>
      <Button type={type} onClick={() => setOpen(true)} data-testid="api-guide-open">
        调用说明
      </Button>
      <Drawer title="接口调用说明" width={820} open={open} onClose={() => setOpen(false)} destroyOnHidden>
        {open ? <ApiGuide resourceId={resourceId} grant={grant} /> : null}
      </Drawer>
    </>
  )
}

function ApiGuide({ resourceId, grant }: { resourceId: string; grant?: Grant }) {
  const { data, error, loading, reload } = useAsync(async () => {
    const resource = await getResource(resourceId)
    const items = guideItems(resource.items, grant)
    return { resource, items, sample: await sampleRecord(items) }
  }, [resourceId, grant?.id])
  if (error) return <LoadError error={error} onRetry={reload} />
  if (loading || !data) return <Loading height={200} tip="正在生成调用说明…" />

  const origin = window.location.origin
  const lookup = grant?.lookupKeys ?? []
  const query = [...lookup.map((k) => `${k}=<${k}>`), 'limit=20'].join('&')
  const tokenCurl = `curl -X POST '${origin}/api/v1/gateway/token' \\\n  -H 'content-type: application/json' \\\n  -d '{"appKey":"<应用标识>","appSecret":"<应用密钥>"}'`
  const recordsCurl = `curl '${origin}/api/v1/gateway/resources/${resourceId}/records?${query}' \\\n  -H 'authorization: Bearer <访问令牌>' \\\n  -H 'x-business-ref: <办件号>'`
  const response = JSON.stringify(
    { items: [data.sample], grantId: grant?.id ?? '<授权编号>', requestId: grant?.requestId ?? null, limit: 20, offset: 0 },
    null,
    2,
  )

  return (
    <div data-testid="api-guide">
      {!grant ? (
        <Alert
          type="info"
          showIcon
          style={{ marginBottom: 16 }}
          message="本单位尚未获得该资源的有效授权"
          description="以下按目录中可共享的信息项和默认脱敏规则生成；获批后，实际可调用的信息项、脱敏规则和数据范围以授权为准。"
        />
      ) : null}
      <Typography.Title level={5}>第一步：以应用标识和密钥换取访问令牌</Typography.Title>
      <Typography.Paragraph type="secondary">
        应用在 <Link to="/apps">调用应用</Link> 中创建，密钥只在创建或重置时显示一次。令牌有效期见返回的 expiresIn（秒）。
      </Typography.Paragraph>
      <Typography.Paragraph copyable={{ text: tokenCurl }}>
        <pre className="code-block" data-testid="curl-token">
          {tokenCurl}
        </pre>
      </Typography.Paragraph>
      <Typography.Title level={5}>第二步：按授权读取数据</Typography.Title>
      <Typography.Paragraph type="secondary">
        返回的记录以信息项英文名为键，只含已授权的信息项，并已按授权脱敏；数据范围外的行不会返回。limit 每次最多 1000 行，offset 翻页；请在 x-business-ref
        中注明办件号，便于使用记录追溯。
        {lookup.length > 0 ? `本授权为联机查询，每次调用须提供查询键：${lookup.join('、')}。` : ''}
      </Typography.Paragraph>
      <Typography.Paragraph copyable={{ text: recordsCurl }}>
        <pre className="code-block" data-testid="curl-records">
          {recordsCurl}
        </pre>
      </Typography.Paragraph>
      <Typography.Title level={5}>{grant ? '已授权的信息项' : '可申请的信息项'}</Typography.Title>
      <Table<GuideItem>
        rowKey="id"
        size="small"
        pagination={false}
        dataSource={data.items}
        style={{ marginBottom: 16 }}
        data-testid="guide-items"
        columns={[
          { title: '信息项', dataIndex: 'name' },
          { title: '返回字段', dataIndex: 'key', render: (v: string) => <span className="mono">{v}</span> },
          { title: '脱敏规则', dataIndex: 'rule', render: (r: MaskingRule) => MASKING_LABELS[r] },
        ]}
      />
      <Typography.Title level={5}>返回示例（示例数据，已脱敏）</Typography.Title>
      <pre className="code-block" data-testid="sample-response">
        {response}
      </pre>
      <Typography.Paragraph type="secondary">
        常见错误：403 NO_GRANT（无有效授权）、403 GRANT_INACTIVE（授权已过期或被撤销）、429 RATE_LIMITED（超过调用频率或每日限额）、403
        LOOKUP_ON_MASKED_ITEM（以脱敏提供的信息项作查询条件；查询键除外）、429
        LOOKUP_PROBING（短时间内查询未命中过多，本分钟暂停并提示安全管理员）。每次调用均记入调用记录和审计日志。
      </Typography.Paragraph>
    </div>
  )
}
