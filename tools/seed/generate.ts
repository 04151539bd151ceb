import {
  DishonestDebtor, EnterpriseProfile, Institution, Product, RecognitionList, composeUscc, USCC_CHARSET,
  type Gb4754, type InstitutionKind, type Instrument, type Qualification, type QualificationType, type Recognition, type YrdRegion,
} from '../../schemas';
import { addCalendarDays, addCalendarYears, beijingDateOf, yearOf } from '../../domain/calendar';

// A deterministic demo catalogue of the Yangtze River Delta: institutions with their products,
// enterprises with qualifications, the recognition registry and a dishonest-debtor list. Pure:
// the same seed gives the same data, byte for byte. Names are invented; shapes, codes and
// issuers follow the real ones (GB 32100 USCCs, GB/T 4754 industries, MIIT and provincial lists).
// Recognition dates are relative to `today` (the Beijing date of the run by default), so a seed
// written on any day holds recognitions valid on that day.

export const DEFAULT_SEED = 20250630;

export interface SeedData {
  institutions: Institution[];
  products: Product[];
  enterprises: EnterpriseProfile[];
  /** The recognitions on record per enterprise (`PUT /v1/registries/recognitions/:uscc`). */
  recognitions: { uscc: string; recognitions: RecognitionList }[];
  dishonestDebtors: DishonestDebtor[];
}

// ---------------------------------------------------------------------------
// Seeded randomness
// ---------------------------------------------------------------------------

/** mulberry32: a small, fast 32-bit PRNG; good enough for demo data, never for secrets. */
export function mulberry32(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4_294_967_296;
  };
}

type Rng = ReturnType<typeof randomTools>;

function randomTools(seed: number) {
  const next = mulberry32(seed);
  const int = (min: number, max: number): number => min + Math.floor(next() * (max - min + 1));
  const pick = <T>(items: readonly T[]): T => {
    const item = items[Math.floor(next() * items.length)];
    if (item === undefined) throw new RangeError('pick from an empty list');
    return item;
  };
  const chance = (p: number): boolean => next() < p;
  const shuffle = <T>(items: readonly T[]): T[] => {
    const copy = [...items];
    for (let i = copy.length - 1; i > 0; i -= 1) {
      const j = Math.floor(next() * (i + 1));
      [copy[i], copy[j]] = [copy[j] as T, copy[i] as T];
    }
    return copy;
  };
  /** Log-uniform: ticket sizes and head counts spread over orders of magnitude. */
  const logInt = (min: number, max: number): number => Math.round(Math.exp(Math.log(min) + next() * (Math.log(max) - Math.log(min))));
  return { next, int, pick, chance, shuffle, logInt };
}

// ---------------------------------------------------------------------------
// Geography
// ---------------------------------------------------------------------------

interface Place { region: YrdRegion; city: string; cityZh: string; division: string }

/** Administrative division codes (GB/T 2260) of the places enterprises are registered in. */
const PLACES: readonly Place[] = [
  { region: 'CN-SH', city: 'Shanghai (Pudong New Area)', cityZh: '上海', division: '310115' },
  { region: 'CN-SH', city: 'Shanghai (Minhang)', cityZh: '上海', division: '310112' },
  { region: 'CN-SH', city: 'Shanghai (Jiading)', cityZh: '上海', division: '310114' },
  { region: 'CN-SH', city: 'Shanghai (Songjiang)', cityZh: '上海', division: '310117' },
  { region: 'CN-SH', city: 'Shanghai (Xuhui)', cityZh: '上海', division: '310104' },
  { region: 'CN-SH', city: 'Shanghai (Yangpu)', cityZh: '上海', division: '310110' },
  { region: 'CN-SH', city: 'Shanghai (Baoshan)', cityZh: '上海', division: '310113' },
  { region: 'CN-SH', city: 'Shanghai (Qingpu)', cityZh: '上海', division: '310118' },
  { region: 'CN-JS', city: 'Suzhou', cityZh: '苏州', division: '320500' },
  { region: 'CN-JS', city: 'Suzhou (Kunshan)', cityZh: '昆山', division: '320583' },
  { region: 'CN-JS', city: 'Wuxi', cityZh: '无锡', division: '320200' },
  { region: 'CN-JS', city: 'Nanjing', cityZh: '南京', division: '320100' },
  { region: 'CN-JS', city: 'Changzhou', cityZh: '常州', division: '320400' },
  { region: 'CN-JS', city: 'Nantong', cityZh: '南通', division: '320600' },
  { region: 'CN-ZJ', city: 'Hangzhou', cityZh: '杭州', division: '330100' },
  { region: 'CN-ZJ', city: 'Ningbo', cityZh: '宁波', division: '330200' },
  { region: 'CN-ZJ', city: 'Jiaxing', cityZh: '嘉兴', division: '330400' },
  { region: 'CN-ZJ', city: 'Shaoxing', cityZh: '绍兴', division: '330600' },
  { region: 'CN-AH', city: 'Hefei', cityZh: '合肥', division: '340100' },
  { region: 'CN-AH', city: 'Wuhu', cityZh: '芜湖', division: '340200' },
  { region: 'CN-AH', city: 'Bengbu', cityZh: '蚌埠', division: '340300' },
  { region: 'CN-AH', city: "Ma'anshan", cityZh: '马鞍山', division: '340500' },
];

