// The forums page (产融对接会), for every role: ops creates forums and watches the registrations and
// the agenda fill; an enterprise or an institution registers, reads its agenda as a timetable
// (slot × table), confirms or declines each meeting and records the outcome; Print gives the
// participant's agenda on paper (forums.css).
import { call, tokenFor } from './api.js';
import { act, badge, fields, formatCny, formatTime, h, header, INSTRUMENT, int, label, notify, poll, signInBar } from './app.js';

const ROLES = { enterprise: 'Enterprise 企业', institution: 'Institution 机构', ops: 'Ops 运营' };
const role = ROLES[new URLSearchParams(location.search).get('role')] ? new URLSearchParams(location.search).get('role') : 'enterprise';
const POLL_MS = 3000;

const THEME = {
  industrial_services: 'Industrial services 产业服务',
  industrial_finance: 'Industrial finance 产业金融',
  new_industries: 'New industries 新兴产业',
  industrial_ecology: 'Industrial ecology 产业生态',
  industrial_intelligence: 'Industrial intelligence 产业智能',
  general: 'General 综合',
};
const FORUM_STATUS = { open: 'Open 报名中', scheduled: 'Scheduled 已排期', held: 'Held 已举办', cancelled: 'Cancelled 已取消' };
const MEETING_STATUS = { scheduled: 'Scheduled 已安排', confirmed: 'Confirmed 已确认', declined: 'Declined 已婉拒', held: 'Held 已会谈', no_show: 'No show 未到场' };

const list = document.getElementById('forum-list');
const panel = document.getElementById('forum');
const createPanel = document.getElementById('create-panel');
let selected = new URLSearchParams(location.search).get('forum');
let shown = null;

header('forums');
document.getElementById('roles').replaceChildren(...Object.entries(ROLES).map(([key, text]) =>
  h('a', { href: `/forums.html?role=${key}${selected ? `&forum=${encodeURIComponent(selected)}` : ''}`, class: key === role ? 'current' : '' }, text)));
signInBar(role, () => {
  shown = null;
  void refresh();
});
if (role === 'ops') renderCreateForm();
poll(refresh, POLL_MS);

async function refresh() {
  if (!tokenFor(role)) {
    list.replaceChildren(h('p', { class: 'muted' }, `Sign in as ${ROLES[role]} to see the forums.`));
    panel.replaceChildren();
    return;
  }
  const { body } = await call(role, 'GET', '/v1/forums');
  if (!selected && body.items.length > 0) selected = body.items[0].forumId;
  list.replaceChildren(body.items.length === 0
    ? h('p', { class: 'muted' }, role === 'ops' ? 'No forums yet: create one above.' : 'No forums yet.')
    : h('ul', { class: 'forum-list' }, body.items.map((forum) => h('li', {},
      h('button', { type: 'button', class: `forum-row${forum.forumId === selected ? ' selected' : ''}`, 'data-forum-id': forum.forumId, onclick: () => { selected = forum.forumId; shown = null; void refresh(); } },
        h('strong', {}, forum.title), h('span', { class: 'theme' }, label(THEME, forum.theme), ' · ', formatTime(forum.startsAt)),
        h('span', {}, badge(FORUM_STATUS, forum.status), h('span', { class: 'muted small' }, ` ${forum.enterprisesRegistered} enterprises · ${forum.institutionsRegistered} institutions · ${forum.meetings} meetings`)))))));
  if (selected) await showForum(selected);
}

async function showForum(forumId) {
  const [{ body: forum }, { body: agenda }] = await Promise.all([
    call(role, 'GET', `/v1/forums/${encodeURIComponent(forumId)}`),
    call(role, 'GET', `/v1/forums/${encodeURIComponent(forumId)}/agenda`),
  ]);
  const version = JSON.stringify([forum.updatedAt, forum.status, forum.registrations.length, agenda.items.map((m) => [m.meetingId, m.status])]);
  if (version === shown) return;
  shown = version;
  panel.replaceChildren(renderForum(forum, agenda));
}

