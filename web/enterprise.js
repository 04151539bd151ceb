// The enterprise's page: apply, follow each application's status, answer document requests,
// accept a term sheet, withdraw. Polls every 2.5 s; a card is redrawn only when its application
// changed, so a half-filled form is not wiped by a poll.
import { call, tokenFor, uploadFile } from './api.js';
import {
  act, APPLICATION_STATUS, badge, DEAL_STATUS, DOCUMENT_KIND, EVENT, fields, formatBps, formatBytes, formatCny, formatRelative,
  formatTime, h, header, INSTRUMENT, int, label, notify, OPEN_APPLICATION, poll, signInBar,
} from './app.js';

const ROLE = 'enterprise';
/** What an explanation's outcome means to the enterprise. */
const OUTCOME = {
  proposed: 'Proposed 已推荐',
  waiting: 'Next in line 候补',
  same_institution: 'Same institution 同一机构已有对接',
  no_capacity: 'Institution at capacity 机构额度已满',
  excluded: 'Not eligible 不符合条件',
};
const OUTCOME_TONE = { proposed: 'good', waiting: 'info', same_institution: 'warn', no_capacity: 'warn', excluded: 'bad' };
const POLL_MS = 2500;
const list = document.getElementById('applications');
const cards = new Map();

header('enterprise');
signInBar(ROLE, () => {
  cards.clear();
  list.replaceChildren();
  void refresh();
});
renderApplyForm();
poll(refresh, POLL_MS);

async function refresh() {
  if (!tokenFor(ROLE)) {
    list.replaceChildren(h('p', { class: 'muted' }, 'Sign in as an enterprise to see its applications.'));
    return;
  }
  const { body } = await call(ROLE, 'GET', '/v1/applications?limit=100');
  const items = [...body.items].sort((a, b) => b.createdAt.localeCompare(a.createdAt));
  if (items.length === 0) {
    list.replaceChildren(h('p', { class: 'muted empty' }, 'No applications yet. Submit one above.'));
    cards.clear();
    return;
  }
  list.querySelector('.empty')?.remove();
  items.forEach((application, index) => {
    const version = `${application.status}:${application.updatedAt}:${application.timeline.length}:${application.deals.map((d) => d.updatedAt).join()}`;
    let entry = cards.get(application.applicationId);
    if (!entry || entry.version !== version) {
      const card = renderApplication(application, entry?.card);
      if (entry) entry.card.replaceWith(card);
      entry = { version, card };
      cards.set(application.applicationId, entry);
    }
    if (list.children[index] !== entry.card) list.insertBefore(entry.card, list.children[index] ?? null);
  });
}

// ---------- new application ----------

function renderApplyForm() {
  const problem = h('div');
  const submit = h('button', { type: 'submit' }, 'Submit application 提交申请');
  const form = h('form', { id: 'apply', class: 'grid-form', onsubmit: (event) => {
    event.preventDefault();
    void act(submit, async () => {
      const f = fields(form);
      const body = {
        instrument: f.instrument,
        amountCny: int(f.amountCny),
        termMonths: int(f.termMonths),
        purpose: f.purpose,
        ...(f.collateral ? { collateral: f.collateral } : {}),
        ...(f.forumId || f.meetingId ? { source: { forumId: f.forumId, meetingId: f.meetingId } } : {}),
      };
      // One key per submit: a retried request of this submit would be answered with the same application.
      const { body: accepted } = await call(ROLE, 'POST', '/v1/applications', { body, headers: { 'idempotency-key': crypto.randomUUID() } });
      notify(`Application ${accepted.applicationId} submitted: ${label(APPLICATION_STATUS, accepted.status)}. Screening and matching run now.`, 'good');
      form.reset();
      await refresh();
    }, problem);
  } },
  h('label', {}, 'Instrument 融资方式', h('select', { name: 'instrument', required: true },
    Object.entries(INSTRUMENT).map(([value, text]) => h('option', { value }, text)))),
  h('label', {}, 'Amount 金额 (CNY)', h('input', { name: 'amountCny', type: 'number', min: 1, step: 1, required: true, placeholder: '5000000' })),
  h('label', {}, 'Term 期限 (months)', h('input', { name: 'termMonths', type: 'number', min: 1, max: 600, step: 1, required: true, placeholder: '24' })),
  h('label', { class: 'wide' }, 'Purpose 资金用途', h('textarea', { name: 'purpose', rows: 2, required: true, placeholder: 'e.g. a new precision machining line' })),
  h('label', { class: 'wide' }, 'Collateral 担保/抵押 (optional)', h('input', { name: 'collateral', placeholder: 'e.g. two invention patents' })),
  h('label', {}, 'Forum 对接会 (optional: after a meeting)', h('input', { name: 'forumId', placeholder: 'forum id' })),
  h('label', {}, 'Meeting 会谈 (its follow-up was "apply")', h('input', { name: 'meetingId', placeholder: 'meeting id' })),
  h('div', { class: 'wide actions' }, submit), h('div', { class: 'wide' }, problem));
  document.getElementById('apply-panel').append(form);
}

