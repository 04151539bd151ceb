// The institution's page: the inbox of matched deals (filter by status) and one deal at a time
// with the enterprise's profile, its request, the match score and reasons, and the decisions.
import { call, downloadFile, tokenFor } from './api.js';
import {
  act, badge, DEAL_STATUS, DOCUMENT_KIND, fields, formatBps, formatBytes, formatCny, formatRelative, formatTime, h, header,
  INSTRUMENT, int, label, notify, poll, QUALIFICATION, signInBar,
} from './app.js';

const ROLE = 'institution';
const POLL_MS = 3000;
const inbox = document.getElementById('inbox');
const panel = document.getElementById('deal');
const filter = document.getElementById('status-filter');
let selected = null;
let shownVersion = null;

/** Which decisions each deal status allows (domain/dealLifecycle.ts); the API has the last word (409). */
const ALLOWED_FROM = {
  express_interest: ['proposed'],
  request_documents: ['interested', 'documents_requested', 'under_review'],
  issue_term_sheet: ['interested', 'under_review'],
  decline: ['proposed', 'interested', 'documents_requested', 'under_review'],
  confirm_close: ['selected'],
};

header('institution');
filter.append(h('option', { value: '' }, 'All statuses 全部'), Object.entries(DEAL_STATUS).map(([value, text]) => h('option', { value }, text)));
filter.addEventListener('change', () => void refresh());
signInBar(ROLE, () => {
  selected = null;
  shownVersion = null;
  panel.replaceChildren();
  void refresh();
});
poll(refresh, POLL_MS);

async function refresh() {
  if (!tokenFor(ROLE)) {
    inbox.replaceChildren(h('p', { class: 'muted' }, 'Sign in as an institution to see its inbox.'));
    return;
  }
  const status = filter.value;
  const { body } = await call(ROLE, 'GET', `/v1/deals?limit=100${status ? `&status=${status}` : ''}`);
  const deals = [...body.items].sort((a, b) => b.updatedAt.localeCompare(a.updatedAt));
  inbox.replaceChildren(deals.length === 0
    ? h('p', { class: 'muted' }, status ? `No deals with status ${label(DEAL_STATUS, status)}.` : 'No deals matched to this institution yet.')
    : h('ul', { class: 'inbox' }, deals.map((deal) => h('li', {},
      h('button', { type: 'button', class: `deal-row${deal.dealId === selected ? ' selected' : ''}`, 'data-deal-id': deal.dealId, onclick: () => { selected = deal.dealId; shownVersion = null; void refresh(); } },
        h('span', { class: 'row-main' }, h('strong', {}, deal.enterprise?.name ?? deal.applicationId),
          h('span', { class: 'muted' }, ` ${label(INSTRUMENT, deal.request?.instrument)} · ${formatCny(deal.request?.amountCny)}`)),
        h('span', { class: 'row-side' }, h('span', { class: 'score', title: 'match score' }, String(deal.score)), badge(DEAL_STATUS, deal.status)))))));
  if (selected) await showDeal(selected);
}

async function showDeal(dealId) {
  const { body: deal } = await call(ROLE, 'GET', `/v1/deals/${dealId}`);
  const version = `${deal.status}:${deal.updatedAt}`;
  if (version === shownVersion) return;
  shownVersion = version;
  panel.replaceChildren(renderDeal(deal));
}

function renderDeal(deal) {
  const e = deal.enterprise;
  const r = deal.request;
  return h('article', { class: 'card deal', 'data-deal-id': deal.dealId, 'data-status': deal.status },
    h('header', { class: 'card-head' },
      h('div', {}, h('h2', {}, e?.name ?? 'Enterprise'), h('p', { class: 'muted' }, deal.dealId, ' · product ', deal.productName ?? deal.productId, ' · proposed ', formatTime(deal.createdAt))),
      badge(DEAL_STATUS, deal.status)),
    deal.deadline ? h('p', { class: 'deadline' }, 'Answer due 截止 ', formatRelative(deal.deadline), h('span', { class: 'muted' }, ` (${formatTime(deal.deadline)})`),
      deal.deadlineProvisional ? h('span', { class: 'muted', title: 'A working day in a year whose holiday notice is not loaded yet: the deadline may move' }, ' · provisional 暂定') : null) : null,
    h('div', { class: 'columns' },
      h('section', {}, h('h3', {}, 'Enterprise profile 企业画像'), e ? profile(e) : h('p', { class: 'muted' }, 'No profile on record.')),
      h('section', {}, h('h3', {}, 'Request 融资需求'), r ? h('dl', { class: 'facts' },
        h('dt', {}, 'Instrument'), h('dd', {}, label(INSTRUMENT, r.instrument)),
        h('dt', {}, 'Amount'), h('dd', {}, formatCny(r.amountCny)),
        h('dt', {}, 'Term'), h('dd', {}, `${r.termMonths} months`),
        h('dt', {}, 'Purpose'), h('dd', {}, r.purpose),
        r.collateral ? [h('dt', {}, 'Collateral'), h('dd', {}, r.collateral)] : null) : null,
      h('h3', {}, 'Match score 匹配分 ', h('span', { class: 'score big' }, String(deal.score))),
      h('ul', { class: 'reasons' }, deal.reasons.map((reason) => h('li', {}, reason.message,
        typeof reason.weight === 'number' ? h('span', { class: 'muted' }, ` +${reason.weight}`) : null))))),
    deal.documentsRequested.length ? h('p', {}, h('strong', {}, 'Documents requested: '), deal.documentsRequested.map((k) => label(DOCUMENT_KIND, k)).join(', ')) : null,
    documentFiles(deal),
    deal.termSheet ? termSheetFacts(deal.termSheet) : null,
    decisions(deal));
}