interface Province { zh: string; en: string; branchZh: string; code: string; econDept: string; highTechIssuer: string; short: string }

const PROVINCE: Record<YrdRegion, Province> = {
  'CN-SH': { zh: '上海', en: 'Shanghai', branchZh: '上海市分行', code: '31', econDept: '上海市经济和信息化委员会', highTechIssuer: '上海市科学技术委员会 / 上海市财政局 / 国家税务总局上海市税务局', short: '沪' },
  'CN-JS': { zh: '江苏', en: 'Jiangsu', branchZh: '江苏省分行', code: '32', econDept: '江苏省工业和信息化厅', highTechIssuer: '江苏省科学技术厅 / 江苏省财政厅 / 国家税务总局江苏省税务局', short: '苏' },
  'CN-ZJ': { zh: '浙江', en: 'Zhejiang', branchZh: '浙江省分行', code: '33', econDept: '浙江省经济和信息化厅', highTechIssuer: '浙江省科学技术厅 / 浙江省财政厅 / 国家税务总局浙江省税务局', short: '浙' },
  'CN-AH': { zh: '安徽', en: 'Anhui', branchZh: '安徽省分行', code: '34', econDept: '安徽省经济和信息化厅', highTechIssuer: '安徽省科学技术厅 / 安徽省财政厅 / 国家税务总局安徽省税务局', short: '皖' },
};

const YRD: YrdRegion[] = ['CN-SH', 'CN-JS', 'CN-ZJ', 'CN-AH'];

interface Court { name: string; prefix: string }

/**
 * The intermediate people's court of each seeded city, by the city's GB/T 2260 code, with its
 * case-number prefix (the province's short name and the court's number, e.g. 苏05 for Suzhou).
 * Shanghai's two intermediate courts split the districts.
 */
const COURTS: Readonly<Record<string, Court>> = {
  '3201': { name: '南京市中级人民法院', prefix: '苏01' },
  '3202': { name: '无锡市中级人民法院', prefix: '苏02' },
  '3204': { name: '常州市中级人民法院', prefix: '苏04' },
  '3205': { name: '苏州市中级人民法院', prefix: '苏05' },
  '3206': { name: '南通市中级人民法院', prefix: '苏06' },
  '3301': { name: '杭州市中级人民法院', prefix: '浙01' },
  '3302': { name: '宁波市中级人民法院', prefix: '浙02' },
  '3304': { name: '嘉兴市中级人民法院', prefix: '浙04' },
  '3306': { name: '绍兴市中级人民法院', prefix: '浙06' },
  '3401': { name: '合肥市中级人民法院', prefix: '皖01' },
  '3402': { name: '芜湖市中级人民法院', prefix: '皖02' },
  '3403': { name: '蚌埠市中级人民法院', prefix: '皖03' },
  '3405': { name: '马鞍山市中级人民法院', prefix: '皖05' },
};
const SHANGHAI_FIRST: Court = { name: '上海市第一中级人民法院', prefix: '沪01' };
const SHANGHAI_SECOND: Court = { name: '上海市第二中级人民法院', prefix: '沪02' };
/** Yangpu, Baoshan and Jiading are the Second Intermediate Court's; the other seeded districts the First's. */
const SHANGHAI_SECOND_DISTRICTS: ReadonlySet<string> = new Set(['310110', '310113', '310114']);

/** The court of the place a USCC's division code names. */
export function courtOf(uscc: string): Court {
  const division = uscc.slice(2, 8);
  if (division.startsWith('31')) return SHANGHAI_SECOND_DISTRICTS.has(division) ? SHANGHAI_SECOND : SHANGHAI_FIRST;
  const court = COURTS[division.slice(0, 4)];
  if (court === undefined) throw new RangeError(`no seeded court for division ${division}`);
  return court;
}

// ---------------------------------------------------------------------------
// Industries (GB/T 4754-2017 classes)
// ---------------------------------------------------------------------------

