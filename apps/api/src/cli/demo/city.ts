/**
 * The demo city's fixed parts, after seed 000 (张家港市): 12 区镇 assessed on a 千分制 tree of key
 * indicators (推进度, 完成度, 贡献度, 群众幸福感) and 30 市级机关 on a 百分制 tree (职能工作目标,
 * 管理工作目标, 满意度目标, 创新创优目标). Figures are drawn around these ranges by the seeded generator.
 */

export interface TownDef {
  unitId: string;
  name: string;
}

export interface DepartmentDef {
  unitId: string;
  name: string;
  /** Short name used in people's usernames and titles. */
  short: string;
  /** 职能工作目标: quantitative functional targets [title, unit of measure, annual min, annual max, decimals]. */
  functions: Array<[string, string, number, number, number]>;
  /** 重点项目: one key project taken through milestones. */
  project: string;
}

export const TOWNS: TownDef[] = [
  { unitId: 'town-yangshe', name: '杨舍镇' },
  { unitId: 'town-tangqiao', name: '塘桥镇' },
  { unitId: 'town-jinfeng', name: '锦丰镇' },
  { unitId: 'town-leyu', name: '乐余镇' },
  { unitId: 'town-fenghuang', name: '凤凰镇' },
  { unitId: 'town-nanfeng', name: '南丰镇' },
  { unitId: 'town-daxin', name: '大新镇' },
  { unitId: 'town-jingang', name: '金港街道' },
  { unitId: 'town-kaifaqu', name: '经济技术开发区' },
  { unitId: 'town-baoshuiqu', name: '保税区' },
  { unitId: 'town-changyinsha', name: '常阴沙现代农业示范园区' },
  { unitId: 'town-shuangshan', name: '双山岛旅游度假区' },
];