function renderForum(forum, agenda) {
  const mine = forum.registrations[0];
  return h('article', { class: 'card forum', 'data-forum-id': forum.forumId, 'data-status': forum.status },
    h('header', { class: 'card-head' },
      h('div', {}, h('h2', {}, forum.title), h('p', { class: 'muted' }, label(THEME, forum.theme), ' · ', forum.venue, ' · ', formatTime(forum.startsAt), ' – ', formatTime(forum.endsAt))),
      badge(FORUM_STATUS, forum.status)),
    h('p', { class: 'print-only' }, agendaOwner()),
    h('div', { class: 'counts no-print' },
      h('div', {}, h('strong', {}, String(forum.enterprisesRegistered)), h('span', { class: 'muted small' }, 'enterprises 企业')),
      h('div', {}, h('strong', {}, String(forum.institutionsRegistered)), h('span', { class: 'muted small' }, 'institutions 机构')),
      h('div', {}, h('strong', {}, String(forum.meetings)), h('span', { class: 'muted small' }, 'meetings 会谈')),
      h('div', {}, h('strong', {}, `${forum.tables} × ${forum.slotMinutes} min`), h('span', { class: 'muted small' }, 'tables × slot')),
      forum.status === 'open' ? h('div', {}, h('strong', {}, formatTime(forum.registrationClosesAt)), h('span', { class: 'muted small' }, 'registration closes 报名截止')) : null),
    role === 'ops' ? opsControls(forum) : registration(forum, mine),
    h('div', { class: 'panel-head' }, h('h3', {}, role === 'ops' ? 'Agenda 全部会谈' : 'Your agenda 我的日程'),
      agenda.items.length > 0 ? h('button', { type: 'button', class: 'secondary', onclick: () => window.print() }, 'Print agenda 打印') : null),
    agenda.items.length === 0
      ? h('p', { class: 'muted' }, forum.status === 'open' ? 'Meetings are set when registration closes.' : 'No meetings for you at this forum.')
      : timetable(forum, agenda.items),
    agenda.cut?.length ? h('p', { class: 'muted small' }, `${agenda.cut.length} stable pair(s) did not fit the room (slots × tables) and were cut, lowest scores first.`) : null);
}

function agendaOwner() {
  const token = tokenFor(role);
  try {
    const claims = JSON.parse(atob(token.split('.')[1].replace(/-/g, '+').replace(/_/g, '/')));
    return `Agenda of ${claims.org ?? claims.sub}`;
  } catch {
    return '';
  }
}

/** Rows are the slots, columns the tables; a cell holds the meeting at that table then. */
function timetable(forum, meetings) {
  const slots = Math.floor((Date.parse(forum.endsAt) - Date.parse(forum.startsAt)) / (forum.slotMinutes * 60_000));
  const tablesUsed = role === 'ops' ? Array.from({ length: forum.tables }, (_, i) => i + 1) : [...new Set(meetings.map((m) => m.table))].sort((a, b) => a - b);
  const at = new Map();
  for (const m of meetings) {
    const key = `${m.slot}|${m.table}`;
    // A declined meeting gives its cell to its replacement.
    if (!at.has(key) || at.get(key).status === 'declined') at.set(key, m);
  }
  const time = (slot) => new Date(Date.parse(forum.startsAt) + slot * forum.slotMinutes * 60_000).toLocaleTimeString('en-GB', { hour: '2-digit', minute: '2-digit' });
  return h('table', { class: 'timetable', 'data-testid': 'timetable' },
    h('thead', {}, h('tr', {}, h('th', {}, 'Slot 时段'), tablesUsed.map((t) => h('th', {}, `Table ${t} 桌`)))),
    h('tbody', {}, Array.from({ length: slots }, (_, slot) => h('tr', {},
      h('th', {}, `${time(slot)}–${time(slot + 1)}`),
      tablesUsed.map((t) => {
        const m = at.get(`${slot}|${t}`);
        return m ? meetingCell(forum, m) : h('td', { class: 'empty' });
      })))));
}

function meetingCell(forum, m) {
  const counterpart = role === 'enterprise' ? m.institutionName : role === 'institution' ? m.enterpriseName : null;
  return h('td', { class: `meeting ${m.status}`, 'data-meeting-id': m.meetingId, 'data-status': m.status },
    h('span', { class: 'score', title: 'match score' }, String(m.score)),
    counterpart ? h('span', { class: 'who' }, counterpart) : h('span', { class: 'who' }, m.enterpriseName, ' × ', m.institutionName),
    badge(MEETING_STATUS, m.status),
    m.replaces ? h('span', { class: 'muted small' }, ' (replacement)') : null,
    m.outcome ? h('p', { class: 'small' }, m.outcome.followUp === 'apply' ? 'Follow-up: application 后续申请' : 'No follow-up', m.outcome.note ? ` · ${m.outcome.note}` : '') : null,
    h('ul', { class: 'meeting-reasons' }, m.reasons.slice(0, 2).map((r) => h('li', {}, r.message))),
    role === 'ops' ? null : meetingActions(forum, m));
}