interface Industry { code: Gb4754; fieldZh: string; fieldEn: string }

const INDUSTRIES: readonly Industry[] = [
  { code: 'C3973', fieldZh: '微电子科技', fieldEn: 'integrated circuits' },
  { code: 'C3976', fieldZh: '光电科技', fieldEn: 'optoelectronic devices' },
  { code: 'C3981', fieldZh: '电子元件', fieldEn: 'electronic components' },
  { code: 'C3562', fieldZh: '半导体装备', fieldEn: 'semiconductor equipment' },
  { code: 'C3491', fieldZh: '机器人', fieldEn: 'industrial robots' },
  { code: 'C3444', fieldZh: '液压科技', fieldEn: 'hydraulic components' },
  { code: 'C4011', fieldZh: '自动化', fieldEn: 'industrial control systems' },
  { code: 'C3581', fieldZh: '医疗器械', fieldEn: 'medical diagnostic equipment' },
  { code: 'C2761', fieldZh: '生物制药', fieldEn: 'biopharmaceuticals' },
  { code: 'C2662', fieldZh: '新材料', fieldEn: 'specialty chemicals' },
  { code: 'C3670', fieldZh: '汽车部件', fieldEn: 'auto parts' },
  { code: 'C3841', fieldZh: '新能源', fieldEn: 'lithium-ion batteries' },
  { code: 'C3831', fieldZh: '线缆', fieldEn: 'cables' },
  { code: 'I6513', fieldZh: '软件', fieldEn: 'application software' },
  { code: 'I6520', fieldZh: '芯片设计', fieldEn: 'IC design' },
  { code: 'M7320', fieldZh: '工程技术研究院', fieldEn: 'engineering R&D' },
];

/**
 * Brand stems of the generated names: two characters from lists of uncommon pairings, so no name
 * borrows a listed company's or a well-known brand's stem (芯联, 中科, 安捷, 峰岹, 至纯 … were here once).
 */
const STEM_FIRST = ['澄', '岚', '翊', '珩', '湛', '桉', '垣', '棠', '霁', '璟', '砚', '溯', '曜', '澹', '琰', '筠'] as const;
const STEM_SECOND = ['衡', '舟', '岳', '汀', '屿', '弈', '渚', '麓', '琛', '苇', '朔', '砺'] as const;

// ---------------------------------------------------------------------------
// Institutions and products
// ---------------------------------------------------------------------------

interface ProductTemplate {
  key: string;
  nameZh: string;
  nameEn: string;
  instruments: Instrument[];
  min: [number, number];
  max: [number, number];
  include?: Gb4754[];
  exclude?: Gb4754[];
  requires?: QualificationType[];
  sla: [number, number];
  dd: [number, number];
  capacity: [number, number];
  minRevenue?: number;
  minYears?: number;
}

const EXCLUDE_SPECULATIVE: Gb4754[] = ['K70', 'B06', 'J69'];