/** Departments, the data-collection units first: a small city keeps those. */
export const DEPARTMENTS: DepartmentDef[] = [
  {
    unitId: 'dept-tongji',
    name: '市统计局',
    short: 'tongji',
    functions: [
      ['统计联网直报率', '%', 98, 100, 1],
      ['统计执法检查企业数', '家', 80, 150, 0],
      ['统计数据质量核查覆盖率', '%', 90, 100, 1],
    ],
    project: '第五次全国经济普查数据发布',
  },
  {
    unitId: 'dept-fagai',
    name: '市发展和改革委员会',
    short: 'fagai',
    functions: [
      ['重大项目年度投资完成额', '亿元', 180, 260, 1],
      ['新开工亿元以上项目', '个', 40, 70, 0],
      ['服务业增加值', '亿元', 1100, 1300, 1],
    ],
    project: '沿江高铁站点综合开发',
  },
  {
    unitId: 'dept-caizheng',
    name: '市财政局',
    short: 'caizheng',
    functions: [
      ['一般公共预算收入', '亿元', 230, 260, 1],
      ['税收占一般公共预算收入比重', '%', 84, 90, 1],
      ['预算绩效评价项目覆盖率', '%', 90, 100, 1],
    ],
    project: '预算管理一体化系统升级',
  },
  {
    unitId: 'dept-shengtai',
    name: '市生态环境局',
    short: 'shengtai',
    functions: [
      ['空气质量优良天数比率', '%', 80, 86, 1],
      ['重点污染源在线监控覆盖率', '%', 95, 100, 1],
      ['环境信访办结率', '%', 96, 100, 1],
    ],
    project: '长江岸线生态修复',
  },
  {
    unitId: 'dept-renshe',
    name: '市人力资源和社会保障局',
    short: 'renshe',
    functions: [
      ['城镇新增就业', '人', 14000, 18000, 0],
      ['新增高技能人才', '人', 3000, 4500, 0],
      ['城乡居民养老保险参保率', '%', 97, 99.5, 1],
    ],
    project: '零工市场建设',
  },
  {
    unitId: 'dept-shangwu',
    name: '市商务局',
    short: 'shangwu',
    functions: [
      ['实际使用外资', '亿美元', 8, 12, 2],
      ['进出口总额', '亿美元', 380, 450, 1],
      ['社会消费品零售总额', '亿元', 620, 700, 1],
    ],
    project: '港口保税物流中心扩建',
  },
  {
    unitId: 'dept-keji',
    name: '市科学技术局',
    short: 'keji',
    functions: [
      ['新认定高新技术企业', '家', 180, 260, 0],
      ['全社会研发经费支出占比', '%', 3.1, 3.5, 2],
      ['技术合同成交额', '亿元', 40, 60, 1],
    ],
    project: '产业创新中心建设',
  },
  {
    unitId: 'dept-gongxin',
    name: '市工业和信息化局',
    short: 'gongxin',
    functions: [
      ['规上工业增加值', '亿元', 1300, 1500, 1],
      ['智能化改造项目', '个', 300, 420, 0],
      ['5G基站新建', '个', 800, 1200, 0],
    ],
    project: '智能制造示范工厂培育',
  },
  {
    unitId: 'dept-zhujian',
    name: '市住房和城乡建设局',
    short: 'zhujian',
    functions: [
      ['保障性安居工程开工', '套', 1500, 2500, 0],
      ['老旧小区改造', '个', 20, 35, 0],
      ['建筑施工安全检查覆盖率', '%', 95, 100, 1],
    ],
    project: '城市更新示范片区',
  },
  {
    unitId: 'dept-jiaotong',
    name: '市交通运输局',
    short: 'jiaotong',
    functions: [
      ['交通建设投资', '亿元', 40, 60, 1],
      ['农村公路提档升级', '公里', 60, 100, 0],
      ['公交分担率', '%', 22, 28, 1],
    ],
    project: '港城快速路改造',
  },
  {
    unitId: 'dept-shuiwu',
    name: '市水务局',
    short: 'shuiwu',
    functions: [
      ['污水管网新建改造', '公里', 80, 120, 0],
      ['农村生活污水治理覆盖率', '%', 90, 98, 1],
      ['防汛设施完好率', '%', 96, 100, 1],
    ],
    project: '区域供水管网互联互通',
  },
  {
    unitId: 'dept-nongye',
    name: '市农业农村局',
    short: 'nongye',
    functions: [
      ['高标准农田建设', '万亩', 2, 4, 1],
      ['农村居民人均可支配收入', '元', 42000, 46000, 0],
      ['粮食播种面积', '万亩', 35, 40, 1],
    ],
    project: '现代农业产业园提升',
  },
  {
    unitId: 'dept-jiaoyu',
    name: '市教育局',
    short: 'jiaoyu',
    functions: [
      ['新建改扩建学校', '所', 6, 12, 0],
      ['普惠性幼儿园覆盖率', '%', 88, 95, 1],
      ['义务教育学校集团化办学覆盖率', '%', 75, 90, 1],
    ],
    project: '智慧校园建设',
  },
  {
    unitId: 'dept-weijian',
    name: '市卫生健康委员会',
    short: 'weijian',
    functions: [
      ['家庭医生签约服务覆盖率', '%', 45, 55, 1],
      ['每千人口执业医师数', '人', 3.2, 3.6, 2],
      ['基层医疗机构诊疗量占比', '%', 55, 65, 1],
    ],
    project: '市第一人民医院新院区建设',
  },
  {
    unitId: 'dept-minzheng',
    name: '市民政局',
    short: 'minzheng',
    functions: [
      ['新增养老床位', '张', 400, 700, 0],
      ['社区居家养老服务覆盖率', '%', 95, 100, 1],
      ['低保对象动态管理核查率', '%', 98, 100, 1],
    ],
    project: '区域性养老服务中心建设',
  },
  {
    unitId: 'dept-wenlv',
    name: '市文化广电和旅游局',
    short: 'wenlv',
    functions: [
      ['接待游客人次', '万人次', 900, 1200, 0],
      ['旅游总收入', '亿元', 150, 190, 1],
      ['公共文化活动场次', '场', 3000, 4500, 0],
    ],
    project: '双山岛文旅综合体',
  },
  {
    unitId: 'dept-yingji',
    name: '市应急管理局',
    short: 'yingji',
    functions: [
      ['生产安全事故死亡人数下降率', '%', 5, 12, 1],
      ['企业安全生产标准化达标数', '家', 150, 250, 0],
      ['应急演练场次', '场', 120, 200, 0],
    ],
    project: '应急指挥中心建设',
  },
  {
    unitId: 'dept-shichang',
    name: '市市场监督管理局',
    short: 'shichang',
    functions: [
      ['发明专利授权量', '件', 1800, 2400, 0],
      ['食品安全抽检合格率', '%', 97, 99.5, 1],
      ['新增市场主体', '户', 22000, 28000, 0],
    ],
    project: '知识产权保护中心建设',
  },
  {
    unitId: 'dept-ziran',
    name: '市自然资源和规划局',
    short: 'ziran',
    functions: [
      ['批而未供土地处置', '亩', 2000, 3500, 0],
      ['闲置土地处置率', '%', 85, 95, 1],
      ['耕地保有量完成率', '%', 99, 100, 1],
    ],
    project: '国土空间总体规划编制',
  },
  {
    unitId: 'dept-gongan',
    name: '市公安局',
    short: 'gongan',
    functions: [
      ['八类刑事案件破案率', '%', 95, 99, 1],
      ['道路交通事故死亡人数下降率', '%', 5, 10, 1],
      ['电信网络诈骗案件下降率', '%', 10, 20, 1],
    ],
    project: '智慧警务平台建设',
  },
  {
    unitId: 'dept-sifa',
    name: '市司法局',
    short: 'sifa',
    functions: [
      ['行政复议纠错率', '%', 8, 12, 1],
      ['人民调解成功率', '%', 96, 99, 1],
      ['法律援助案件办结率', '%', 95, 100, 1],
    ],
    project: '公共法律服务中心提升',
  },
  {
    unitId: 'dept-chengguan',
    name: '市城市管理局',
    short: 'chengguan',
    functions: [
      ['生活垃圾分类覆盖率', '%', 95, 100, 1],
      ['城市道路保洁达标率', '%', 95, 99, 1],
      ['违法建设治理面积', '万平方米', 20, 40, 1],
    ],
    project: '垃圾焚烧发电厂扩建',
  },
  {
    unitId: 'dept-shenpi',
    name: '市行政审批局',
    short: 'shenpi',
    functions: [
      ['一网通办率', '%', 90, 98, 1],
      ['企业开办平均时间', '小时', 4, 8, 1],
      ['政务服务好差评满意率', '%', 99, 100, 1],
    ],
    project: '政务服务中心综合窗口改革',
  },
  {
    unitId: 'dept-yibao',
    name: '市医疗保障局',
    short: 'yibao',
    functions: [
      ['基本医疗保险参保率', '%', 98, 99.5, 1],
      ['医保基金监管检查覆盖率', '%', 95, 100, 1],
      ['异地就医直接结算率', '%', 85, 95, 1],
    ],
    project: '医保服务站村级全覆盖',
  },
  {
    unitId: 'dept-tuiyi',
    name: '市退役军人事务局',
    short: 'tuiyi',
    functions: [
      ['退役军人就业安置率', '%', 95, 100, 1],
      ['服务站规范化建设', '个', 20, 40, 0],
      ['优抚对象走访率', '%', 98, 100, 1],
    ],
    project: '退役军人服务中心标准化',
  },
  {
    unitId: 'dept-shenji',
    name: '市审计局',
    short: 'shenji',
    functions: [
      ['审计项目完成数', '个', 40, 60, 0],
      ['审计查出问题整改率', '%', 90, 98, 1],
      ['促进增收节支', '亿元', 3, 6, 1],
    ],
    project: '大数据审计平台建设',
  },
  {
    unitId: 'dept-shuiwuju',
    name: '国家税务总局市税务局',
    short: 'shuiwuju',
    functions: [
      ['税收收入', '亿元', 400, 460, 1],
      ['留抵退税办结率', '%', 98, 100, 1],
      ['纳税人满意度', '分', 90, 96, 1],
    ],
    project: '智慧税务建设',
  },
  {
    unitId: 'dept-gongxiao',
    name: '市供销合作总社',
    short: 'gongxiao',
    functions: [
      ['农产品销售额', '亿元', 8, 12, 1],
      ['为农服务中心建设', '个', 5, 10, 0],
      ['农资供应保障率', '%', 98, 100, 1],
    ],
    project: '冷链物流中心建设',
  },
  {
    unitId: 'dept-jiguan',
    name: '市机关事务管理局',
    short: 'jiguan',
    functions: [
      ['公共机构人均能耗下降率', '%', 2, 4, 1],
      ['公务用车电动化率', '%', 40, 60, 1],
      ['节约型机关创建率', '%', 85, 95, 1],
    ],
    project: '机关集中办公区改造',
  },
  {
    unitId: 'dept-shuju',
    name: '市数据局',
    short: 'shuju',
    functions: [
      ['政务数据共享调用量', '万次', 800, 1200, 0],
      ['公共数据开放数据集', '个', 300, 500, 0],
      ['一网统管事件办结率', '%', 95, 99, 1],
    ],
    project: '城市运行管理中心二期',
  },
];

