// What every page shares: a tiny DOM builder (text is always set as text, never parsed as HTML),
// the domain's labels, formatters, the message banner and the sign-in bar.
import { claimsOf, devTokens, forgetToken, saveToken, tokenFor } from './api.js';

/** h('p', { class: 'x', onclick }, 'text', child): an element; null and false children are skipped. */
export function h(tag, attrs = {}, ...children) {
  const el = document.createElement(tag);
  for (const [key, value] of Object.entries(attrs ?? {})) {
    if (value === undefined || value === null || value === false) continue;
    if (key.startsWith('on')) el.addEventListener(key.slice(2), value);
    else if (key === 'class') el.className = value;
    else if (key in el && key !== 'list' && key !== 'form') el[key] = value;
    else el.setAttribute(key, value === true ? '' : String(value));
  }
  append(el, children);
  return el;
}

function append(el, children) {
  for (const child of children.flat(Infinity)) {
    if (child === null || child === undefined || child === false) continue;
    el.append(child instanceof Node ? child : document.createTextNode(String(child)));
  }
}

export const SVG_NS = 'http://www.w3.org/2000/svg';
export function svg(tag, attrs = {}, ...children) {
  const el = document.createElementNS(SVG_NS, tag);
  for (const [key, value] of Object.entries(attrs)) el.setAttribute(key, String(value));
  append(el, children);
  return el;
}

// ---------- vocabulary ----------

export const APPLICATION_STATUS = {
  submitted: 'Submitted 已提交',
  screening: 'Screening 资格审查',
  rejected: 'Rejected 未通过',
  matching: 'Matching 匹配中',
  in_due_diligence: 'Due diligence 尽职调查',
  offers_ready: 'Offers ready 条款书待选',
  accepted: 'Accepted 已接受',
  closed: 'Closed 已完成',
  no_match: 'No match 未匹配',
  withdrawn: 'Withdrawn 已撤回',
  expired: 'Expired 已过期',
};
export const OPEN_APPLICATION = ['submitted', 'screening', 'matching', 'in_due_diligence', 'offers_ready', 'accepted'];

export const DEAL_STATUS = {
  proposed: 'Proposed 已推荐',
  interested: 'Interested 有意向',
  declined: 'Declined 已婉拒',
  expired: 'Expired 已过期',
  documents_requested: 'Documents requested 补充材料',
  under_review: 'Under review 审核中',
  term_sheet_issued: 'Term sheet issued 已出条款书',
  selected: 'Selected 已选定',
  not_selected: 'Not selected 未选定',
  closed: 'Closed 已完成',
};

export const INSTRUMENT = {
  credit_loan: 'Credit loan 信用贷款',
  ip_pledge_loan: 'IP pledge loan 知识产权质押贷款',
  working_capital_loan: 'Working capital loan 流动资金贷款',
  supply_chain_finance: 'Supply-chain finance 供应链金融',
  equity: 'Equity 股权融资',
  convertible: 'Convertible 可转债',
  leasing: 'Leasing 融资租赁',
  guarantee: 'Guarantee 融资担保',
};

export const QUALIFICATION = {
  little_giant: 'Little Giant 专精特新小巨人',
  srdi_sme: 'SRDI SME 专精特新中小企业',
  single_champion_national: 'Single-item champion 单项冠军 (national)',
  single_champion_municipal: 'Single-item champion 单项冠军 (municipal)',
  high_tech: 'High-tech enterprise 高新技术企业',
  innovative_sme: 'Innovative SME 创新型中小企业',
};

export const DOCUMENT_KIND = {
  business_license: 'Business licence 营业执照',
  articles_of_association: 'Articles of association 公司章程',
  financial_statements: 'Financial statements 财务报表',
  audit_report: 'Audit report 审计报告',
  tax_records: 'Tax records 纳税记录',
  bank_statements: 'Bank statements 银行流水',
  credit_report: 'Credit report 征信报告',
  qualification_certificates: 'Qualification certificates 资质证书',
  ip_certificates: 'IP certificates 知识产权证书',
  contracts_invoices: 'Contracts and invoices 合同发票',
  collateral_documents: 'Collateral documents 抵押物材料',
  business_plan: 'Business plan 商业计划书',
  cap_table: 'Cap table 股权结构',
  other: 'Other 其他',
};