const TEMPLATES: Record<InstitutionKind, ProductTemplate[]> = {
  bank: [
    { key: 'kcd', nameZh: '科创信用贷', nameEn: 'Sci-tech credit loan', instruments: ['credit_loan'], min: [500_000, 1_000_000], max: [10_000_000, 30_000_000], exclude: EXCLUDE_SPECULATIVE, sla: [48, 72], dd: [10, 21], capacity: [20, 60], minYears: 2 },
    { key: 'zcd', nameZh: '知识产权质押贷', nameEn: 'IP pledge loan', instruments: ['ip_pledge_loan'], min: [1_000_000, 1_000_000], max: [5_000_000, 20_000_000], include: ['C39', 'C35', 'C34', 'C40', 'I65', 'M73', 'C27'], sla: [72, 96], dd: [14, 30], capacity: [10, 30] },
    { key: 'ldz', nameZh: '流动资金贷款', nameEn: 'Working capital loan', instruments: ['working_capital_loan', 'credit_loan'], min: [500_000, 2_000_000], max: [20_000_000, 50_000_000], exclude: EXCLUDE_SPECULATIVE, sla: [48, 72], dd: [7, 14], capacity: [30, 80], minRevenue: 10_000_000 },
    { key: 'gyl', nameZh: '供应链金融', nameEn: 'Supply-chain finance', instruments: ['supply_chain_finance'], min: [1_000_000, 2_000_000], max: [30_000_000, 100_000_000], include: ['C'], sla: [24, 48], dd: [5, 10], capacity: [20, 50], minRevenue: 30_000_000 },
    { key: 'zjtx', nameZh: '专精特新贷', nameEn: 'Little Giant loan', instruments: ['credit_loan', 'working_capital_loan'], min: [1_000_000, 3_000_000], max: [30_000_000, 50_000_000], requires: ['little_giant'], sla: [24, 48], dd: [7, 14], capacity: [10, 25] },
  ],
  vc_fund: [
    { key: 'seed', nameZh: '早期股权投资', nameEn: 'Early-stage equity', instruments: ['equity'], min: [3_000_000, 5_000_000], max: [30_000_000, 50_000_000], include: ['C39', 'I65', 'M73', 'C40', 'C35', 'C27'], sla: [120, 240], dd: [45, 90], capacity: [5, 15] },
    { key: 'cvt', nameZh: '可转债投资', nameEn: 'Convertible note', instruments: ['convertible'], min: [2_000_000, 5_000_000], max: [20_000_000, 30_000_000], include: ['C39', 'I65', 'C34', 'C35'], requires: ['high_tech'], sla: [120, 168], dd: [30, 60], capacity: [5, 10] },
  ],
  pe_fund: [
    { key: 'growth', nameZh: '成长期股权投资', nameEn: 'Growth equity', instruments: ['equity'], min: [30_000_000, 50_000_000], max: [200_000_000, 300_000_000], include: ['C'], exclude: ['C17', 'C18', 'C19'], sla: [168, 240], dd: [60, 120], capacity: [3, 10], minRevenue: 100_000_000, minYears: 5 },
    { key: 'pre-ipo', nameZh: '专精特新 Pre-IPO', nameEn: 'Little Giant pre-IPO', instruments: ['equity', 'convertible'], min: [20_000_000, 50_000_000], max: [100_000_000, 200_000_000], requires: ['little_giant'], sla: [120, 240], dd: [45, 90], capacity: [3, 8], minRevenue: 150_000_000 },
  ],
  guarantor: [
    { key: 'kcdb', nameZh: '科技型企业融资担保', nameEn: 'Sci-tech financing guarantee', instruments: ['guarantee'], min: [1_000_000, 1_000_000], max: [10_000_000, 20_000_000], exclude: EXCLUDE_SPECULATIVE, sla: [48, 72], dd: [10, 20], capacity: [20, 50] },
    { key: 'zjtxdb', nameZh: '专精特新批量担保', nameEn: 'SRDI batch guarantee', instruments: ['guarantee'], min: [1_000_000, 2_000_000], max: [15_000_000, 30_000_000], requires: ['srdi_sme'], sla: [24, 48], dd: [7, 14], capacity: [30, 60] },
  ],
  leasing: [
    { key: 'sbzl', nameZh: '设备融资租赁', nameEn: 'Equipment finance lease', instruments: ['leasing'], min: [2_000_000, 5_000_000], max: [50_000_000, 100_000_000], include: ['C'], sla: [72, 96], dd: [14, 30], capacity: [10, 30], minYears: 3 },
    { key: 'zhzl', nameZh: '售后回租', nameEn: 'Sale-and-leaseback', instruments: ['leasing'], min: [5_000_000, 10_000_000], max: [80_000_000, 150_000_000], include: ['C35', 'C38', 'C39', 'C36'], sla: [72, 120], dd: [20, 40], capacity: [5, 20], minRevenue: 50_000_000 },
  ],
};

interface InstitutionSeed { id: string; zh: string; en: string; kind: InstitutionKind; regions: YrdRegion[] }

