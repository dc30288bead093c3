import { Alert, App, AutoComplete, Button, Card, Checkbox, Col, Form, Input, Radio, Row, Select, Space, TreeSelect } from 'antd'
import { useEffect, useMemo, useRef, useState } from 'react'
import { Link, useNavigate, useParams } from 'react-router-dom'
import { MOUNT_MISSING_LABEL, type MissingPart, missingForSubmission } from '../../../../common/catalog-completeness.ts'
import {
  DATA_GRADES,
  FORMAT_CLASSES,
  FORMAT_TYPES,
  type FormatClass,
  OPEN_CONDITIONS,
  SHARE_MODE_CLASSES,
  SHARE_MODES,
  UPDATE_CYCLES,
  deriveShareType,
} from '../../../../common/catalog.ts'
import { LIMITS } from '../../../../common/limits.ts'
import {
  type ClassNode,
  type Resource,
  type ResourceInput,
  createResource,
  getClassTree,
  getResource,
  submitResource,
  updateResource,
} from '../../api/catalog.ts'
import { ApiError, type FieldProblem } from '../../api/client.ts'
import { useAuth } from '../../auth/AuthProvider.tsx'
import { PageContainer } from '../../components/PageContainer.tsx'
import { LoadError, Loading } from '../../components/States.tsx'
import { ShareTypeTag, StatusTag } from '../../components/Tags.tsx'
import { useAsync } from '../../hooks/useAsync.ts'
import { applyFieldErrors } from '../../lib/fieldErrors.ts'
import { problemFieldLabel } from '../catalog/fieldLabels.ts'
import { EDITOR_ITEM_FIELDS, ItemsEditor, newItem } from './ItemsEditor.tsx'

type FormValues = ResourceInput

/** Top-level form fields; API problems on anything else are listed above the form. */
const FORM_FIELDS = new Set([
  'name',
  'nameEn',
  'classCode',
  'abstract',
  'providerSubunit',
  'sourceSystem',
  'formatClass',
  'formatType',
  'formatOther',
  'updateCycle',
  'updateTimeLimit',
  'shareCondition',
  'shareBasis',
  'shareModeClass',
  'shareModes',
  'shareModeReason',
  'openFlag',
  'openCondition',
  'secret',
  'dataGrade',
  'contactName',
  'contactPhone',
])

const enumOptions = (table: Record<string | number, string>) => Object.entries(table).map(([value, label]) => ({ value: Number(value), label }))
const listOptions = (list: readonly string[]) => list.map((value) => ({ value, label: value }))

const toTreeData = (nodes: ClassNode[]): object[] =>
  nodes.map((n) => ({ value: n.code, title: `${n.name}（${n.code}）`, children: n.children.length ? toTreeData(n.children) : undefined }))

/** The department 目 named after the user's org (class 3), the natural default for a new entry. */
function ownClassCode(tree: ClassNode[], orgName: string): string | undefined {
  const departments = tree.find((n) => n.code === '3')?.children ?? []
  for (const tenant of departments)
    for (const node of tenant.children) if (orgName === node.name || orgName.endsWith(node.name) || node.name.endsWith(orgName)) return node.code
  return undefined
}

/** Form values from a stored entry (the edit page) — only the fields the API takes back. */
function valuesOf(r: Resource): FormValues {
  const opt = <T,>(v: T | null) => v ?? undefined
  return {
    name: r.name,
    nameEn: opt(r.nameEn),
    classCode: r.classCode,
    abstract: r.abstract,
    providerSubunit: opt(r.providerSubunit),
    sourceSystem: opt(r.sourceSystem),
    formatClass: r.formatClass,
    formatType: r.formatType,
    formatOther: opt(r.formatOther),
    shareCondition: opt(r.shareCondition),
    shareBasis: opt(r.shareBasis),
    shareModeClass: r.shareModeClass as FormValues['shareModeClass'],
    shareModeReason: opt(r.shareModeReason),
    shareModes: r.shareModes as FormValues['shareModes'],
    openFlag: r.openFlag,
    openCondition: opt(r.openCondition) as FormValues['openCondition'],
    updateCycle: r.updateCycle,
    updateTimeLimit: opt(r.updateTimeLimit),
    secret: r.secret,
    dataGrade: r.dataGrade as FormValues['dataGrade'],
    contactName: opt(r.contactName),
    contactPhone: opt(r.contactPhone),
    items: r.items.map((i) => ({
      id: i.id,
      name: i.name,
      nameEn: opt(i.nameEn),
      dataType: i.dataType as 'C',
      length: opt(i.length),
      precision: opt(i.precision),
      shareType: i.shareType as 1,
      shareCondition: i.shareType === 1 ? undefined : opt(i.shareCondition),
      openFlag: i.openFlag,
      sensitive: i.sensitive,
      piCategory: i.piCategory as 'none',
      secret: i.secret,
      isPrimaryKey: i.isPrimaryKey,
      isTimestamp: i.isTimestamp,
      basicItem: i.basicItem,
      dataElementRef: opt(i.dataElementRef),
      authoritativeSourceOrgId: opt(i.authoritativeSourceOrgId),
      description: opt(i.description),
    })),
  }
}