function meetingActions(forum, m) {
  const path = (action) => `/v1/forums/${encodeURIComponent(forum.forumId)}/meetings/${encodeURIComponent(m.meetingId)}/${action}`;
  const send = (action, body) => (event) => act(event.currentTarget, async () => {
    await call(role, 'POST', path(action), body ? { body } : {});
    notify(`Meeting ${action === 'outcome' ? 'outcome recorded' : `${action}ed`}.`, 'good');
    shown = null;
    await refresh();
  });
  const buttons = [];
  if (m.status === 'scheduled') buttons.push(h('button', { type: 'button', class: 'accept', onclick: send('confirm') }, 'Confirm 确认'));
  if (m.status === 'scheduled' || m.status === 'confirmed') buttons.push(h('button', { type: 'button', class: 'danger', onclick: send('decline') }, 'Decline 婉拒'));
  if (m.status === 'confirmed') {
    buttons.push(
      h('button', { type: 'button', onclick: send('outcome', { held: true, followUp: 'apply' }) }, 'Held, apply 已会谈·申请'),
      h('button', { type: 'button', class: 'secondary', onclick: send('outcome', { held: true, followUp: 'none' }) }, 'Held 已会谈'),
      h('button', { type: 'button', class: 'secondary', onclick: send('outcome', { held: false, followUp: 'none' }) }, 'No show 未到场'));
  }
  return buttons.length ? h('div', { class: 'actions' }, buttons) : null;
}

function registration(forum, mine) {
  if (forum.status !== 'open') {
    return h('p', { class: 'muted no-print' }, mine ? 'Registered 已报名.' : 'Registration has closed.');
  }
  const where = h('div');
  const withdraw = mine ? h('button', { type: 'button', class: 'danger', onclick: (event) => act(event.currentTarget, async () => {
    await call(role, 'DELETE', `/v1/forums/${encodeURIComponent(forum.forumId)}/registrations`);
    notify('Registration withdrawn.', 'good');
    shown = null;
    await refresh();
  }, where) }, 'Withdraw 撤回报名') : null;
  const submit = (event) => {
    event.preventDefault();
    const form = event.currentTarget;
    const values = fields(form);
    const body = role === 'enterprise'
      ? { instruments: [...form.querySelectorAll('input[name="instrument"]:checked')].map((i) => i.value), amountCny: int(values.amountCny) }
      : { productIds: String(values.productIds ?? '').split(/[,\s]+/).filter(Boolean), meetingsCapacity: int(values.meetingsCapacity) };
    return act(form.querySelector('button[type="submit"]'), async () => {
      await call(role, 'POST', `/v1/forums/${encodeURIComponent(forum.forumId)}/registrations`, { body });
      notify('Registered 已报名.', 'good');
      shown = null;
      await refresh();
    }, where);
  };
  const inputs = role === 'enterprise'
    ? [h('div', { class: 'wide' }, h('span', { class: 'muted small' }, 'Instruments you look for 融资方式'),
      h('div', { class: 'checks' }, Object.entries(INSTRUMENT).map(([value, text]) => h('label', {},
        h('input', { type: 'checkbox', name: 'instrument', value, checked: mine?.instruments?.includes(value) }), text)))),
      h('label', {}, 'Amount (CNY) 金额', h('input', { name: 'amountCny', inputmode: 'numeric', value: mine?.amountCny ?? '', required: true }))]
    : [h('label', { class: 'wide' }, 'Product ids (comma-separated) 产品', h('input', { name: 'productIds', value: mine?.productIds?.join(', ') ?? '', required: true })),
      h('label', {}, 'Meetings you can take 会谈上限', h('input', { name: 'meetingsCapacity', inputmode: 'numeric', value: mine?.meetingsCapacity ?? 10, required: true }))];
  return h('section', { class: 'registration' },
    h('h3', {}, mine ? 'Your registration 已报名 (send again to change it)' : 'Register 报名'),
    mine && role === 'enterprise' ? h('p', { class: 'muted small' }, mine.instruments.map((i) => label(INSTRUMENT, i)).join(', '), ' · ', formatCny(mine.amountCny)) : null,
    h('form', { class: 'grid-form', onsubmit: submit }, inputs, h('div', { class: 'actions' }, h('button', { type: 'submit' }, mine ? 'Update 更新' : 'Register 报名'), withdraw)),
    where);
}