// ---------- one application ----------

/** Names, not ids: deals carry them; a deal recorded before names were kept shows its ids. */
const institutionOf = (deal) => deal.institutionName ?? deal.institutionId;
const productOf = (deal) => deal.productName ?? deal.productId;

function renderApplication(app, previous) {
  // Keep what the user had open across redraws.
  const wasOpen = new Set([...(previous?.querySelectorAll('details[open]') ?? [])].map((d) => d.dataset.key));
  const keep = (el) => {
    if (wasOpen.has(el.dataset.key)) el.open = true;
    return el;
  };
  const open = OPEN_APPLICATION.includes(app.status);
  const offers = app.deals.filter((d) => d.termSheet);
  const screening = app.screening;
  return h('article', { class: 'card application', 'data-application-id': app.applicationId, 'data-status': app.status },
    h('header', { class: 'card-head' },
      h('div', {}, h('h3', {}, label(INSTRUMENT, app.request.instrument), ' · ', formatCny(app.request.amountCny), ' · ', `${app.request.termMonths} months`),
        h('p', { class: 'muted' }, app.applicationId, ' · submitted ', formatTime(app.createdAt), ' · updated ', formatRelative(app.updatedAt))),
      badge(APPLICATION_STATUS, app.status)),
    app.source ? h('p', { class: 'muted source' }, `Follows up meeting ${app.source.meetingId} at forum ${app.source.forumId}: that institution is proposed first when eligible.`) : null,
    h('p', {}, app.request.purpose, app.request.collateral ? h('span', { class: 'muted' }, ` — collateral: ${app.request.collateral}`) : null),
    screening && !screening.eligible
      ? h('div', { class: 'message error inline' }, h('strong', {}, 'Not eligible: '), screening.reasons.map((r) => r.message).join('; '))
      : null,
    statusTimeline(app),
    app.deals.length > 0 ? dealsTable(app) : h('p', { class: 'muted' }, open ? 'No deals yet: matching with institutions…' : 'No deals.'),
    offers.length > 0 ? h('section', {}, h('h4', {}, 'Offers — term sheets 条款书'), offers.map((deal) => offerCard(app, deal))) : null,
    app.deals.filter((d) => d.status === 'documents_requested').map((deal) => keep(documentsForm(app, deal))),
    keep(h('details', { 'data-key': 'timeline' }, h('summary', {}, `Timeline 进度 (${app.timeline.length} events)`),
      h('ol', { class: 'timeline' }, app.timeline.map((event) => h('li', {},
        h('time', {}, formatTime(event.occurredAt)), ' ', h('strong', {}, label(EVENT, event.type)),
        event.dealId ? h('span', { class: 'muted' }, ` · ${eventParty(app, event)}`) : null,
        eventDetail(app, event)))))),
    app.timeline.some((event) => event.type === 'application.matched') ? keep(explanationPanel(app)) : null,
    open ? keep(withdrawForm(app)) : null);
}