/** Blank optional inputs are left out (the API reads a missing field as "not given"). */
function bodyOf(values: FormValues): FormValues {
  const clean = <T extends object>(o: T): T =>
    Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined && v !== null && !(typeof v === 'string' && v.trim() === ''))) as T
  const body = { ...clean(values), items: (values.items ?? []).map((item) => clean(item)) }
  // Inputs hidden by another choice keep their values in the form store: leave them out.
  if (body.shareModeClass && body.shareModeClass !== '共享平台方式') body.shareModes = []
  else delete body.shareModeReason
  if (!body.openFlag) delete body.openCondition
  if (body.formatClass !== 9) delete body.formatOther
  return body
}

/** The kinds of mount that serve data (the resource object's `live`), for the 须先挂接数据 rule. */
const activeKindsOf = (r: Resource | null) => new Set((r?.mounts ?? []).filter((m) => m.live).map((m) => m.kind))

// Rows being added or removed are briefly undefined in the watched values.
const draftOf = (values: Partial<FormValues> | undefined) => bodyOf({ ...(values ?? {}), items: (values?.items ?? []).map((item) => item ?? {}) } as FormValues)

const DEFAULTS: Partial<FormValues> = {
  formatClass: 3,
  formatType: 'PostgreSQL',
  updateCycle: 2,
  shareModeClass: '共享平台方式',
  shareModes: ['api'],
  openFlag: false,
  secret: false,
  dataGrade: '一般数据',
}