/** The files the enterprise submitted to this deal, loaded beside the deal; each download is recorded. */
function documentFiles(deal) {
  const section = h('section', { class: 'documents', 'data-deal-id': deal.dealId }, h('h3', {}, 'Documents 尽调材料'), h('p', { class: 'muted' }, 'Loading…'));
  const problem = h('div');
  void call(ROLE, 'GET', `/v1/deals/${deal.dealId}/documents`).then(({ body }) => {
    section.replaceChildren(h('h3', {}, 'Documents 尽调材料'), body.items.length === 0
      ? h('p', { class: 'muted' }, 'No files submitted to this deal yet.')
      : h('table', { class: 'deals files' },
        h('thead', {}, h('tr', {}, ['File 文件', 'Kind 类型', 'Size 大小', 'Submitted 提交', ''].map((t) => h('th', {}, t)))),
        h('tbody', {}, body.items.map((file) => {
          const button = h('button', { type: 'button', class: 'download' }, 'Download 下载');
          button.addEventListener('click', () => act(button, async () => {
            await downloadFile(ROLE, `/v1/deals/${deal.dealId}/documents/${file.fileId}`, file.name);
            notify(`${file.name} downloaded; the enterprise sees the download in its timeline.`, 'good');
          }, problem));
          return h('tr', { 'data-file-id': file.fileId },
            h('td', {}, h('strong', {}, file.name), h('div', { class: 'muted mono', title: 'SHA-256' }, `${file.sha256.slice(0, 16)}…`)),
            h('td', {}, label(DOCUMENT_KIND, file.kind)),
            h('td', { class: 'num' }, formatBytes(file.size)),
            h('td', {}, formatTime(file.submittedAt)),
            h('td', {}, button));
        }))), problem);
  }, (error) => section.replaceChildren(h('h3', {}, 'Documents 尽调材料'), h('p', { class: 'error' }, error.message)));
  return section;
}


function profile(e) {
  return h('div', {},
    h('dl', { class: 'facts' },
      h('dt', {}, 'USCC'), h('dd', { class: 'mono' }, e.uscc),
      h('dt', {}, 'Region 地区'), h('dd', {}, `${e.region} · ${e.city}`),
      h('dt', {}, 'Industry 行业'), h('dd', {}, e.industry, h('span', { class: 'muted' }, ' (GB/T 4754)')),
      h('dt', {}, 'Founded'), h('dd', {}, e.founded),
      h('dt', {}, 'Employees'), h('dd', {}, String(e.employees)),
      h('dt', {}, 'Revenue 营收'), h('dd', {}, formatCny(e.revenueCny)),
      h('dt', {}, 'R&D ratio 研发占比'), h('dd', {}, `${(e.rdRatioBps / 100).toFixed(1)}%`)),
    h('h4', {}, 'Qualifications 资质'),
    e.qualifications.length === 0 ? h('p', { class: 'muted' }, 'None claimed.')
      : h('ul', { class: 'qualifications' }, e.qualifications.map((q) => h('li', {},
        h('strong', {}, label(QUALIFICATION, q.type)), h('div', { class: 'muted' }, `${q.issuer} · No. ${q.certificateNo} · valid ${q.validFrom} to ${q.validTo}`)))));
}

function termSheetFacts(t) {
  return h('section', { class: 'offer' }, h('h3', {}, 'Term sheet 条款书'), h('dl', { class: 'facts' },
    h('dt', {}, 'Amount'), h('dd', {}, formatCny(t.amountCny)),
    t.rateBps !== undefined ? [h('dt', {}, 'Rate'), h('dd', {}, formatBps(t.rateBps))] : null,
    t.valuationCny !== undefined ? [h('dt', {}, 'Valuation'), h('dd', {}, formatCny(t.valuationCny))] : null,
    h('dt', {}, 'Term'), h('dd', {}, `${t.termMonths} months`),
    h('dt', {}, 'Expires'), h('dd', {}, formatTime(t.expiresAt)),
    h('dt', {}, 'Conditions'), h('dd', {}, t.conditions.join('; ') || 'none')));
}