export const EVENT = {
  'application.submitted': 'Application submitted 申请已提交',
  'application.screened': 'Screened 资格审查完成',
  'application.matched': 'Matched with institutions 已匹配机构',
  'application.no_match': 'No match 未匹配',
  'application.withdrawn': 'Withdrawn 已撤回',
  'application.expired': 'Expired 已过期',
  'application.closed': 'Closed 已完成',
  'application.rejected': 'Rejected 已拒绝',
  'deal.proposed': 'Deal proposed 推荐给机构',
  'deal.interest_expressed': 'Interest expressed 机构有意向',
  'deal.declined': 'Declined 机构婉拒',
  'deal.expired': 'Deal expired 已过期',
  'deal.documents_requested': 'Documents requested 补充材料',
  'deal.documents_submitted': 'Documents submitted 材料已提交',
  'deal.term_sheet_issued': 'Term sheet issued 条款书',
  'deal.selected': 'Offer accepted 已选定',
  'deal.not_selected': 'Not selected 未选定',
  'deal.closed': 'Deal closed 已完成',
  'deal.document_downloaded': 'Document downloaded 材料已下载',
};

export const label = (table, key) => table[key] ?? key;

/** A status badge; the class colours it by how the status reads to the user. */
export function badge(table, status) {
  const tone = {
    rejected: 'bad', declined: 'bad', expired: 'bad', no_match: 'bad', withdrawn: 'muted', not_selected: 'muted',
    closed: 'good', accepted: 'good', selected: 'good', offers_ready: 'good', term_sheet_issued: 'good',
    documents_requested: 'warn',
  }[status] ?? 'info';
  return h('span', { class: `badge ${tone}`, 'data-status': status }, label(table, status));
}

// ---------- formatting ----------

const cny = new Intl.NumberFormat('en-US', { maximumFractionDigits: 0 });
/** A file size as people read it: B, KiB, MiB. */
export function formatBytes(bytes) {
  if (bytes < 1024) return `${bytes} B`;
  if (bytes < 1048576) return `${(bytes / 1024).toFixed(1)} KiB`;
  return `${(bytes / 1048576).toFixed(1)} MiB`;
}

export const formatCny = (amount) => (typeof amount === 'number' ? `¥${cny.format(amount)}` : '—');
export const formatBps = (bps) => (typeof bps === 'number' ? `${(bps / 100).toFixed(2)}% (${bps} bps)` : '—');
export const formatTime = (iso) => (iso ? new Date(iso).toLocaleString('en-GB', { dateStyle: 'medium', timeStyle: 'short' }) : '—');
export const formatClock = (iso) => (iso ? new Date(iso).toLocaleTimeString('en-GB') : '—');

export function formatRelative(iso) {
  if (!iso) return '—';
  const ms = new Date(iso).getTime() - Date.now();
  const abs = Math.abs(ms);
  const text = abs < 3_600_000 ? `${Math.round(abs / 60_000)} min` : abs < 172_800_000 ? `${Math.round(abs / 3_600_000)} h` : `${Math.round(abs / 86_400_000)} days`;
  return ms >= 0 ? `in ${text}` : `${text} ago`;
}

// ---------- messages ----------

/** Shows a message in the page's banner; errors stay until dismissed or replaced. */
export function notify(text, tone = 'info') {
  const banner = document.getElementById('banner');
  if (!banner) return;
  banner.replaceChildren(h('p', { class: `message ${tone}`, role: tone === 'error' ? 'alert' : 'status' },
    h('span', {}, text), h('button', { class: 'link', type: 'button', onclick: () => banner.replaceChildren() }, 'Dismiss')));
  if (tone !== 'error') setTimeout(() => banner.firstChild?.textContent?.startsWith(text) && banner.replaceChildren(), 5000);
}

/** Runs a form action with its button busy; failures go to the banner (and next to the form). */
export async function act(button, work, where) {
  button.disabled = true;
  where?.replaceChildren();
  try {
    await work();
  } catch (error) {
    notify(error.message, 'error');
    where?.replaceChildren(h('p', { class: 'message error inline' }, error.message));
  } finally {
    button.disabled = false;
  }
}

/** Calls `tick` now and every `ms` while the page is visible; a failing tick shows its error once. */
export function poll(tick, ms) {
  let lastError = null;
  const run = async () => {
    if (document.hidden) return;
    try {
      await tick();
      lastError = null;
    } catch (error) {
      if (error.message !== lastError) notify(error.message, 'error');
      lastError = error.message;
    }
  };
  void run();
  return setInterval(run, ms);
}

// ---------- sign-in bar ----------

const ROLE_NAME = { enterprise: 'Enterprise 企业', institution: 'Institution 金融机构', ops: 'Ops 运营' };

/**
 * The sign-in bar, above the banner, for a page that needs `role`: who is signed in, a picker of
 * the local seed's principals (`GET /dev/tokens`, development only) and a box to paste a JWT.
 * Calls `onChange` when the token changes.
 */