/** 目录编制: create or edit an entry; the API's field problems are shown on the fields they name. */
export default function EntryFormPage() {
  const { id: param } = useParams()
  const id = param === 'new' ? undefined : param
  const navigate = useNavigate()
  const { message } = App.useApp()
  const { user } = useAuth()
  const [form] = Form.useForm<FormValues>()
  const [resource, setResource] = useState<Resource | null>(null)
  const [loadError, setLoadError] = useState<Error | null>(null)
  const [loading, setLoading] = useState(!!id)
  const [saving, setSaving] = useState<'save' | 'submit' | null>(null)
  const [otherProblems, setOtherProblems] = useState<FieldProblem[]>([])
  const [summary, setSummary] = useState<string | null>(null)
  // After a new draft is saved the URL gains its id; the form keeps what is on screen (and its errors).
  const justSaved = useRef<string | null>(null)
  const classes = useAsync(() => getClassTree(), [])

  useEffect(() => {
    if (!id) {
      form.setFieldsValue({ ...DEFAULTS, items: [newItem()] })
      return
    }
    if (justSaved.current === id) return
    setLoading(true)
    getResource(id)
      .then((r) => {
        setResource(r)
        form.setFieldsValue(valuesOf(r))
      }, setLoadError)
      .finally(() => setLoading(false))
  }, [id, form])

  useEffect(() => {
    if (id || !classes.data || !user || form.getFieldValue('classCode')) return
    const own = ownClassCode(classes.data, user.orgName)
    if (own) form.setFieldValue('classCode', own)
  }, [classes.data, id, user, form])

  const items = Form.useWatch('items', form) ?? []
  const formatClass = Form.useWatch('formatClass', form) as FormatClass | undefined
  const shareModeClass = Form.useWatch('shareModeClass', form)
  const openFlag = Form.useWatch('openFlag', form)
  const derived = deriveShareType(items.filter(Boolean).map((i) => ({ shareType: Number(i?.shareType ?? 1) })))
  // 尚缺: the server's own completeness rules (common/), over what is on screen and the entry's mounts.
  const watched = Form.useWatch((values) => values, { form, preserve: true }) as Partial<FormValues> | undefined
  const missing = useMemo(() => missingForSubmission(draftOf(watched), activeKindsOf(resource)), [watched, resource])
  const treeData = useMemo(() => (classes.data ? toTreeData(classes.data) : []), [classes.data])

  const known = (path: (string | number)[]) => {
    if (path.length === 1) return FORM_FIELDS.has(String(path[0]))
    return (
      path[0] === 'items' &&
      path.length === 3 &&
      typeof path[1] === 'number' &&
      path[1] < (form.getFieldValue('items')?.length ?? 0) &&
      EDITOR_ITEM_FIELDS.has(String(path[2]))
    )
  }

  const showProblems = (error: unknown) => {
    if (!(error instanceof ApiError)) return
    setSummary(error.details.length > 1 ? `${error.message}（共 ${error.details.length} 处问题，已在对应位置标出）` : error.message)
    setOtherProblems(applyFieldErrors(form, error.details, known))
  }

  /** Marks what a submission lacks on its fields, without asking the server. */
  const showMissing = (lacking: MissingPart[], saved: boolean) => {
    const labels = [...new Set(lacking.map((m) => m.label))].join('、')
    setSummary(saved ? `草稿已保存；提交审核前尚缺：${labels}` : `提交审核前尚缺：${labels}`)
    setOtherProblems(applyFieldErrors(form, lacking, known))
  }

  const clearProblems = () => {
    setSummary(null)
    setOtherProblems([])
    const fields = form.getFieldsError().filter((f) => f.errors.length > 0)
    form.setFields(fields.map((f) => ({ name: f.name as never, errors: [] })))
  }

  const save = async (andSubmit: boolean) => {
    clearProblems()
    const body = bodyOf(form.getFieldsValue(true) as FormValues)
    // Required fields are checked here before any round trip; a draft may be saved without them.
    const lacking = missingForSubmission(body)
    if (andSubmit && lacking.length > 0) return showMissing(lacking, false)
    setSaving(andSubmit ? 'submit' : 'save')
    let saved: Resource | null = null
    try {
      saved = id ? await updateResource(id, body) : await createResource(body)
      setResource(saved)
      // Item ids assigned by the server keep later edits (and grants) pointing at the same items.
      form.setFieldValue('items', valuesOf(saved).items)
      if (!id) {
        justSaved.current = saved.id
        navigate(`/catalog-edit/${saved.id}`, { replace: true })
      }
      if (!andSubmit) {
        message.success(saved.version > (resource?.version ?? 0) && resource?.status === 'published' ? `已保存为第 ${saved.version} 版草稿` : '草稿已保存')
        return
      }
      // The mount is the one part the form cannot supply; the saved entry says whether it is there.
      const unmounted = missingForSubmission(body, activeKindsOf(saved))
      if (unmounted.length > 0) return showMissing(unmounted, true)
      const submitted = await submitResource(saved.id)
      message.success('已提交审核，主管部门将在 5 个工作日内完成审核')
      navigate(`/catalog/${submitted.id}`)
    } catch (error) {
      showProblems(error)
    } finally {
      setSaving(null)
    }
  }

  if (loadError) return <LoadError error={loadError} />
  if (loading) return <Loading />
  const locked = resource && !resource.actions.update

  return (
    <PageContainer
      title={id ? `编辑目录：${resource?.name ?? ''}` : '新建目录'}
      description={
        resource ? (
          <Space size={8}>
            <StatusTag status={resource.status} label={resource.statusLabel} />
            <span>第 {resource.version} 版</span>
            {resource.status === 'published' ? <span>修改已发布的目录将生成新版本草稿，发布前原版本保持可见。</span> : null}
          </Space>
        ) : (
          '填写资源信息和信息项，保存为草稿后提交主管部门审核。'
        )
      }
      extra={
        <Space>
          <Button onClick={() => navigate('/catalog-edit')}>返回列表</Button>
          {resource ? <Link to={`/catalog/${resource.id}`}>查看详情</Link> : null}
        </Space>
      }
    >
      {locked ? <Alert type="info" showIcon style={{ marginBottom: 12 }} message="该目录正在审核中或不属于本单位，当前不能修改。" /> : null}
      {resource?.status === 'returned' && resource.reviewComment ? (
        <Alert type="warning" showIcon style={{ marginBottom: 12 }} message="主管部门退回修改" description={resource.reviewComment} />
      ) : null}
      {summary ? (
        <Alert
          type="error"
          showIcon
          style={{ marginBottom: 12 }}
          message={summary}
          data-testid="form-error-summary"
          description={
            otherProblems.length > 0 ? (
              <ul style={{ margin: 0, paddingInlineStart: 18 }}>
                {otherProblems.map((p) => (
                  <li key={p.field + p.message}>
                    {problemFieldLabel(p.field)}：{p.message}
                  </li>
                ))}
              </ul>
            ) : undefined
          }
        />
      ) : null}
      {!locked && missing.length > 0 ? (
        <Alert
          type="warning"
          showIcon
          style={{ marginBottom: 12 }}
          data-testid="missing-list"
          message={`提交审核前尚缺 ${missing.length} 项（可先保存草稿）`}
          description={
            <ul style={{ margin: 0, paddingInlineStart: 18 }}>
              {missing.map((m) => (
                <li key={m.field + m.label}>
                  {m.label === MOUNT_MISSING_LABEL && resource ? (
                    <>
                      {m.label}：<Link to={`/mounts/${resource.id}`}>到资源挂接页挂接数据</Link>
                    </>
                  ) : m.label === MOUNT_MISSING_LABEL ? (
                    `${m.label}（保存草稿后到资源挂接页挂接）`
                  ) : (
                    m.label
                  )}
                </li>
              ))}
            </ul>
          }
        />
      ) : null}
      {!locked && missing.length === 0 ? (
        <Alert type="success" showIcon style={{ marginBottom: 12 }} data-testid="missing-list" message="必填内容已齐全，可以提交审核。" />
      ) : null}
      <Form form={form} layout="vertical" disabled={!!locked || saving !== null} scrollToFirstError>
        <Card title="基本信息" size="small" style={{ marginBottom: 12 }}>
          <Row gutter={16}>
            <Col xs={24} lg={12}>
              <Form.Item name="name" label="信息资源名称" required>
                <Input maxLength={LIMITS.resourceName} showCount placeholder="如：流动人口居住登记信息" data-testid="field-name" />
              </Form.Item>
            </Col>
            <Col xs={24} lg={12}>
              {/* A select takes no aria-required (axe-core): the asterisk is on the outer item, the value on the inner. */}
              <Form.Item label="资源分类（末级目录）" htmlFor="classCode" required>
                <Form.Item name="classCode" noStyle>
                  <TreeSelect
                    treeData={treeData}
                    showSearch
                    treeNodeFilterProp="title"
                    placeholder="选择本部门的目录分类"
                    loading={classes.loading}
                    popupMatchSelectWidth={false}
                    data-testid="field-classCode"
                  />
                </Form.Item>
              </Form.Item>
            </Col>
            <Col xs={24}>
              <Form.Item name="abstract" label="资源摘要" required>
                <Input.TextArea rows={3} maxLength={LIMITS.abstract} showCount placeholder="说明资源的内容、关键字段和用途" data-testid="field-abstract" />
              </Form.Item>
            </Col>
            <Col xs={24} md={8}>
              <Form.Item name="nameEn" label="英文名称">
                <Input placeholder="字母开头，字母、数字、下划线" />
              </Form.Item>
            </Col>
            <Col xs={24} md={8}>
              <Form.Item name="providerSubunit" label="提供方内部部门">
                <Input placeholder="如：人口管理支队" />
              </Form.Item>
            </Col>
            <Col xs={24} md={8}>
              <Form.Item name="sourceSystem" label="来源信息系统">
                <Input placeholder="如：人口信息管理系统" />
              </Form.Item>
            </Col>
          </Row>
        </Card>

        <Card title="格式与更新" size="small" style={{ marginBottom: 12 }}>
          <Row gutter={16}>
            <Col xs={24} md={6}>
              <Form.Item label="格式分类" htmlFor="formatClass" required>
                <Form.Item name="formatClass" noStyle>
                  <Select options={enumOptions(FORMAT_CLASSES)} />
                </Form.Item>
              </Form.Item>
            </Col>
            <Col xs={24} md={6}>
              <Form.Item label="格式类型" htmlFor="formatType" required>
                <Form.Item name="formatType" noStyle>
                  <AutoComplete options={listOptions(formatClass ? (FORMAT_TYPES[formatClass] ?? []) : [])} placeholder="如：PostgreSQL、xlsx" />
                </Form.Item>
              </Form.Item>
            </Col>
            {formatClass === 9 ? (
              <Col xs={24} md={12}>
                <Form.Item name="formatOther" label="其他格式描述" required>
                  <Input />
                </Form.Item>
              </Col>
            ) : null}
            <Col xs={24} md={6}>
              <Form.Item label="更新周期" htmlFor="updateCycle" required>
                <Form.Item name="updateCycle" noStyle>
                  <Select options={enumOptions(UPDATE_CYCLES)} />
                </Form.Item>
              </Form.Item>
            </Col>
            <Col xs={24} md={6}>
              <Form.Item name="updateTimeLimit" label="更新时限">
                <Input placeholder="如：每日2:00前" />
              </Form.Item>
            </Col>
          </Row>
        </Card>

        <Card
          title="共享与开放"
          size="small"
          style={{ marginBottom: 12 }}
          extra={
            <span data-testid="derived-share-type">
              共享类型（按信息项自动确定）：
              <ShareTypeTag value={derived} />
            </span>
          }
        >
          <Row gutter={16}>
            <Col xs={24} lg={12}>
              <Form.Item name="shareCondition" label="共享条件" required={derived !== 1} tooltip="有条件共享、不予共享的资源必填">
                <Input.TextArea
                  rows={2}
                  maxLength={LIMITS.longText}
                  placeholder={derived === 1 ? '无条件共享可不填' : '写明具体共享条件'}
                  data-testid="field-shareCondition"
                />
              </Form.Item>
            </Col>
            <Col xs={24} lg={12}>
              <Form.Item name="shareBasis" label="共享依据（法律法规、政策）" required={derived !== 1}>
                <Input.TextArea rows={2} maxLength={LIMITS.longText} placeholder="如：《中华人民共和国居民身份证法》第十三条" data-testid="field-shareBasis" />
              </Form.Item>
            </Col>
            <Col xs={24} md={8}>
              <Form.Item label="共享方式分类" htmlFor="shareModeClass" required>
                <Form.Item name="shareModeClass" noStyle>
                  <Select options={listOptions(SHARE_MODE_CLASSES)} />
                </Form.Item>
              </Form.Item>
            </Col>
            <Col xs={24} md={16}>
              {shareModeClass === '共享平台方式' || !shareModeClass ? (
                <Form.Item label="共享方式类型" htmlFor="shareModes" required>
                  <Form.Item name="shareModes" noStyle>
                    <Checkbox.Group options={Object.entries(SHARE_MODES).map(([value, label]) => ({ value, label }))} />
                  </Form.Item>
                </Form.Item>
              ) : (
                <Form.Item name="shareModeReason" label="未采用共享平台方式的理由" required>
                  <Input placeholder="确因条件所限的具体理由" />
                </Form.Item>
              )}
            </Col>
            <Col xs={24} md={8}>
              <Form.Item label="是否向社会开放" htmlFor="openFlag" required>
                <Form.Item name="openFlag" noStyle>
                  <Radio.Group
                    options={[
                      { value: false, label: '不开放' },
                      { value: true, label: '开放' },
                    ]}
                  />
                </Form.Item>
              </Form.Item>
            </Col>
            {openFlag ? (
              <Col xs={24} md={8}>
                <Form.Item label="开放条件" htmlFor="openCondition" required>
                  <Form.Item name="openCondition" noStyle>
                    <Select options={listOptions(OPEN_CONDITIONS)} />
                  </Form.Item>
                </Form.Item>
              </Col>
            ) : null}
            <Col xs={24} md={8}>
              <Form.Item name="dataGrade" label="数据分级">
                <Select options={listOptions(DATA_GRADES)} />
              </Form.Item>
            </Col>
            <Col xs={24} md={8}>
              {/* Words beside the choice, not inside a switch: white on its grey track is below 4.5:1. */}
              <Form.Item name="secret" label="涉密属性">
                <Radio.Group
                  options={[
                    { value: false, label: '非涉密' },
                    { value: true, label: '涉密' },
                  ]}
                />
              </Form.Item>
            </Col>
            <Col xs={24} md={8}>
              <Form.Item name="contactName" label="共享咨询联系人">
                <Input placeholder="默认为编目人" />
              </Form.Item>
            </Col>
            <Col xs={24} md={8}>
              <Form.Item name="contactPhone" label="联系电话">
                <Input placeholder="如：0536-8888888" />
              </Form.Item>
            </Col>
          </Row>
        </Card>

        <Card title={`信息项（${items.length}）`} size="small" style={{ marginBottom: 72 }}>
          <ItemsEditor />
        </Card>

        <div
          style={{
            position: 'sticky',
            bottom: 0,
            background: '#fff',
            borderTop: '1px solid #f0f0f0',
            padding: '12px 16px',
            margin: '0 -24px -32px',
            display: 'flex',
            justifyContent: 'flex-end',
            gap: 8,
            zIndex: 5,
          }}
        >
          {!locked && missing.length > 0 ? (
            <span className="muted" style={{ alignSelf: 'center' }} data-testid="missing-count">
              尚缺 {missing.length} 项
            </span>
          ) : null}
          <Button onClick={() => navigate('/catalog-edit')} disabled={false}>
            取消
          </Button>
          <Button onClick={() => save(false)} loading={saving === 'save'} data-testid="save-draft">
            保存草稿
          </Button>
          <Button type="primary" onClick={() => save(true)} loading={saving === 'submit'} data-testid="save-submit">
            保存并提交审核
          </Button>
        </div>
      </Form>
    </PageContainer>
  )
}