// ---------- decisions ----------

function decisions(deal) {
  const problem = h('div', { class: 'decision-problem' });
  const decide = (button, body, done) => act(button, async () => {
    const answer = await call(ROLE, 'POST', `/v1/deals/${deal.dealId}/decision`, { body });
    notify(answer.status === 202 ? answer.body.message : `${done} — the deal is now ${label(DEAL_STATUS, answer.body.status)}.`, 'good');
    shownVersion = null;
    await refresh();
  }, problem);
  const section = (action, title, ...content) => h('section', { class: 'decision', 'data-action': action, 'data-allowed': String(ALLOWED_FROM[action].includes(deal.status)) },
    h('h4', {}, title), content);
  const form = (action, build, buttonText, done, className = '', ...inputs) => {
    const button = h('button', { type: 'submit', class: className }, buttonText);
    const el = h('form', { class: 'inline-form', onsubmit: (event) => {
      event.preventDefault();
      void decide(button, { action, ...build(fields(el), el) }, done);
    } }, inputs, button);
    return el;
  };
  const note = (f) => (f.reason ? { reason: f.reason } : {});
  const inDays = (days) => new Date(Date.now() + days * 86_400_000).toISOString().slice(0, 10);
  const request = deal.request ?? {};

  const sections = [
    section('express_interest', 'Express interest 表达意向',
      form('express_interest', note, 'Express interest', 'Interest expressed', '', h('input', { name: 'reason', placeholder: 'Note (optional)' }))),
    section('request_documents', 'Request documents 要求补充材料',
      form('request_documents', (f, el) => ({ documents: [...el.querySelectorAll('input[name=kind]:checked')].map((c) => c.value), ...note(f) }),
        'Request documents', 'Documents requested', '',
        h('div', { class: 'kinds' }, Object.entries(DOCUMENT_KIND).map(([value, text]) => h('label', { class: 'check' }, h('input', { type: 'checkbox', name: 'kind', value }), text))),
        h('input', { name: 'reason', placeholder: 'Note (optional)' }))),
    section('issue_term_sheet', 'Issue term sheet 出具条款书',
      form('issue_term_sheet', (f) => ({
        termSheet: {
          amountCny: int(f.amountCny),
          ...(f.rateBps !== '' ? { rateBps: int(f.rateBps) } : {}),
          ...(f.valuationCny !== '' ? { valuationCny: int(f.valuationCny) } : {}),
          termMonths: int(f.termMonths),
          conditions: f.conditions.split('\n').map((c) => c.trim()).filter(Boolean),
          expiresAt: f.expiresAt ? new Date(`${f.expiresAt}T23:59:59`).toISOString() : '',
        },
      }), 'Issue term sheet', 'Term sheet issued', '',
      h('div', { class: 'grid-form' },
        h('label', {}, 'Amount (CNY)', h('input', { name: 'amountCny', type: 'number', min: 1, required: true, value: request.amountCny ?? '' })),
        h('label', {}, 'Rate (bps) 利率', h('input', { name: 'rateBps', type: 'number', min: 0, max: 10000, placeholder: '385 = 3.85%' })),
        h('label', {}, 'Valuation (CNY, equity)', h('input', { name: 'valuationCny', type: 'number', min: 1 })),
        h('label', {}, 'Term (months)', h('input', { name: 'termMonths', type: 'number', min: 1, required: true, value: request.termMonths ?? '' })),
        h('label', {}, 'Expires 有效期至', h('input', { name: 'expiresAt', type: 'date', required: true, value: inDays(14) })),
        h('label', { class: 'wide' }, 'Conditions 条件 (one per line)', h('textarea', { name: 'conditions', rows: 2, placeholder: 'Pledge of patents ZL2020…' }))))),
    section('decline', 'Decline 婉拒',
      form('decline', (f) => ({ reason: f.reason }), 'Decline', 'Declined', 'danger', h('input', { name: 'reason', required: true, placeholder: 'Reason (required)' }))),
    section('confirm_close', 'Confirm close 确认放款/完成',
      form('confirm_close', note, 'Confirm close', 'Close confirmed', '', h('input', { name: 'reason', placeholder: 'Note (optional)' }))),
  ];
  // The others stay reachable: the API decides (409), and the status may have moved since this read.
  const now = sections.filter((el) => el.dataset.allowed === 'true');
  const later = sections.filter((el) => el.dataset.allowed !== 'true');
  return h('div', { class: 'decisions' }, h('h3', {}, 'Decision 决策'), problem,
    now.length ? now : h('p', { class: 'muted' }, `No decision is open while the deal is ${label(DEAL_STATUS, deal.status)}.`),
    later.length ? h('details', { class: 'unavailable-actions' },
      h('summary', {}, `Other actions — not available while ${label(DEAL_STATUS, deal.status)}`), later) : null);
}