/** The main path of the lifecycle with the current step marked. */
function statusTimeline(app) {
  const path = ['submitted', 'screening', 'matching', 'in_due_diligence', 'offers_ready', 'accepted', 'closed'];
  const reached = new Set(app.timeline.map((e) => ({
    'application.submitted': 'submitted', 'application.screened': 'screening', 'application.matched': 'matching',
    'deal.proposed': 'in_due_diligence', 'deal.term_sheet_issued': 'offers_ready', 'deal.selected': 'accepted', 'application.closed': 'closed',
  })[e.type]).filter(Boolean));
  reached.add(app.status);
  const offPath = !path.includes(app.status);
  return h('ol', { class: 'steps', 'aria-label': 'status' },
    path.map((status) => h('li', { class: status === app.status ? 'current' : reached.has(status) ? 'done' : '' }, label(APPLICATION_STATUS, status))),
    offPath ? h('li', { class: 'current off' }, label(APPLICATION_STATUS, app.status)) : null);
}

function eventParty(app, event) {
  const deal = app.deals.find((d) => d.dealId === event.dealId);
  return deal ? `${institutionOf(deal)} · ${productOf(deal)}` : `${event.institutionId ?? ''} ${event.dealId}`;
}

/**
 * "Why these institutions, why not others": loaded when opened (and again on each redraw while
 * open), from what was pinned when the application was ranked.
 */
function explanationPanel(app) {
  const body = h('div', {}, h('p', { class: 'muted' }, 'Loading…'));
  const panel = h('details', { class: 'explanation', 'data-key': 'explanation' },
    h('summary', {}, 'Why these institutions, why not others 匹配说明'), body);
  panel.addEventListener('toggle', () => {
    if (!panel.open) return;
    void call(ROLE, 'GET', `/v1/applications/${app.applicationId}/explanation`)
      .then(({ body: explanation }) => body.replaceChildren(explanationTable(explanation)))
      .catch((error) => body.replaceChildren(h('p', { class: 'message error inline' }, error.message)));
  });
  return panel;
}

function explanationTable(explanation) {
  return h('div', {},
    h('p', { class: 'muted' }, `Ranked ${formatTime(explanation.rankedAt)} with matching rules ${explanation.rulesVersion}. `,
      'At most one open deal per institution: a second product of the same institution waits until the first deal ends.'),
    h('table', { class: 'deals explanation-table' },
      h('thead', {}, h('tr', {}, ['Institution 机构', 'Outcome 结果', 'Score 匹配分', 'Why 原因'].map((t) => h('th', {}, t)))),
      h('tbody', {}, explanation.candidates.map((c) => h('tr', { 'data-product-id': c.productId, 'data-outcome': c.outcome },
        h('td', {}, h('strong', {}, c.institutionName), h('div', { class: 'muted' }, c.productName)),
        h('td', {}, h('span', { class: `badge ${OUTCOME_TONE[c.outcome] ?? 'info'}` }, OUTCOME[c.outcome] ?? c.outcome)),
        h('td', { class: 'num' }, h('span', { class: 'score' }, String(c.score))),
        h('td', {}, c.exclusions.length > 0
          ? h('ul', { class: 'reasons exclusions' }, c.exclusions.map((x) => h('li', {}, x.message)))
          : h('ul', { class: 'reasons' }, c.reasons.map((r) => h('li', {}, r.message, typeof r.weight === 'number' ? h('span', { class: 'muted' }, ` +${r.weight}`) : null)))))))));
}