export interface TownIndicatorDef {
  indicatorId: string;
  name: string;
  unitOfMeasure: string;
  direction: 'higherIsBetter' | 'lowerIsBetter';
  /** Annual target range for a town, and the decimals people report with. */
  annual: [number, number];
  digits: number;
  /** Last year's value as a share of this year's target. */
  baselineShare: number;
  cadence: 'monthly' | 'quarterly';
  method: 'completion' | 'progress' | 'contribution';
  points: number;
  /** Short name of the department that collects and verifies the figure (数据采集单位). */
  collector: string;
}

/** 千分制: level 1 with its points, each with key indicators whose points sum to it. 群众幸福感 is rated by the public. */
export const TOWN_TREE: Array<{
  indicatorId: string;
  name: string;
  points: number;
  children: TownIndicatorDef[];
}> = [
  {
    indicatorId: 'economy',
    name: '经济发展',
    points: 400,
    children: [
      {
        indicatorId: 'gdp-growth',
        name: '地区生产总值增速',
        unitOfMeasure: '%',
        direction: 'higherIsBetter',
        annual: [6.5, 8.5],
        digits: 1,
        baselineShare: 0.92,
        cadence: 'quarterly',
        method: 'progress',
        points: 60,
        collector: 'tongji',
      },
      {
        indicatorId: 'budget-revenue',
        name: '一般公共预算收入',
        unitOfMeasure: '亿元',
        direction: 'higherIsBetter',
        annual: [8, 40],
        digits: 2,
        baselineShare: 0.94,
        cadence: 'monthly',
        method: 'completion',
        points: 60,
        collector: 'caizheng',
      },
      {
        indicatorId: 'industry-value',
        name: '规上工业增加值',
        unitOfMeasure: '亿元',
        direction: 'higherIsBetter',
        annual: [40, 260],
        digits: 1,
        baselineShare: 0.93,
        cadence: 'monthly',
        method: 'contribution',
        points: 50,
        collector: 'tongji',
      },
      {
        indicatorId: 'fixed-investment',
        name: '固定资产投资',
        unitOfMeasure: '亿元',
        direction: 'higherIsBetter',
        annual: [30, 150],
        digits: 1,
        baselineShare: 0.95,
        cadence: 'monthly',
        method: 'progress',
        points: 50,
        collector: 'fagai',
      },
      {
        indicatorId: 'retail-sales',
        name: '社会消费品零售总额',
        unitOfMeasure: '亿元',
        direction: 'higherIsBetter',
        annual: [20, 120],
        digits: 1,
        baselineShare: 0.95,
        cadence: 'monthly',
        method: 'completion',
        points: 40,
        collector: 'shangwu',
      },
      {
        indicatorId: 'foreign-capital',
        name: '实际使用外资',
        unitOfMeasure: '亿美元',
        direction: 'higherIsBetter',
        annual: [0.3, 2.5],
        digits: 2,
        baselineShare: 0.9,
        cadence: 'quarterly',
        method: 'contribution',
        points: 40,
        collector: 'shangwu',
      },
      {
        indicatorId: 'foreign-trade',
        name: '进出口总额',
        unitOfMeasure: '亿美元',
        direction: 'higherIsBetter',
        annual: [10, 90],
        digits: 1,
        baselineShare: 0.96,
        cadence: 'monthly',
        method: 'completion',
        points: 40,
        collector: 'shangwu',
      },
      {
        indicatorId: 'service-share',
        name: '服务业增加值占比',
        unitOfMeasure: '%',
        direction: 'higherIsBetter',
        annual: [38, 52],
        digits: 1,
        baselineShare: 0.97,
        cadence: 'quarterly',
        method: 'completion',
        points: 30,
        collector: 'tongji',
      },
      {
        indicatorId: 'private-investment',
        name: '民间投资',
        unitOfMeasure: '亿元',
        direction: 'higherIsBetter',
        annual: [15, 80],
        digits: 1,
        baselineShare: 0.94,
        cadence: 'quarterly',
        method: 'progress',
        points: 30,
        collector: 'fagai',
      },
    ],
  },
  {
    indicatorId: 'innovation',
    name: '科技创新',
    points: 150,
    children: [
      {
        indicatorId: 'hitech-share',
        name: '高新技术产业产值占规上工业比重',
        unitOfMeasure: '%',
        direction: 'higherIsBetter',
        annual: [40, 55],
        digits: 1,
        baselineShare: 0.96,
        cadence: 'quarterly',
        method: 'completion',
        points: 30,
        collector: 'keji',
      },
      {
        indicatorId: 'rd-share',
        name: '研发经费支出占比',
        unitOfMeasure: '%',
        direction: 'higherIsBetter',
        annual: [2.6, 3.6],
        digits: 2,
        baselineShare: 0.95,
        cadence: 'quarterly',
        method: 'completion',
        points: 30,
        collector: 'keji',
      },
      {
        indicatorId: 'hitech-firms',
        name: '新认定高新技术企业',
        unitOfMeasure: '家',
        direction: 'higherIsBetter',
        annual: [8, 40],
        digits: 0,
        baselineShare: 0.85,
        cadence: 'quarterly',
        method: 'progress',
        points: 30,
        collector: 'keji',
      },
      {
        indicatorId: 'talents',
        name: '新引进高层次人才',
        unitOfMeasure: '人',
        direction: 'higherIsBetter',
        annual: [20, 120],
        digits: 0,
        baselineShare: 0.9,
        cadence: 'quarterly',
        method: 'progress',
        points: 30,
        collector: 'renshe',
      },
      {
        indicatorId: 'patents',
        name: '发明专利授权量',
        unitOfMeasure: '件',
        direction: 'higherIsBetter',
        annual: [60, 300],
        digits: 0,
        baselineShare: 0.9,
        cadence: 'quarterly',
        method: 'contribution',
        points: 30,
        collector: 'shichang',
      },
    ],
  },
  {
    indicatorId: 'ecology',
    name: '生态文明',
    points: 150,
    children: [
      {
        indicatorId: 'pm25',
        name: 'PM2.5年均浓度',
        unitOfMeasure: 'μg/m³',
        direction: 'lowerIsBetter',
        annual: [28, 34],
        digits: 1,
        baselineShare: 1.06,
        cadence: 'monthly',
        method: 'completion',
        points: 40,
        collector: 'shengtai',
      },
      {
        indicatorId: 'good-air-days',
        name: '空气质量优良天数比率',
        unitOfMeasure: '%',
        direction: 'higherIsBetter',
        annual: [80, 88],
        digits: 1,
        baselineShare: 0.98,
        cadence: 'monthly',
        method: 'completion',
        points: 30,
        collector: 'shengtai',
      },
      {
        indicatorId: 'energy-intensity',
        name: '单位GDP能耗下降率',
        unitOfMeasure: '%',
        direction: 'higherIsBetter',
        annual: [3, 4.5],
        digits: 1,
        baselineShare: 0.9,
        cadence: 'quarterly',
        method: 'progress',
        points: 30,
        collector: 'fagai',
      },
      {
        indicatorId: 'water-quality',
        name: '国省考断面水质优Ⅲ类比例',
        unitOfMeasure: '%',
        direction: 'higherIsBetter',
        annual: [85, 100],
        digits: 1,
        baselineShare: 0.97,
        cadence: 'quarterly',
        method: 'completion',
        points: 30,
        collector: 'shengtai',
      },
      {
        indicatorId: 'sewage',
        name: '农村生活污水治理户数',
        unitOfMeasure: '户',
        direction: 'higherIsBetter',
        annual: [800, 3000],
        digits: 0,
        baselineShare: 0.9,
        cadence: 'quarterly',
        method: 'progress',
        points: 20,
        collector: 'shengtai',
      },
    ],
  },
  {
    indicatorId: 'livelihood',
    name: '民生福祉',
    points: 150,
    children: [
      {
        indicatorId: 'urban-income',
        name: '城镇居民人均可支配收入',
        unitOfMeasure: '元',
        direction: 'higherIsBetter',
        annual: [68000, 82000],
        digits: 0,
        baselineShare: 0.95,
        cadence: 'quarterly',
        method: 'completion',
        points: 30,
        collector: 'tongji',
      },
      {
        indicatorId: 'rural-income',
        name: '农村居民人均可支配收入',
        unitOfMeasure: '元',
        direction: 'higherIsBetter',
        annual: [40000, 48000],
        digits: 0,
        baselineShare: 0.94,
        cadence: 'quarterly',
        method: 'completion',
        points: 30,
        collector: 'tongji',
      },
      {
        indicatorId: 'new-jobs',
        name: '城镇新增就业',
        unitOfMeasure: '人',
        direction: 'higherIsBetter',
        annual: [600, 2500],
        digits: 0,
        baselineShare: 0.95,
        cadence: 'monthly',
        method: 'progress',
        points: 30,
        collector: 'renshe',
      },
      {
        indicatorId: 'elderly-care',
        name: '新增养老床位',
        unitOfMeasure: '张',
        direction: 'higherIsBetter',
        annual: [20, 90],
        digits: 0,
        baselineShare: 0.9,
        cadence: 'quarterly',
        method: 'progress',
        points: 30,
        collector: 'renshe',
      },
      {
        indicatorId: 'housing',
        name: '保障性住房开工',
        unitOfMeasure: '套',
        direction: 'higherIsBetter',
        annual: [80, 400],
        digits: 0,
        baselineShare: 0.9,
        cadence: 'quarterly',
        method: 'progress',
        points: 30,
        collector: 'fagai',
      },
    ],
  },
  {
    indicatorId: 'safeguards',
    name: '保障性工作',
    points: 50,
    children: [
      {
        indicatorId: 'work-safety',
        name: '生产安全事故起数',
        unitOfMeasure: '起',
        direction: 'lowerIsBetter',
        annual: [2, 6],
        digits: 0,
        baselineShare: 1.2,
        cadence: 'quarterly',
        method: 'completion',
        points: 25,
        collector: 'tongji',
      },
      {
        indicatorId: 'petitions',
        name: '信访事项按期办结率',
        unitOfMeasure: '%',
        direction: 'higherIsBetter',
        annual: [95, 100],
        digits: 1,
        baselineShare: 0.98,
        cadence: 'quarterly',
        method: 'completion',
        points: 25,
        collector: 'tongji',
      },
    ],
  },
];

/** 群众幸福感: a level-1 indicator scored from public ratings (satisfaction). */
export const TOWN_SATISFACTION = { indicatorId: 'happiness', name: '群众幸福感', points: 100 };

/** Seasonal cumulative schedules (基准时序进度, % of the annual value by month or quarter). */
export const MONTHLY_SCHEDULE = [7, 14, 23, 31, 40, 49, 57, 65, 74, 83, 91, 100];
export const QUARTERLY_SCHEDULE = [23, 49, 74, 100];
/** Level indicators (rates, concentrations) are held all year: the schedule is flat. */
export const FLAT_MONTHLY = [100, 100, 100, 100, 100, 100, 100, 100, 100, 100, 100, 100];
export const FLAT_QUARTERLY = [100, 100, 100, 100];

/** Indicators whose reported figure is a level (a rate or a concentration), not a running total. */
export const LEVEL_UNITS = new Set(['%', 'μg/m³', '分', '小时']);