function institutionSeeds(): InstitutionSeed[] {
  const seeds: InstitutionSeed[] = [];
  // Big state-owned banks (invented names) with a provincial branch in each province.
  const bigBanks = [
    { code: 'hxgs', zh: '瀚溪工商银行', en: 'Hanxi Industrial and Commercial Bank' },
    { code: 'zhjs', zh: '澄岳建设银行', en: 'Chengyue Construction Bank' },
  ];
  for (const bank of bigBanks) {
    for (const region of YRD) {
      const p = PROVINCE[region];
      seeds.push({ id: `bank-${bank.code}-${region.slice(3).toLowerCase()}`, zh: `${bank.zh}${p.branchZh}`, en: `${bank.en}, ${p.en} Branch`, kind: 'bank', regions: [region] });
    }
  }
  seeds.push(
    { id: 'bank-gmny-sh', zh: '国民农业银行上海市分行', en: 'Guomin Agricultural Bank, Shanghai Branch', kind: 'bank', regions: ['CN-SH'] },
    { id: 'bank-gmny-ah', zh: '国民农业银行安徽省分行', en: 'Guomin Agricultural Bank, Anhui Branch', kind: 'bank', regions: ['CN-AH'] },
    // City commercial banks.
    { id: 'bank-hudong', zh: '沪东银行', en: 'Hudong Bank', kind: 'bank', regions: ['CN-SH', 'CN-JS'] },
    { id: 'bank-sunan', zh: '苏南银行', en: 'Sunan Bank', kind: 'bank', regions: ['CN-JS'] },
    { id: 'bank-xishan', zh: '锡山银行', en: 'Xishan Bank', kind: 'bank', regions: ['CN-JS'] },
    { id: 'bank-qiantang', zh: '钱塘银行', en: 'Qiantang Bank', kind: 'bank', regions: ['CN-ZJ', 'CN-SH'] },
    { id: 'bank-yongjiang', zh: '甬江银行', en: 'Yongjiang Bank', kind: 'bank', regions: ['CN-ZJ'] },
    { id: 'bank-jianghuai', zh: '江淮银行', en: 'Jianghuai Bank', kind: 'bank', regions: ['CN-AH', 'CN-JS'] },
    // Rural commercial banks.
    { id: 'bank-lucheng-rcb', zh: '昆山淀浦农村商业银行', en: 'Kunshan Dianpu Rural Commercial Bank', kind: 'bank', regions: ['CN-JS'] },
    { id: 'bank-xianghu-rcb', zh: '萧山湘湖农村商业银行', en: 'Xiaoshan Xianghu Rural Commercial Bank', kind: 'bank', regions: ['CN-ZJ'] },
    { id: 'bank-zipeng-rcb', zh: '肥西紫蓬农村商业银行', en: 'Feixi Zipeng Rural Commercial Bank', kind: 'bank', regions: ['CN-AH'] },
    // Venture capital.
    { id: 'vc-pujiang-xinghe', zh: '浦江星河创业投资', en: 'Pujiang Xinghe Ventures', kind: 'vc_fund', regions: ['CN-SH', 'CN-JS', 'CN-ZJ'] },
    { id: 'vc-jinjihu-chenxi', zh: '金鸡湖晨曦创业投资', en: 'Jinji Lake Chenxi Ventures', kind: 'vc_fund', regions: ['CN-JS', 'CN-SH'] },
    { id: 'vc-xixi-shuzhi', zh: '西溪数智创业投资', en: 'Xixi Digital Ventures', kind: 'vc_fund', regions: ['CN-ZJ', 'CN-SH'] },
    { id: 'vc-liangzigu', zh: '合肥量子谷天使投资基金', en: 'Hefei Quantum Valley Angel Fund', kind: 'vc_fund', regions: ['CN-AH'] },
    { id: 'vc-zijinshan', zh: '紫金山科创投资基金', en: 'Zijinshan Sci-Tech Fund', kind: 'vc_fund', regions: ['CN-JS', 'CN-AH'] },
    { id: 'vc-lingang-yingke', zh: '临港硬科技创业投资', en: 'Lingang Hard-Tech Ventures', kind: 'vc_fund', regions: ['CN-SH'] },
    { id: 'vc-taihu-tianshi', zh: '太湖天使投资', en: 'Taihu Angel Partners', kind: 'vc_fund', regions: ['CN-JS', 'CN-ZJ'] },
    // Private equity.
    { id: 'pe-csj-zhizao', zh: '长三角先进制造产业投资基金', en: 'YRD Advanced Manufacturing Industry Fund', kind: 'pe_fund', regions: [...YRD] },
    { id: 'pe-zhijiang-growth', zh: '之江成长股权投资', en: 'Zhijiang Growth Equity', kind: 'pe_fund', regions: ['CN-ZJ', 'CN-SH', 'CN-JS'] },
    { id: 'pe-jianghuai-upgrade', zh: '江淮产业升级基金', en: 'Jianghuai Industrial Upgrade Fund', kind: 'pe_fund', regions: ['CN-AH', 'CN-JS'] },
    { id: 'pe-huangpu-zjtx', zh: '黄浦江专精特新股权投资', en: 'Huangpu River SRDI Equity Fund', kind: 'pe_fund', regions: ['CN-SH', 'CN-JS', 'CN-ZJ'] },
    { id: 'pe-sxc-binggou', zh: '苏锡常产业并购基金', en: 'Su-Xi-Chang Industrial M&A Fund', kind: 'pe_fund', regions: ['CN-JS'] },
    // Provincial financing guarantee companies.
    { id: 'gu-sh-kechuang', zh: '上海市科创融资担保有限公司', en: 'Shanghai Sci-Tech Financing Guarantee Co.', kind: 'guarantor', regions: ['CN-SH'] },
    { id: 'gu-js-puhui', zh: '江苏省普惠融资担保有限公司', en: 'Jiangsu Inclusive Financing Guarantee Co.', kind: 'guarantor', regions: ['CN-JS'] },
    { id: 'gu-zj-xinrong', zh: '浙江省信融融资担保有限公司', en: 'Zhejiang Xinrong Financing Guarantee Co.', kind: 'guarantor', regions: ['CN-ZJ'] },
    { id: 'gu-ah-wanxin', zh: '安徽省皖信融资担保集团', en: 'Anhui Wanxin Financing Guarantee Group', kind: 'guarantor', regions: ['CN-AH'] },
    // Financial leasing.
    { id: 'ls-changjiang', zh: '长江融资租赁有限公司', en: 'Changjiang Financial Leasing Co.', kind: 'leasing', regions: [...YRD] },
    { id: 'ls-dongfang-mingzhu', zh: '浦岸科技融资租赁', en: 'Pu\'an Tech Leasing', kind: 'leasing', regions: ['CN-SH', 'CN-ZJ'] },
    { id: 'ls-taihu', zh: '太湖金融租赁股份有限公司', en: 'Taihu Financial Leasing Co.', kind: 'leasing', regions: ['CN-JS', 'CN-SH'] },
    { id: 'ls-qianjiang', zh: '钱江装备租赁有限公司', en: 'Qianjiang Equipment Leasing Co.', kind: 'leasing', regions: ['CN-ZJ', 'CN-AH'] },
  );
  return seeds;
}