function eventDetail(app, event) {
  const d = event.data ?? {};
  if (event.type === 'application.screened') return h('span', { class: 'muted' }, ` — ${d.eligible ? 'eligible' : 'not eligible'}`);
  if (event.type === 'application.matched') return h('span', { class: 'muted' }, ` — ${d.candidates?.length ?? 0} candidate products`);
  if (event.type === 'deal.documents_requested') return h('span', { class: 'muted' }, ` — ${d.documents.map((k) => label(DOCUMENT_KIND, k)).join(', ')}`);
  if (event.type === 'deal.document_downloaded') {
    const deal = app.deals.find((x) => x.dealId === event.dealId);
    const who = d.by?.role === 'ops' ? 'dealflow ops' : deal ? institutionOf(deal) : event.institutionId;
    return h('span', { class: 'muted downloaded' }, ` — ${who} downloaded your ${d.kind ? label(DOCUMENT_KIND, d.kind).toLowerCase() : 'file'}${d.name ? ` (${d.name})` : ''}`);
  }
  if (d.reason) return h('span', { class: 'muted' }, ` — ${d.reason}`);
  return null;
}

function dealsTable(app) {
  return h('table', { class: 'deals' },
    h('thead', {}, h('tr', {}, ['Institution 机构', 'Status 状态', 'Score 匹配分', 'Why matched 匹配理由', 'Deadline 截止', 'Documents requested'].map((t) => h('th', {}, t)))),
    h('tbody', {}, app.deals.map((deal) => h('tr', { 'data-deal-id': deal.dealId, 'data-status': deal.status },
      h('td', {}, h('strong', {}, institutionOf(deal)), h('div', { class: 'muted' }, productOf(deal))),
      h('td', {}, badge(DEAL_STATUS, deal.status)),
      h('td', { class: 'num' }, h('span', { class: 'score' }, String(deal.score))),
      h('td', {}, h('ul', { class: 'reasons' }, deal.reasons.map((r) => h('li', {}, r.message, typeof r.weight === 'number' ? h('span', { class: 'muted' }, ` +${r.weight}`) : null)))),
      h('td', {}, deal.deadline ? h('span', { title: formatTime(deal.deadline) }, formatRelative(deal.deadline), provisionalMark(deal)) : '—'),
      h('td', {}, deal.documentsRequested.length ? deal.documentsRequested.map((k) => label(DOCUMENT_KIND, k)).join(', ') : '—')))));
}

function offerCard(app, deal) {
  const t = deal.termSheet;
  const problem = h('div');
  const accept = h('button', { type: 'button', class: 'accept' }, 'Accept this offer 接受');
  accept.addEventListener('click', () => act(accept, async () => {
    await call(ROLE, 'POST', `/v1/applications/${app.applicationId}/offers/${deal.dealId}/accept`);
    notify(`Offer of ${institutionOf(deal)} accepted; the other offers are released.`, 'good');
    await refresh();
  }, problem));
  return h('div', { class: 'offer', 'data-deal-id': deal.dealId },
    h('div', { class: 'offer-head' }, h('strong', {}, institutionOf(deal)), h('span', { class: 'muted' }, ` ${productOf(deal)}`), ' ', badge(DEAL_STATUS, deal.status)),
    h('dl', { class: 'facts' },
      h('dt', {}, 'Amount'), h('dd', {}, formatCny(t.amountCny)),
      t.rateBps !== undefined ? [h('dt', {}, 'Rate 利率'), h('dd', {}, formatBps(t.rateBps))] : null,
      t.valuationCny !== undefined ? [h('dt', {}, 'Valuation 估值'), h('dd', {}, formatCny(t.valuationCny))] : null,
      h('dt', {}, 'Term'), h('dd', {}, `${t.termMonths} months`),
      h('dt', {}, 'Expires'), h('dd', {}, formatTime(t.expiresAt), ' (', formatRelative(t.expiresAt), ')'),
      h('dt', {}, 'Conditions'), h('dd', {}, t.conditions.length ? h('ul', {}, t.conditions.map((c) => h('li', {}, c))) : 'none')),
    deal.status === 'term_sheet_issued' && app.status === 'offers_ready' ? accept : null, problem);
}

