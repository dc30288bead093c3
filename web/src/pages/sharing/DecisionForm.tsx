import { Alert, Button, Card, DatePicker, Descriptions, Input, InputNumber, Modal, Select, Space, Table, Tag, Typography } from 'antd'
import type { Dayjs } from 'dayjs'
import { useEffect, useState } from 'react'
import { type Item, getResource } from '../../api/catalog.ts'
import { ApiError } from '../../api/client.ts'
import {
  type DecisionPreview,
  type MaskingRule,
  type ShareRequest,
  authorityDecide,
  decideShareRequest,
  previewDecision,
  previewMasking,
  requestMoreInfo,
} from '../../api/sharing.ts'
import { LoadError, Loading } from '../../components/States.tsx'
import { useAsync } from '../../hooks/useAsync.ts'
import { dayjs, formatDate } from '../../lib/dates.ts'
import { MASKING_LABELS, MASKING_RULES, defaultMaskingFor, sampleValue } from '../../lib/masking.ts'
import { reasonProblem } from '../../../../common/reasons.ts'

type Op = 'eq' | 'in' | 'prefix' | 'range'
interface FilterRow {
  key: string
  op: Op
  value: string
  to: string
}
const OP_LABELS: Record<Op, string> = { eq: '等于', in: '属于（逗号分隔）', prefix: '以…开头', range: '区间' }

function toRowFilter(rows: FilterRow[]) {
  const filter: Record<string, unknown> = {}
  for (const row of rows) {
    if (!row.key || (!row.value && !row.to)) continue
    if (row.op === 'eq') filter[row.key] = { eq: row.value }
    else if (row.op === 'in')
      filter[row.key] = {
        in: row.value
          .split(/[,，、]/)
          .map((v) => v.trim())
          .filter(Boolean),
      }
    else if (row.op === 'prefix') filter[row.key] = { prefix: row.value }
    else filter[row.key] = { ...(row.value ? { gte: row.value } : {}), ...(row.to ? { lte: row.to } : {}) }
  }
  return filter
}

/**
 * The provider's decision (or the authority's direct grant): which requested items to grant, the
 * masking rule of each (with a preview on a made-up value), a row filter and the validity; or a
 * refusal with its mandatory reason, or a request for 补正.
 */