/**
 * A product's SLAs in working days, as Chinese institutions state them; the calendar fields stay
 * for older clients. Response hours are whole days of the template, so a scaled demo
 * (`DEALFLOW_SLA_SCALE`, a working day = 24 h × the scale) lapses them as before.
 */
const slas = (responseHours: number, ddDays: number) => ({
  responseSlaHours: responseHours,
  ddSlaDays: ddDays,
  responseSlaWorkingDays: Math.max(1, Math.round(responseHours / 24)),
  ddSlaWorkingDays: Math.max(1, Math.round((ddDays * 5) / 7)),
});

const roundTo = (n: number, step: number): number => Math.max(step, Math.round(n / step) * step);

function productsFor(rng: Rng, seed: InstitutionSeed): Product[] {
  const templates = rng.shuffle(TEMPLATES[seed.kind]);
  const count = Math.min(templates.length, rng.int(1, seed.kind === 'bank' ? 4 : 2));
  return templates.slice(0, count).map((t) => {
    const min = roundTo(rng.int(t.min[0], t.min[1]), 100_000);
    const max = Math.max(min, roundTo(rng.int(t.max[0], t.max[1]), 1_000_000));
    return Product.parse({
      productId: `${seed.id}-${t.key}`,
      institutionId: seed.id,
      name: `${t.nameZh} ${t.nameEn}`,
      instruments: t.instruments,
      minAmountCny: min,
      maxAmountCny: max,
      regions: seed.regions,
      industries: { include: t.include ?? [], exclude: t.exclude ?? [] },
      requiredQualifications: t.requires ?? [],
      ...(t.minRevenue !== undefined ? { minRevenueCny: t.minRevenue } : {}),
      ...(t.minYears !== undefined ? { minYearsSinceFounding: t.minYears } : {}),
      ...slas(rng.pick([t.sla[0], t.sla[1]]), rng.int(t.dd[0], t.dd[1])),
      capacity: rng.int(t.capacity[0], t.capacity[1]),
      active: true,
    });
  });
}

// ---------------------------------------------------------------------------
// Enterprises, qualifications, registries
// ---------------------------------------------------------------------------

const ORG_CHARS = USCC_CHARSET;

/** The year the USCC replaced the organisation code: firms registered before it kept their numeric one. */
const USCC_INTRODUCED = 2015;

function usccFor(rng: Rng, division: string, foundedYear: number, taken: Set<string>): string {
  for (;;) {
    // 9 = registered with market regulation, 1 = enterprise; then the division of the place (its
    // province the profile's region), the organisation code and its GB 11714 check digit, composed
    // with the check character. A firm registered from 2015 on has a new-style code ("MA" + 6
    // characters); an older one kept its 8-digit organisation code.
    let org = foundedYear >= USCC_INTRODUCED ? 'MA' : '';
    while (org.length < 8) org += foundedYear >= USCC_INTRODUCED ? rng.pick([...ORG_CHARS]) : String(rng.int(0, 9));
    const uscc = composeUscc('91', division, org);
    if (!taken.has(uscc)) {
      taken.add(uscc);
      return uscc;
    }
  }
}

const pad = (n: number, width: number): string => String(n).padStart(width, '0');