export function signInBar(role, onChange) {
  const root = h('div', { id: 'signin', class: 'signin' });
  document.getElementById('banner')?.before(root);
  const render = async (open) => {
    const token = tokenFor(role);
    const claims = token ? claimsOf(token) : null;
    const expired = claims?.exp && claims.exp * 1000 < Date.now();
    const who = claims
      ? h('span', { class: 'who' }, h('strong', {}, ROLE_NAME[role]), ' ', claims.org ?? claims.sub,
        claims.exp ? h('span', { class: expired ? 'expired' : 'muted' }, expired ? ' · token expired' : ` · token expires ${formatRelative(new Date(claims.exp * 1000).toISOString())}`) : null)
      : h('span', { class: 'who' }, `Not signed in as ${ROLE_NAME[role]}`);
    const toggle = h('button', { type: 'button', class: 'secondary', onclick: () => render(!open) }, open ? 'Close' : claims ? 'Switch' : 'Sign in');
    const children = [h('div', { class: 'signin-row' }, who, toggle,
      claims ? h('button', { type: 'button', class: 'link', onclick: () => { forgetToken(role); onChange(); void render(false); } }, 'Sign out') : null)];
    if (open || !claims || expired) children.push(await chooser(role, () => { onChange(); void render(false); }));
    root.replaceChildren(...children);
  };
  void render(false);
}

async function chooser(role, chosen) {
  const box = h('div', { class: 'chooser' });
  const dev = await devTokens();
  const mine = dev?.principals.filter((p) => p.role === role) ?? [];
  if (mine.length > 0) {
    box.append(h('div', {}, h('h3', {}, 'Local seed principals (development only)'),
      h('ul', { class: 'principals' }, mine.map((p) => h('li', {},
        h('button', { type: 'button', class: 'principal', 'data-org': p.org ?? 'ops', onclick: () => { saveToken(p.token); chosen(); } },
          h('strong', {}, p.name), p.demo ? h('span', { class: 'badge info' }, 'demo') : null,
          h('span', { class: 'muted' }, ` ${p.org ?? ''} ${p.note}`)))))));
  } else if (dev) {
    box.append(h('p', { class: 'muted' }, `No ${role} in the database yet: run npm run seed, or paste a token.`));
  }
  const input = h('textarea', { rows: 2, placeholder: 'eyJhbGciOiJIUzI1NiIs…', 'aria-label': 'JWT', name: 'jwt' });
  const problem = h('div');
  box.append(h('form', { class: 'paste', onsubmit: (event) => {
    event.preventDefault();
    try {
      const saved = saveToken(input.value);
      if (saved !== role) problem.replaceChildren(h('p', { class: 'message warn inline' }, `Saved as a ${saved} token; this page needs ${role}. Open the ${saved} page to use it.`));
      else chosen();
    } catch (error) {
      problem.replaceChildren(h('p', { class: 'message error inline' }, error.message));
    }
  } }, h('label', {}, 'Or paste a bearer token (npm run token -- --role ', role, role === 'ops' ? '' : ' --org …', ')'), input,
  h('button', { type: 'submit' }, 'Use this token'), problem));
  return box;
}

/**
 * The top every page shares, built here so that the pages (web/pages/) hold only their own content:
 * the header with the site name and the pages, and above the page's title the banner of messages.
 */
export function header(current) {
  const nav = [['enterprise', 'Enterprise 企业'], ['institution', 'Institution 机构'], ['ops', 'Ops 运营'], ['forums', 'Forums 对接会'], ['registries', 'Registries 名录']];
  document.body.prepend(h('header', { class: 'top' },
    h('a', { href: '/', class: 'brand' }, 'dealflow', h('span', {}, ' 产融对接')),
    h('nav', {}, nav.map(([page, text]) => h('a', { href: `/${page}.html`, class: page === current ? 'current' : '' }, text))),
  ));
  document.querySelector('main h1')?.before(h('div', { id: 'banner', class: 'banner', 'aria-live': 'polite' }));
}

/** Named fields of a form as an object of trimmed strings. */
export function fields(form) {
  return Object.fromEntries([...new FormData(form).entries()].map(([k, v]) => [k, typeof v === 'string' ? v.trim() : v]));
}

/** An integer from a form field, or undefined when empty; leaves the validation to the API. */
export function int(value) {
  if (value === undefined || value === '') return undefined;
  const n = Number(String(value).replace(/[,_\s]/g, ''));
  return Number.isFinite(n) ? n : value;
}