function opsControls(forum) {
  const where = h('div');
  const post = (path, body, done) => (event) => act(event.currentTarget, async () => {
    await call(role, 'POST', `/v1/forums/${encodeURIComponent(forum.forumId)}/${path}`, body ? { body } : {});
    notify(done, 'good');
    shown = null;
    await refresh();
  }, where);
  return h('section', { class: 'ops-controls' },
    h('div', { class: 'inline-form' },
      forum.status === 'open' ? h('button', { type: 'button', onclick: post('schedule', null, 'Scheduled 已排期.') }, 'Schedule now 立即排期') : null,
      forum.status === 'open' || forum.status === 'scheduled' ? h('button', { type: 'button', class: 'danger', onclick: post('cancel', { reason: 'cancelled by ops' }, 'Forum cancelled.') }, 'Cancel forum 取消') : null),
    where,
    forum.registrations.length === 0 ? h('p', { class: 'muted' }, 'No registrations yet.') : h('details', {},
      h('summary', {}, `Registrations 报名 (${forum.registrations.length})`),
      h('table', { class: 'compact registrations' }, h('tbody', {}, forum.registrations.map((r) => h('tr', {},
        h('td', {}, r.party === 'enterprise' ? 'Enterprise' : 'Institution'),
        h('td', { class: 'mono' }, r.enterpriseUscc ?? r.institutionId),
        h('td', {}, r.party === 'enterprise' ? `${r.instruments.map((i) => label(INSTRUMENT, i)).join(', ')} · ${formatCny(r.amountCny)}` : `${r.productIds.join(', ')} · up to ${r.meetingsCapacity} meetings`),
        h('td', { class: 'muted small' }, formatTime(r.registeredAt))))))));
}

function renderCreateForm() {
  createPanel.hidden = false;
  const where = h('div');
  // Whole hours from now, as a datetime-local field shows them (local time).
  const local = (hoursAhead) => {
    const hour = Math.ceil(Date.now() / 3_600_000) * 3_600_000 + hoursAhead * 3_600_000;
    return new Date(hour - new Date(hour).getTimezoneOffset() * 60_000).toISOString().slice(0, 16);
  };
  const submit = (event) => {
    event.preventDefault();
    const form = event.currentTarget;
    const v = fields(form);
    const iso = (value) => (value ? new Date(value).toISOString() : value);
    const body = {
      title: v.title, theme: v.theme, venue: v.venue, startsAt: iso(v.startsAt), endsAt: iso(v.endsAt),
      slotMinutes: int(v.slotMinutes), tables: int(v.tables), registrationClosesAt: iso(v.registrationClosesAt),
    };
    return act(form.querySelector('button[type="submit"]'), async () => {
      const { body: forum } = await call(role, 'PUT', `/v1/forums/${encodeURIComponent(v.forumId)}`, { body });
      selected = forum.forumId;
      shown = null;
      notify(`Forum ${forum.forumId} created: open for registration.`, 'good');
      await refresh();
    }, where);
  };
  createPanel.replaceChildren(h('h2', {}, 'New forum 新建对接会'),
    h('form', { class: 'grid-form', onsubmit: submit },
      h('label', {}, 'Forum id', h('input', { name: 'forumId', required: true, placeholder: 'yrd-2027-finance' })),
      h('label', {}, 'Title 名称', h('input', { name: 'title', required: true })),
      h('label', {}, 'Theme 主题', h('select', { name: 'theme' }, Object.entries(THEME).map(([value, text]) => h('option', { value }, text)))),
      h('label', {}, 'Venue 地点', h('input', { name: 'venue', required: true })),
      h('label', {}, 'Starts 开始', h('input', { name: 'startsAt', type: 'datetime-local', value: local(72), required: true })),
      h('label', {}, 'Ends 结束', h('input', { name: 'endsAt', type: 'datetime-local', value: local(76), required: true })),
      h('label', {}, 'Registration closes 报名截止', h('input', { name: 'registrationClosesAt', type: 'datetime-local', value: local(48), required: true })),
      h('label', {}, 'Slot minutes 每场分钟', h('input', { name: 'slotMinutes', inputmode: 'numeric', value: 30 })),
      h('label', {}, 'Tables 桌数', h('input', { name: 'tables', inputmode: 'numeric', value: 10 })),
      h('div', { class: 'actions wide' }, h('button', { type: 'submit' }, 'Create 创建'))),
    where);
}