/** A recognition's validity: its published three-year term (domain/qualificationTerms.ts), to the day before. */
const threeYearsFrom = (validFrom: string): { validFrom: string; validTo: string } =>
  ({ validFrom, validTo: addCalendarDays(addCalendarYears(validFrom, 3), -1) });

/**
 * A recognition issued some days before `today` and valid for its published three-year term
 * (domain/qualificationTerms.ts): at least a month left, so a seed stays valid for demos.
 */
function issuedBefore(rng: Rng, today: string): { year: number; validFrom: string; validTo: string } {
  const validFrom = addCalendarDays(today, -rng.int(30, 3 * 365 - 60));
  return { year: yearOf(validFrom), ...threeYearsFrom(validFrom) };
}

function qualificationsFor(rng: Rng, place: Place, founded: number, today: string): Qualification[] {
  const p = PROVINCE[place.region];
  const list: Qualification[] = [];
  const hasHighTech = rng.chance(0.6);
  if (hasHighTech) {
    const { year, ...validity } = issuedBefore(rng, today);
    list.push({ type: 'high_tech', issuer: p.highTechIssuer, certificateNo: `GR${year}${p.code}${pad(rng.int(0, 9999), 4)}${pad(rng.int(0, 99), 2)}`, ...validity });
  }
  if (rng.chance(0.4)) {
    const { year, ...validity } = issuedBefore(rng, today);
    list.push({ type: 'innovative_sme', issuer: p.econDept, certificateNo: `CXXZX-${p.short}-${year}-${pad(rng.int(1, 9999), 5)}`, ...validity });
  }
  const srdi = founded <= 2021 && rng.chance(0.4);
  if (srdi) {
    const { year, ...validity } = issuedBefore(rng, today);
    list.push({ type: 'srdi_sme', issuer: p.econDept, certificateNo: `ZJTX-${p.short}-${year}-${pad(rng.int(1, 3999), 4)}`, ...validity });
  }
  // National Little Giants come from the provincial SRDI pool (MIIT's yearly batches).
  if (srdi && rng.chance(0.45)) {
    const { year, ...validity } = issuedBefore(rng, today);
    list.push({ type: 'little_giant', issuer: '工业和信息化部', certificateNo: `XJR-${year}-${p.code}-${pad(rng.int(1, 999), 4)}`, ...validity });
  }
  if (place.region === 'CN-SH' && rng.chance(0.12)) {
    const { year, ...validity } = issuedBefore(rng, today);
    list.push({ type: 'single_champion_municipal', issuer: '上海市经济和信息化委员会', certificateNo: `SHDXGJ-${year}-${pad(rng.int(1, 150), 3)}`, ...validity });
  } else if (place.region !== 'CN-SH' && rng.chance(0.05)) {
    const { year, ...validity } = issuedBefore(rng, today);
    list.push({ type: 'single_champion_municipal', issuer: `${place.cityZh}市工业和信息化局`, certificateNo: `DXGJ-${place.cityZh}-${year}-${pad(rng.int(1, 80), 3)}`, ...validity });
  }
  if (hasHighTech && rng.chance(0.03)) {
    const { year, ...validity } = issuedBefore(rng, today);
    list.push({ type: 'single_champion_national', issuer: '工业和信息化部 / 中国工业经济联合会', certificateNo: `GJDXGJ-${year}-${pad(rng.int(1, 300), 3)}`, ...validity });
  }
  return list;
}

const FLAGSHIP_TYPES: ReadonlySet<QualificationType> = new Set(['little_giant', 'single_champion_municipal', 'single_champion_national']);

