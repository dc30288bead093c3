/**
 * Word lists for the generated catalog: 50 municipal departments, each with the subjects it
 * catalogs and the item names typical of them, plus the identity and bookkeeping items that most
 * entries share. Departments and subjects are drawn with skewed weights, so a search term can hit
 * almost every entry (信息, 姓名), a few thousand (户籍, 婚姻), or a few dozen (渔船, 文物).
 */

export interface Department {
  name: string
  /** Relative share of the catalog's entries. */
  weight: number
  /** Whether the department's data is mostly about people (身份号码) or legal entities (信用代码). */
  subject: 'person' | 'entity' | 'mixed'
  topics: readonly string[]
  items: readonly string[]
}

export const DEPARTMENTS: readonly Department[] = [
  {
    name: '市公安局',
    weight: 9,
    subject: 'person',
    topics: ['户籍人口', '常住人口', '流动人口', '出入境证件', '机动车驾驶证', '机动车登记', '居民身份证'],
    items: ['户籍地址', '户号', '与户主关系', '迁入日期', '迁出地', '民族', '出生地', '驾驶证号', '准驾车型', '号牌号码', '车辆识别代号', '出入境证件号码'],
  },
  {
    name: '市民政局',
    weight: 5,
    subject: 'person',
    topics: ['婚姻登记', '社会组织登记', '最低生活保障', '特困人员供养', '殡葬服务', '养老机构', '地名管理'],
    items: ['男方姓名', '女方姓名', '结婚证字号', '婚姻状况', '登记机关', '保障人数', '月保障金额', '火化日期', '殡仪馆名称', '床位数', '地名代码'],
  },
  {
    name: '市人力资源和社会保障局',
    weight: 6,
    subject: 'person',
    topics: ['社会保险参保', '养老保险缴费', '失业保险待遇', '工伤保险认定', '就业登记', '职业资格证书', '劳动合同备案'],
    items: [
      '社保卡号',
      '参保状态',
      '参保日期',
      '缴费基数',
      '缴费月数',
      '个人账户余额',
      '待遇标准',
      '工伤认定结论',
      '就业状态',
      '证书编号',
      '职业名称',
      '用人单位名称',
    ],
  },
  {
    name: '市自然资源和规划局',
    weight: 4,
    subject: 'mixed',
    topics: ['不动产登记', '国有土地使用权', '建设用地规划许可', '地质灾害隐患点', '测绘成果'],
    items: ['不动产单元号', '不动产权证书号', '坐落', '宗地面积', '土地用途', '权利类型', '权利人', '抵押金额', '规划许可证号', '隐患点编号'],
  },
  {
    name: '市不动产登记中心',
    weight: 3,
    subject: 'mixed',
    topics: ['不动产登记簿', '不动产抵押登记', '不动产查封登记', '预告登记'],
    items: ['不动产单元号', '不动产权证书号', '登记类型', '权利人', '共有情况', '抵押权人', '查封机关', '坐落', '建筑面积', '登簿日期'],
  },
  {
    name: '市市场监督管理局',
    weight: 8,
    subject: 'entity',
    topics: ['企业登记', '个体工商户登记', '企业年报', '行政处罚', '企业信用监管', '食品经营许可', '特种设备'],
    items: [
      '企业名称',
      '法定代表人',
      '注册资本',
      '成立日期',
      '经营范围',
      '登记状态',
      '住所',
      '企业类型',
      '许可证编号',
      '处罚决定书文号',
      '信用等级',
      '设备注册代码',
    ],
  },
  {
    name: '市发展和改革委员会',
    weight: 3,
    subject: 'entity',
    topics: ['社会信用', '信用修复', '政府投资项目', '价格监测', '守信联合激励'],
    items: ['信用主体名称', '失信行为', '列入日期', '移出日期', '项目代码', '项目名称', '总投资', '监测品种', '价格'],
  },
  {
    name: '市卫生健康委员会',
    weight: 5,
    subject: 'mixed',
    topics: ['医疗机构执业', '医师执业注册', '出生医学证明', '预防接种', '传染病报告', '计划生育'],
    items: ['医疗机构名称', '执业许可证号', '诊疗科目', '医师姓名', '执业类别', '出生医学证明编号', '新生儿姓名', '出生日期', '疫苗名称', '接种日期', '病种'],
  },
  {
    name: '市医疗保障局',
    weight: 4,
    subject: 'person',
    topics: ['医疗保险参保', '医保结算', '定点医药机构', '医疗救助', '药品招采'],
    items: ['医保编号', '参保类型', '结算金额', '统筹支付', '个人自付', '定点机构编码', '救助金额', '药品通用名', '中标价格'],
  },
  {
    name: '市教育局',
    weight: 4,
    subject: 'person',
    topics: ['学生学籍', '教师资格认定', '学校基本情况', '招生录取', '学生资助'],
    items: ['学籍号', '学校名称', '年级', '班级', '入学日期', '毕业日期', '教师资格证号', '任教学科', '录取批次', '资助金额'],
  },
  {
    name: '市生态环境局',
    weight: 3,
    subject: 'entity',
    topics: ['排污许可', '环境监测', '环境影响评价', '环境行政处罚', '危险废物转移'],
    items: ['排污许可证编号', '监测点位', '监测项目', '监测值', '超标倍数', '环评批复文号', '危险废物类别', '转移数量'],
  },
  {
    name: '市交通运输局',
    weight: 3,
    subject: 'entity',
    topics: ['道路运输经营许可', '营运车辆', '网约车', '公路建设项目', '公交线路'],
    items: ['道路运输证号', '经营许可证号', '车牌号码', '车辆类型', '核定载客', '线路名称', '站点名称', '从业资格证号'],
  },
  {
    name: '国家税务总局市税务局',
    weight: 4,
    subject: 'entity',
    topics: ['纳税人登记', '纳税信用评价', '税收缴纳', '发票领用', '欠税公告'],
    items: ['纳税人识别号', '纳税人名称', '纳税信用级别', '税种', '应纳税额', '实缴税额', '发票种类', '欠税金额', '主管税务机关'],
  },
  {
    name: '市住房和城乡建设局',
    weight: 4,
    subject: 'entity',
    topics: ['商品房预售', '建筑业企业资质', '房屋租赁备案', '施工许可', '物业服务'],
    items: ['预售许可证号', '项目名称', '楼栋号', '套数', '资质等级', '资质证书编号', '租赁期限', '施工许可证编号', '物业服务企业'],
  },
  {
    name: '市住房公积金管理中心',
    weight: 2,
    subject: 'person',
    topics: ['住房公积金缴存', '住房公积金贷款', '住房公积金提取'],
    items: ['公积金账号', '缴存基数', '缴存比例', '账户余额', '贷款金额', '贷款期限', '提取原因', '提取金额'],
  },
  {
    name: '市农业农村局',
    weight: 3,
    subject: 'mixed',
    topics: ['农村土地承包经营权', '农业补贴', '渔船登记', '农药经营许可', '家庭农场'],
    items: ['承包方代表', '承包地块编码', '承包面积', '补贴金额', '渔船编号', '船名', '主机功率', '农药经营许可证号'],
  },
  {
    name: '市文化和旅游局',
    weight: 2,
    subject: 'entity',
    topics: ['文物保护单位', '旅行社', 'A级旅游景区', '文化市场经营许可', '非物质文化遗产'],
    items: ['文物名称', '保护级别', '公布批次', '旅行社名称', '景区等级', '许可证号', '项目名称', '传承人'],
  },
  {
    name: '市退役军人事务局',
    weight: 2,
    subject: 'person',
    topics: ['退役军人信息采集', '优抚对象', '悬挂光荣牌'],
    items: ['退役时间', '入伍时间', '原部队', '优抚类别', '抚恤金额', '安置方式'],
  },
  {
    name: '市应急管理局',
    weight: 2,
    subject: 'entity',
    topics: ['安全生产许可', '危险化学品经营', '应急救援队伍', '安全生产行政处罚'],
    items: ['安全生产许可证号', '危险化学品名称', '储存量', '队伍名称', '救援人数', '处罚金额'],
  },
  {
    name: '市司法局',
    weight: 2,
    subject: 'person',
    topics: ['律师执业', '公证', '法律援助', '人民调解', '社区矫正'],
    items: ['律师执业证号', '律师事务所', '公证书编号', '公证事项', '受援人', '调解结果', '矫正类别', '矫正期限'],
  },
  {
    name: '市财政局',
    weight: 2,
    subject: 'entity',
    topics: ['财政预算', '政府采购', '非税收入', '国有资产'],
    items: ['预算单位', '预算金额', '采购项目编号', '中标供应商', '收费项目', '资产编号', '资产名称'],
  },
  {
    name: '市统计局',
    weight: 1,
    subject: 'entity',
    topics: ['统计调查', '经济普查', '统计名录库'],
    items: ['调查对象', '行业代码', '从业人员数', '营业收入', '普查区代码'],
  },
  {
    name: '市水利局',
    weight: 1,
    subject: 'entity',
    topics: ['取水许可', '水利工程', '河长制', '水土保持'],
    items: ['取水许可证号', '取水量', '工程名称', '河流名称', '河长姓名', '水土保持方案'],
  },
  {
    name: '市商务局',
    weight: 1,
    subject: 'entity',
    topics: ['对外贸易经营者备案', '外商投资', '单用途预付卡', '再生资源回收'],
    items: ['备案登记表编号', '进出口企业代码', '投资总额', '发卡企业', '回收站点'],
  },
  {
    name: '市体育局',
    weight: 1,
    subject: 'entity',
    topics: ['体育场馆', '社会体育指导员', '高危险性体育项目许可'],
    items: ['场馆名称', '场馆面积', '指导员等级', '项目类别', '许可期限'],
  },
  {
    name: '市城市管理局',
    weight: 2,
    subject: 'entity',
    topics: ['城市管理执法', '户外广告设置', '渣土运输', '燃气经营许可'],
    items: ['案件编号', '违法行为', '广告位置', '运输车辆', '燃气经营许可证号'],
  },
  {
    name: '市行政审批服务局',
    weight: 4,
    subject: 'entity',
    topics: ['行政许可', '投资项目审批', '政务服务事项办件', '电子证照'],
    items: ['事项名称', '办件编号', '申请人', '受理日期', '办结日期', '审批结果', '证照编号', '证照类型'],
  },
  {
    name: '市工业和信息化局',
    weight: 1,
    subject: 'entity',
    topics: ['规模以上工业企业', '专精特新企业', '无线电台站'],
    items: ['工业总产值', '认定年度', '台站名称', '发射频率'],
  },
  {
    name: '市科学技术局',
    weight: 1,
    subject: 'entity',
    topics: ['高新技术企业', '科技型中小企业', '科技计划项目'],
    items: ['证书编号', '认定日期', '项目编号', '资助经费'],
  },
  {
    name: '市地方金融监督管理局',
    weight: 1,
    subject: 'entity',
    topics: ['小额贷款公司', '融资担保机构', '典当行'],
    items: ['机构名称', '注册资本', '贷款余额', '担保余额'],
  },
  { name: '市机关事务管理局', weight: 1, subject: 'entity', topics: ['公务用车', '办公用房', '公共机构节能'], items: ['车牌号码', '用房面积', '能耗总量'] },
  { name: '市档案馆', weight: 1, subject: 'mixed', topics: ['馆藏档案目录', '档案查阅利用'], items: ['档号', '题名', '形成时间', '保管期限', '查阅人'] },
  {
    name: '市公共资源交易中心',
    weight: 2,
    subject: 'entity',
    topics: ['工程建设招标投标', '政府采购交易', '土地矿业权交易'],
    items: ['标段编号', '招标人', '中标人', '中标金额', '开标时间', '成交价格'],
  },
  {
    name: '市社会保险事业中心',
    weight: 3,
    subject: 'person',
    topics: ['养老保险待遇发放', '社会保险关系转移', '社保卡'],
    items: ['社保卡号', '发放金额', '发放月份', '转出地', '转入地', '个人账户余额'],
  },
  { name: '市残疾人联合会', weight: 1, subject: 'person', topics: ['残疾人证', '残疾人两项补贴'], items: ['残疾人证号', '残疾类别', '残疾等级', '补贴类型'] },
  { name: '市总工会', weight: 1, subject: 'person', topics: ['工会会员', '困难职工帮扶'], items: ['会员证号', '所在工会', '帮扶金额'] },
  {
    name: '市气象局',
    weight: 1,
    subject: 'entity',
    topics: ['气象观测', '气象灾害预警', '雷电防护装置检测'],
    items: ['站点编号', '观测时间', '气温', '降水量', '预警等级', '检测结论'],
  },
  {
    name: '市消防救援支队',
    weight: 2,
    subject: 'entity',
    topics: ['消防安全检查', '火灾事故', '消防设施'],
    items: ['检查结果', '火灾原因', '直接财产损失', '设施类型'],
  },
  {
    name: '市国有资产监督管理委员会',
    weight: 1,
    subject: 'entity',
    topics: ['国有企业产权登记', '国有资本经营预算'],
    items: ['出资企业', '国有股权比例', '资本收益'],
  },
  { name: '市人民防空办公室', weight: 1, subject: 'entity', topics: ['人防工程', '防空警报设施'], items: ['工程编号', '防护等级', '警报器位置'] },
  {
    name: '市林业局',
    weight: 1,
    subject: 'mixed',
    topics: ['林木采伐许可', '古树名木', '林权登记'],
    items: ['采伐证号', '树种', '树龄', '林权证号', '林地面积'],
  },
  { name: '市审计局', weight: 1, subject: 'entity', topics: ['审计项目', '审计整改'], items: ['审计项目名称', '被审计单位', '审计发现问题', '整改状态'] },
  { name: '市信访局', weight: 1, subject: 'person', topics: ['信访事项', '信访办理'], items: ['信访件编号', '信访人', '信访事由', '办理结果'] },
  { name: '市民族宗教事务局', weight: 1, subject: 'entity', topics: ['宗教活动场所', '宗教教职人员备案'], items: ['场所名称', '宗教类别', '教职人员姓名'] },
  { name: '市烟草专卖局', weight: 1, subject: 'entity', topics: ['烟草专卖零售许可'], items: ['许可证号', '经营场所', '经营者'] },
  { name: '市邮政管理局', weight: 1, subject: 'entity', topics: ['快递业务经营许可', '快递末端网点'], items: ['许可证号', '网点名称', '网点地址'] },
  {
    name: '市大数据中心',
    weight: 2,
    subject: 'mixed',
    topics: ['电子证照库', '人口综合库', '法人综合库', '信用主题库'],
    items: ['证照类型', '证照编号', '持证主体', '数据来源部门', '归集时间'],
  },
  {
    name: '市中级人民法院',
    weight: 2,
    subject: 'mixed',
    topics: ['失信被执行人', '裁判文书', '限制高消费'],
    items: ['案号', '执行法院', '执行标的', '失信情形', '立案日期', '裁判日期'],
  },
  { name: '市人民检察院', weight: 1, subject: 'mixed', topics: ['公益诉讼', '行贿犯罪档案查询'], items: ['案件编号', '办案单位', '诉讼请求', '查询结果'] },
  {
    name: '市医疗保险事业中心',
    weight: 2,
    subject: 'person',
    topics: ['医疗保险待遇', '异地就医备案', '医保定点协议'],
    items: ['医保编号', '备案类型', '就医地', '协议编号', '结算金额'],
  },
]