function documentsForm(app, deal) {
  const problem = h('div');
  const submit = h('button', { type: 'submit' }, 'Submit documents 提交材料');
  const uploaded = new Map();
  const rows = deal.documentsRequested.map((kind) => {
    const file = h('input', { type: 'file', name: `file-${kind}`, accept: '.pdf,.png,.jpg,.jpeg,.docx,.xlsx', 'aria-label': `file for ${kind}` });
    const progress = h('progress', { max: 100, value: 0, hidden: true });
    const status = h('span', { class: 'muted upload-status' });
    file.addEventListener('change', async () => {
      const chosen = file.files?.[0];
      uploaded.delete(kind);
      if (!chosen) return;
      // The file goes to the API as it is; the API checks its type and size and keeps it encrypted.
      progress.hidden = false;
      status.textContent = ` uploading ${chosen.name}…`;
      try {
        const stored = await uploadFile(ROLE, `/v1/applications/${app.applicationId}/files`, chosen,
          { 'x-document-kind': kind, 'x-file-name': encodeURIComponent(chosen.name) },
          (sent, total) => { progress.value = total > 0 ? Math.round((sent / total) * 100) : 0; });
        progress.value = 100;
        uploaded.set(kind, stored);
        status.textContent = ` ${stored.name} — ${formatBytes(stored.size)}, uploaded ✓`;
      } catch (error) {
        progress.hidden = true;
        status.textContent = ` ${error.message}`;
        status.className = 'error upload-status';
      }
    });
    return h('fieldset', { class: 'document', 'data-kind': kind }, h('legend', {}, label(DOCUMENT_KIND, kind)), file, progress, status);
  });
  const form = h('form', { onsubmit: (event) => {
    event.preventDefault();
    void act(submit, async () => {
      const missing = deal.documentsRequested.filter((kind) => !uploaded.has(kind));
      if (missing.length > 0) throw new Error(`Choose a file for ${missing.map((k) => label(DOCUMENT_KIND, k)).join(', ')} first.`);
      const documents = deal.documentsRequested.map((kind) => ({ kind, fileId: uploaded.get(kind).fileId }));
      await call(ROLE, 'POST', `/v1/applications/${app.applicationId}/documents`, { body: { dealId: deal.dealId, documents } });
      notify(`Documents sent to ${institutionOf(deal)}; the deal is under review.`, 'good');
      await refresh();
    }, problem);
  } }, h('p', { class: 'muted' }, 'PDF, PNG, JPEG, DOCX or XLSX, at most 20 MiB each; files are stored encrypted and only this institution can download them.'), rows, submit, problem);
  return h('details', { class: 'request', open: true, 'data-key': `docs-${deal.dealId}` },
    h('summary', {}, `${institutionOf(deal)} requests documents 补充材料`, deal.deadline ? ` — due ${formatRelative(deal.deadline)}` : ''), form);
}


function withdrawForm(app) {
  const problem = h('div');
  const submit = h('button', { type: 'submit', class: 'danger' }, 'Withdraw 撤回申请');
  const form = h('form', { class: 'inline-form', onsubmit: (event) => {
    event.preventDefault();
    void act(submit, async () => {
      await call(ROLE, 'POST', `/v1/applications/${app.applicationId}/withdraw`, { body: { reason: fields(form).reason } });
      notify(`Application ${app.applicationId} withdrawn; its open deals are released.`, 'good');
      await refresh();
    }, problem);
  } }, h('input', { name: 'reason', required: true, placeholder: 'Reason 原因, e.g. financed by a shareholder loan' }), submit, problem);
  return h('details', { 'data-key': 'withdraw' }, h('summary', {}, 'Withdraw this application…'), form);
}

/** Marks a deadline that counts a day of a provisional calendar year (deadlineProvisional). */
function provisionalMark(deal) {
  return deal.deadlineProvisional ? h('span', { class: 'muted', title: 'A working day in a year whose holiday notice is not loaded yet: the deadline may move' }, ' (provisional 暂定)') : null;
}