export function generateSeed(seed: number = DEFAULT_SEED, today: string = beijingDateOf(new Date())): SeedData {
  const rng = randomTools(seed);

  const instSeeds = institutionSeeds();
  const institutions = instSeeds.map((s) => Institution.parse({ institutionId: s.id, name: `${s.zh} (${s.en})`, kind: s.kind, regions: s.regions }));
  const products = instSeeds.flatMap((s) => productsFor(rng, s));

  const taken = new Set<string>();
  const usedNames = new Set<string>();
  const enterprises: EnterpriseProfile[] = [];
  // Roughly the delta's weight in SRDI enterprises: Jiangsu and Zhejiang lead, Shanghai, then Anhui.
  const regionWeights: [YrdRegion, number][] = [['CN-SH', 55], ['CN-JS', 60], ['CN-ZJ', 50], ['CN-AH', 35]];
  for (const [region, count] of regionWeights) {
    const places = PLACES.filter((p) => p.region === region);
    for (let i = 0; i < count; i += 1) {
      const place = rng.pick(places);
      const industry = rng.pick(INDUSTRIES);
      let name: string;
      do {
        name = `${place.cityZh}${rng.pick(STEM_FIRST)}${rng.pick(STEM_SECOND)}${industry.fieldZh}${rng.chance(0.3) ? '股份' : ''}有限公司`;
      } while (usedNames.has(name));
      usedNames.add(name);
      const foundedYear = rng.int(2003, 2022);
      const uscc = usccFor(rng, place.division, foundedYear, taken);
      const employees = rng.logInt(15, 1_800);
      const revenuePerHead = rng.int(250_000, 1_200_000);
      enterprises.push(EnterpriseProfile.parse({
        uscc,
        name,
        region,
        city: place.city,
        industry: industry.code,
        founded: `${foundedYear}-${pad(rng.int(1, 12), 2)}-${pad(rng.int(1, 28), 2)}`,
        employees,
        revenueCny: foundedYear >= 2022 && rng.chance(0.3) ? 0 : roundTo(employees * revenuePerHead, 10_000),
        rdRatioBps: industry.code.startsWith('I') || industry.code.startsWith('M') ? rng.int(1_000, 3_500) : rng.int(300, 1_500),
        qualifications: qualificationsFor(rng, place, foundedYear, today),
      }));
    }
  }

  // The registry holds the claims of every type, except every seventh claim of each type, which
  // screening then reports as unverified.
  const unrecorded = new Set<string>();
  const claimsOfType = new Map<QualificationType, number>();
  for (const e of enterprises) {
    for (const q of e.qualifications) {
      const n = claimsOfType.get(q.type) ?? 0;
      claimsOfType.set(q.type, n + 1);
      if (n % 7 === 3) unrecorded.add(`${e.uscc}|${q.certificateNo}`);
    }
  }
  const recognitions = enterprises
    .map((e) => ({
      uscc: e.uscc,
      recognitions: RecognitionList.parse(e.qualifications
        .filter((q) => !unrecorded.has(`${e.uscc}|${q.certificateNo}`))
        .map((q): Recognition => ({ type: q.type, certificateNo: q.certificateNo, validFrom: q.validFrom, validTo: q.validTo }))),
    }))
    .filter((r) => r.recognitions.length > 0);

  // A few enterprises on the dishonest-debtor list: never one of the flagship enterprises.
  const plain = enterprises.filter((e) => !e.qualifications.some((q) => FLAGSHIP_TYPES.has(q.type)));
  const dishonestDebtors = rng.shuffle(plain).slice(0, 5).map((e) => {
    const court = courtOf(e.uscc);
    const listedOn = addCalendarDays(today, -rng.int(60, 700));
    return DishonestDebtor.parse({
      uscc: e.uscc,
      listedAt: `${listedOn}T02:00:00Z`,
      caseNo: `(${yearOf(listedOn)})${court.prefix}执${pad(rng.int(100, 9999), 4)}号`,
      court: court.name,
      reason: rng.pick(['有履行能力而拒不履行生效法律文书确定义务', '违反财产报告制度', '以虚假诉讼、虚假仲裁或者以隐匿、转移财产等方法规避执行']),
    });
  });

  return { institutions, products, enterprises, recognitions, dishonestDebtors };
}

export interface DemoPrincipals {
  /** A Shanghai enterprise with a Little Giant or champion claim on record: a full demo run. */
  enterprise: { uscc: string; name: string };
  /** A bank whose products serve that enterprise's region. */
  institution: { institutionId: string; name: string };
  ops: { sub: string };
}

/** Principals to sign demo tokens for (`role` enterprise / institution / ops, `org` as named). */
export function demoPrincipals(data: SeedData = generateSeed()): DemoPrincipals {
  const debtors = new Set(data.dishonestDebtors.map((d) => d.uscc));
  const onRecord = new Map(data.recognitions.map((r) => [r.uscc, new Set(r.recognitions.map((x) => x.certificateNo))]));
  const enterprise = data.enterprises.find((e) => e.region === 'CN-SH' && !debtors.has(e.uscc)
    && e.qualifications.some((q) => FLAGSHIP_TYPES.has(q.type) && onRecord.get(e.uscc)?.has(q.certificateNo)))
    ?? data.enterprises[0];
  const institution = data.institutions.find((i) => i.kind === 'bank' && i.regions.includes(enterprise?.region ?? 'CN-SH')) ?? data.institutions[0];
  if (!enterprise || !institution) throw new Error('seed data has no enterprise or institution');
  return {
    enterprise: { uscc: enterprise.uscc, name: enterprise.name },
    institution: { institutionId: institution.institutionId, name: institution.name },
    ops: { sub: 'ops-demo' },
  };
}