/** Districts and counties of the city: an optional name prefix. */
export const DISTRICTS = ['潍城区', '寒亭区', '坊子区', '奎文区', '青州市', '诸城市', '寿光市', '安丘市', '高密市', '昌邑市', '临朐县', '昌乐县'] as const

/** Name endings, most common first. */
export const NAME_SUFFIXES = [
  '信息',
  '基本信息',
  '登记信息',
  '数据',
  '业务办理信息',
  '变更信息',
  '名录',
  '台账',
  '注销信息',
  '统计表',
  '审批信息',
  '档案',
] as const

export const PERSON_ITEMS = ['姓名', '公民身份号码', '性别', '出生日期', '联系电话', '现住址'] as const
export const ENTITY_ITEMS = ['统一社会信用代码', '单位名称', '法定代表人', '单位地址', '联系电话'] as const
export const BOOKKEEPING_ITEMS = ['登记日期', '更新时间', '数据来源', '经办机构', '备注', '有效期限', '审核状态', '经办人', '业务流水号'] as const

export const USAGES = [
  '用于政务服务事项办理中的身份和资格核验',
  '用于跨部门业务协同和联合监管',
  '用于统计分析和辅助决策',
  '用于一网通办材料免提交',
  '用于社会信用体系建设',
  '用于基层治理和网格化管理',
] as const

/** The search terms measured: 2-character and 4-character, from near-universal to rare (and one with no hit). */
export const TERMS_2 = [
  '信息',
  '姓名',
  '日期',
  '登记',
  '户籍',
  '婚姻',
  '社保',
  '信用',
  '不动',
  '医疗',
  '教育',
  '税务',
  '环境',
  '交通',
  '殡葬',
  '渔船',
  '文物',
  '火星',
] as const
export const TERMS_4 = [
  '婚姻登记',
  '社会保险',
  '不动产登',
  '企业信用',
  '户籍人口',
  '公民身份',
  '统一社会',
  '医疗机构',
  '学生学籍',
  '机动车驾',
  '住房公积',
  '殡葬服务',
  '登记日期',
  '环境监测',
  '纳税信用',
  '文物保护',
] as const

/** Terms checked against the plain-SQL reference before timing (each check is a full ILIKE scan). */
export const VERIFY_TERMS = ['信息', '户籍', '信用', '殡葬', '火星', '婚姻登记', '公民身份', '登记日期', '文物保护', '2019'] as const