export function DecisionForm({ request, as, onDone }: { request: ShareRequest; as: 'provider' | 'authority'; onDone: () => void }) {
  const resource = useAsync(() => getResource(request.resourceId, request.resourceVersion), [request.resourceId, request.resourceVersion])
  const [ticked, setTicked] = useState<string[]>(request.itemIds)
  const [masking, setMasking] = useState<Record<string, MaskingRule>>({})
  const [filters, setFilters] = useState<FilterRow[]>([])
  const [validUntil, setValidUntil] = useState<Dayjs>(dayjs(request.validUntil))
  const [comment, setComment] = useState('')
  const [problems, setProblems] = useState<string[]>([])
  const [busy, setBusy] = useState(false)
  const [dialog, setDialog] = useState<'approve' | 'reject' | 'info' | 'extend' | null>(null)
  const [dialogText, setDialogText] = useState('')
  const [extendDays, setExtendDays] = useState(5)
  const [dialogTouched, setDialogTouched] = useState(false)
  const openDialog = (next: typeof dialog) => {
    setDialogTouched(false)
    setProblems([])
    setDialog(next)
  }
  // Re-identification warnings of the terms as they stand; any change to the terms asks again.
  const [warnings, setWarnings] = useState<DecisionPreview['warnings']>([])
  useEffect(() => setWarnings([]), [ticked, masking, filters, validUntil])

  if (resource.error) return <LoadError error={resource.error} onRetry={resource.reload} title="目录信息加载失败" />
  if (!resource.data) return <Loading height={160} />
  const requested = resource.data.items.filter((item) => request.itemIds.includes(item.id))
  const ruleOf = (item: Item) => masking[item.id] ?? defaultMaskingFor(item)
  const keyed = requested.filter((i) => i.nameEn)

  const run = async (action: () => Promise<unknown>) => {
    setBusy(true)
    setProblems([])
    try {
      await action()
      setDialog(null)
      onDone()
    } catch (error) {
      if (error instanceof ApiError) setProblems(error.details.length > 0 ? error.details.map((d) => d.message) : [error.message])
    } finally {
      setBusy(false)
    }
  }

  const terms = () => ({
    itemIds: ticked,
    masking: Object.fromEntries(requested.filter((i) => ticked.includes(i.id)).map((i) => [i.id, ruleOf(i)])),
    ...(filters.length > 0 ? { rowFilter: toRowFilter(filters) as never } : {}),
    validUntil: validUntil.format('YYYY-MM-DD'),
  })
  const grant = () =>
    run(() =>
      as === 'provider'
        ? decideShareRequest(request.id, { decision: 'approve', ...terms(), ...(comment.trim() ? { reason: comment.trim() } : {}) })
        : authorityDecide(request.id, { decision: 'grant', ...terms(), ...(comment.trim() ? { comment: comment.trim() } : {}) }),
    )
  // The server checks the masking for re-identifying combinations first; the approver confirms over a warning.
  const approve = async () => {
    setBusy(true)
    setProblems([])
    try {
      const preview = await previewDecision(request.id, terms())
      if (preview.warnings.length > 0) return setWarnings(preview.warnings)
    } catch (error) {
      if (error instanceof ApiError) setProblems(error.details.length > 0 ? error.details.map((d) => d.message) : [error.message])
      return
    } finally {
      setBusy(false)
    }
    openDialog('approve')
  }
  // A refusal must give the requester something to answer in coordination; the server applies the same rule.
  const rejectProblem = dialog === 'reject' ? reasonProblem(dialogText, '拒绝理由') : null
  const confirmDialog = () => {
    setDialogTouched(true)
    if (dialog === 'approve') return grant()
    if (rejectProblem) return
    return run(() =>
      dialog === 'reject'
        ? decideShareRequest(request.id, { decision: 'reject', reason: dialogText.trim() })
        : dialog === 'info'
          ? requestMoreInfo(request.id, dialogText.trim())
          : authorityDecide(request.id, { decision: 'extend', extendWorkdays: extendDays, ...(dialogText.trim() ? { comment: dialogText.trim() } : {}) }),
    )
  }
  const itemName = (nameEn: string) => keyed.find((i) => i.nameEn === nameEn)?.name ?? nameEn

  return (
    <Card size="small" title={as === 'provider' ? '审批' : '督办决定'} data-testid="decision-form">
      <Typography.Paragraph type="secondary">
        可取消勾选不予提供的信息项、为每项选择脱敏规则、限定提供的数据范围（行过滤）或缩短有效期；申请人将看到与申请的差异。
      </Typography.Paragraph>
      <Table<Item>
        rowKey="id"
        size="small"
        dataSource={requested}
        pagination={false}
        data-testid="decision-items"
        rowSelection={{ selectedRowKeys: ticked, onChange: (keys) => setTicked(keys as string[]) }}
        columns={[
          { title: '信息项', dataIndex: 'name', width: 180 },
          { title: '英文名', dataIndex: 'nameEn', width: 160, render: (v: string | null) => <span className="mono">{v ?? '—'}</span> },
          {
            title: '脱敏规则',
            key: 'masking',
            width: 230,
            render: (_: unknown, item) => (
              <Select<MaskingRule>
                size="small"
                style={{ width: 210 }}
                disabled={!ticked.includes(item.id)}
                value={ruleOf(item)}
                onChange={(rule) => setMasking((m) => ({ ...m, [item.id]: rule }))}
                options={MASKING_RULES.map((rule) => ({ value: rule, label: MASKING_LABELS[rule] }))}
                data-testid={`masking-${item.nameEn ?? item.id}`}
              />
            ),
          },
          {
            title: '效果预览（示例数据）',
            key: 'preview',
            render: (_: unknown, item) => (ticked.includes(item.id) ? <MaskPreview item={item} rule={ruleOf(item)} /> : <Tag>不提供</Tag>),
          },
        ]}
      />
      <div style={{ marginTop: 16 }}>
        <Typography.Text strong>数据范围（行过滤，条件之间为“且”）</Typography.Text>
        {filters.map((row, index) => (
          <Space key={index} style={{ display: 'flex', marginTop: 8 }} wrap>
            <Select
              style={{ width: 220 }}
              placeholder="信息项"
              value={row.key || undefined}
              onChange={(key: string) => setFilters((f) => f.map((r, i) => (i === index ? { ...r, key } : r)))}
              options={keyed.map((i) => ({ value: i.nameEn!, label: `${i.name}（${i.nameEn}）` }))}
            />
            <Select<Op>
              style={{ width: 160 }}
              value={row.op}
              onChange={(op) => setFilters((f) => f.map((r, i) => (i === index ? { ...r, op } : r)))}
              options={(Object.keys(OP_LABELS) as Op[]).map((op) => ({ value: op, label: OP_LABELS[op] }))}
            />
            <Input
              style={{ width: 200 }}
              placeholder={row.op === 'range' ? '最小值' : '值'}
              value={row.value}
              onChange={(e) => setFilters((f) => f.map((r, i) => (i === index ? { ...r, value: e.target.value } : r)))}
            />
            {row.op === 'range' ? (
              <Input
                style={{ width: 200 }}
                placeholder="最大值"
                value={row.to}
                onChange={(e) => setFilters((f) => f.map((r, i) => (i === index ? { ...r, to: e.target.value } : r)))}
              />
            ) : null}
            <Button type="link" danger onClick={() => setFilters((f) => f.filter((_, i) => i !== index))}>
              移除
            </Button>
          </Space>
        ))}
        <div style={{ marginTop: 8 }}>
          <Button size="small" type="dashed" disabled={keyed.length === 0} onClick={() => setFilters((f) => [...f, { key: '', op: 'eq', value: '', to: '' }])}>
            添加条件
          </Button>
          <span className="muted" style={{ marginInlineStart: 8 }}>
            不添加条件则提供全部数据行
          </span>
        </div>
      </div>
      <Space style={{ marginTop: 16 }} wrap align="start">
        <div>
          <div style={{ marginBottom: 4 }}>有效期至（可缩短，不晚于 {formatDate(request.validUntil)}）</div>
          <DatePicker
            allowClear={false}
            value={validUntil}
            onChange={(d) => d && setValidUntil(d)}
            format="YYYY年M月D日"
            disabledDate={(d) => d.isAfter(dayjs(request.validUntil), 'day') || d.isBefore(dayjs(), 'day')}
            style={{ width: 180 }}
            data-testid="decision-valid-until"
          />
        </div>
        <div style={{ width: 520, maxWidth: '100%' }}>
          <div style={{ marginBottom: 4 }}>{as === 'provider' ? '审批意见（可选）' : '督办意见（可选）'}</div>
          <Input.TextArea
            rows={2}
            value={comment}
            onChange={(e) => setComment(e.target.value)}
            maxLength={2000}
            placeholder="如：同意，身份证号按规则脱敏后提供"
            data-testid="decision-comment"
          />
        </div>
      </Space>
      {problems.length > 0 ? (
        <Alert type="error" showIcon style={{ marginTop: 12 }} message="未能提交" description={problems.join('；')} data-testid="decision-error" />
      ) : null}
      {warnings.length > 0 ? (
        <Alert
          type="warning"
          showIcon
          style={{ marginTop: 12 }}
          message="脱敏后仍可能识别到个人"
          description={warnings.map((w) => <div key={w.code + w.itemIds.join()}>{w.message}</div>)}
          action={
            <Button size="small" danger loading={busy} onClick={() => openDialog('approve')} data-testid="approve-anyway">
              仍然授权
            </Button>
          }
          data-testid="decision-warnings"
        />
      ) : null}
      <Space style={{ marginTop: 16 }} wrap>
        <Button type="primary" loading={busy && !dialog} disabled={ticked.length === 0} onClick={approve} data-testid="approve">
          {as === 'provider' ? (ticked.length < requested.length ? `同意部分信息项（${ticked.length}/${requested.length}）` : '同意授权') : '直接授权'}
        </Button>
        {as === 'provider' ? (
          <>
            <Button danger onClick={() => openDialog('reject')} data-testid="reject">
              拒绝
            </Button>
            {request.actions.requestInfo ? (
              <Button onClick={() => openDialog('info')} data-testid="request-info">
                要求补正
              </Button>
            ) : null}
          </>
        ) : (
          <Button onClick={() => openDialog('extend')} data-testid="extend">
            延期一次
          </Button>
        )}
      </Space>
      <Modal
        title={
          dialog === 'approve'
            ? as === 'provider'
              ? '确认授权'
              : '确认直接授权'
            : dialog === 'reject'
              ? '拒绝申请'
              : dialog === 'info'
                ? '要求补正'
                : '延期办理'
        }
        open={!!dialog}
        onCancel={() => setDialog(null)}
        okText={dialog === 'reject' ? '确认拒绝' : dialog === 'approve' ? '确认授权' : '确定'}
        cancelText="取消"
        okButtonProps={{
          danger: dialog === 'reject',
          disabled: (dialog === 'info' || dialog === 'reject') && !dialogText.trim(),
          ...{ 'data-testid': 'dialog-ok' },
        }}
        confirmLoading={busy}
        width={dialog === 'approve' ? 640 : undefined}
        onOk={confirmDialog}
      >
        {dialog === 'approve' ? (
          <div data-testid="grant-summary">
            <p className="muted">授权后申请部门即可按以下范围调用数据，请核对：</p>
            <Descriptions column={1} size="small" bordered>
              <Descriptions.Item label="提供的信息项">
                {requested
                  .filter((i) => ticked.includes(i.id))
                  .map((i) => (
                    <div key={i.id}>
                      {i.name}：{MASKING_LABELS[ruleOf(i)]}
                    </div>
                  ))}
                {ticked.length < requested.length ? (
                  <div className="muted">
                    不提供：
                    {requested
                      .filter((i) => !ticked.includes(i.id))
                      .map((i) => i.name)
                      .join('、')}
                  </div>
                ) : null}
              </Descriptions.Item>
              <Descriptions.Item label="数据范围">
                {filters.filter((f) => f.key && (f.value || f.to)).length === 0
                  ? '全部数据行'
                  : filters
                      .filter((f) => f.key && (f.value || f.to))
                      .map((f, index) => (
                        <div key={index}>
                          {itemName(f.key)} {f.op === 'range' ? `介于 ${f.value || '不限'} 与 ${f.to || '不限'}` : `${OP_LABELS[f.op]} ${f.value}`}
                        </div>
                      ))}
              </Descriptions.Item>
              <Descriptions.Item label="有效期至">{validUntil.format('YYYY年M月D日')}</Descriptions.Item>
              {comment.trim() ? <Descriptions.Item label={as === 'provider' ? '审批意见' : '督办意见'}>{comment.trim()}</Descriptions.Item> : null}
            </Descriptions>
            {problems.length > 0 ? <Alert type="error" showIcon style={{ marginTop: 12 }} message="未能提交" description={problems.join('；')} /> : null}
          </div>
        ) : dialog === 'extend' ? (
          <Space direction="vertical" style={{ width: '100%' }}>
            <span>延长提供部门的答复期限（每个申请只能延期一次）：</span>
            <InputNumber min={1} max={15} value={extendDays} onChange={(v) => setExtendDays(v ?? 5)} addonAfter="个工作日" />
          </Space>
        ) : (
          <label htmlFor="dialog-text" className="muted">
            {dialog === 'reject'
              ? '拒绝须写明具体事实和依据（不少于 8 个字，不能只写套话），申请人可据此提请协调：'
              : '补正期间暂停计时，每个申请只能要求补正一次。请说明需要补充的材料：'}
          </label>
        )}
        {dialog !== 'approve' ? (
          <Input.TextArea
            id="dialog-text"
            rows={3}
            style={{ marginTop: 8 }}
            value={dialogText}
            onChange={(e) => setDialogText(e.target.value)}
            maxLength={2000}
            status={dialogTouched && rejectProblem ? 'error' : undefined}
            aria-invalid={dialogTouched && !!rejectProblem}
            placeholder={
              dialog === 'reject'
                ? '如：申请用途不足以支持获取个人敏感信息，请明确具体履职事项和法律依据'
                : dialog === 'info'
                  ? '如：请补充政策文件文号及使用范围'
                  : '督办意见（可选）'
            }
            data-testid="dialog-text"
          />
        ) : null}
        {dialogTouched && rejectProblem ? (
          <Typography.Text type="danger" role="alert" data-testid="dialog-text-error">
            {rejectProblem}
          </Typography.Text>
        ) : null}
      </Modal>
    </Card>
  )
}

/** `370702199001011234 → 370702********1234`, computed by the server's masking code. */
export function MaskPreview({ item, rule }: { item: Pick<Item, 'name' | 'dataType'>; rule: MaskingRule }) {
  const sample = sampleValue(item)
  const input = typeof sample === 'boolean' ? String(sample) : sample
  const { data, error } = useAsync(() => previewMasking(rule, [input]), [rule, item.name])
  const masked = data?.values[0]
  return (
    <span className="mono" data-testid="mask-preview">
      {String(input)} → {error ? '预览失败' : data ? (masked === null ? '（空）' : String(masked)) : '…'}
    </span>
  )
}
