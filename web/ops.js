// The ops page: the funnel and stage times from GET /v1/ops/metrics (every 5 s, and shortly after
// each live event), and the live event feed from GET /v1/ops/events read with fetch(), so the
// token goes in the Authorization header.
import { call, streamEvents, tokenFor } from './api.js';
import { APPLICATION_STATUS, EVENT, formatClock, h, header, label, notify, poll, signInBar, svg } from './app.js';

const ROLE = 'ops';
const METRICS_MS = 5000;
const FEED_MAX = 200;
// After an event the projector needs a moment, and the API caches metrics for 2 s.
const AFTER_EVENT_MS = 2200;
const MAIN_PATH = ['submitted', 'screening', 'matching', 'in_due_diligence', 'offers_ready', 'accepted', 'closed'];
const OUTCOMES = ['rejected', 'no_match', 'withdrawn', 'expired'];

const funnelEl = document.getElementById('funnel');
const stagesEl = document.getElementById('stages');
const tilesEl = document.getElementById('tiles');
const institutionsEl = document.getElementById('institutions');
const feedEl = document.getElementById('feed');
const feedState = document.getElementById('feed-state');
let previous = null;
let stream = null;
let soon = null;
let eventCount = 0;

header('ops');
signInBar(ROLE, start);
poll(refreshMetrics, METRICS_MS);
start();

function start() {
  stream?.abort();
  stream = new AbortController();
  previous = null;
  if (!tokenFor(ROLE)) {
    feedState.textContent = 'signed out';
    return;
  }
  void refreshMetrics();
  void streamEvents(ROLE, '/v1/ops/events', {
    event: (event) => {
      eventCount += 1;
      addEvent(event);
      clearTimeout(soon);
      soon = setTimeout(() => void refreshMetrics().catch((error) => notify(error.message, 'error')), AFTER_EVENT_MS);
    },
    reset: (info) => feedEl.prepend(h('li', { class: 'reset' }, info.message)),
    state: (state, detail) => {
      feedState.textContent = { connecting: 'connecting…', live: 'live', retrying: `reconnecting (${detail})`, stopped: 'stopped' }[state];
      feedState.className = `feed-state ${state}`;
      if (state === 'stopped') notify(detail, 'error');
    },
  }, stream.signal);
}

function addEvent(event) {
  feedEl.querySelector('.empty')?.remove();
  feedEl.prepend(h('li', { class: `event ${event.type.split('.')[0]}`, 'data-type': event.type },
    h('time', {}, formatClock(event.occurredAt)),
    h('strong', {}, label(EVENT, event.type)),
    h('span', { class: 'mono' }, event.applicationId),
    h('span', { class: 'muted' }, event.institutionId ? `${event.institutionId} · seq ${event.seq}` : `seq ${event.seq}`)));
  while (feedEl.children.length > FEED_MAX) feedEl.lastChild.remove();
  document.getElementById('feed-count').textContent = `${eventCount} events since this page opened`;
}

async function refreshMetrics() {
  if (!tokenFor(ROLE)) {
    funnelEl.replaceChildren(h('p', { class: 'muted' }, 'Sign in as ops to see the funnel.'));
    return;
  }
  const { body: m } = await call(ROLE, 'GET', '/v1/ops/metrics');
  renderTiles(m);
  renderFunnel(m);
  renderStages(m.stageTimes);
  renderInstitutions(m.institutions);
  previous = m;
}

function renderTiles(m) {
  const tile = (name, value, note) => h('div', { class: 'tile', 'data-tile': name }, h('span', { class: 'value' }, String(value)), h('span', { class: 'name' }, note));
  tilesEl.replaceChildren(
    tile('applications', m.applications, 'applications 申请'),
    tile('open', MAIN_PATH.slice(0, 6).reduce((sum, s) => sum + (m.funnel.all.byStatus[s] ?? 0), 0), 'open now 进行中'),
    tile('closed', m.funnel.all.byStatus.closed ?? 0, 'closed 已完成'),
    tile('events', m.counters.eventsSeen, 'events projected'),
    tile('gaps', m.counters.gaps, 'seq gaps'));
  renderFreshness(m);
}

/** Whether the numbers are current: the projection may run behind the event stream under load. */
function renderFreshness(m) {
  const generated = document.getElementById('generated');
  const behind = m.projectionLagEvents > 0;
  generated.replaceChildren(
    `metrics as of ${formatClock(m.generatedAt)} `,
    behind
      ? h('span', { class: 'badge warn', 'data-freshness': 'behind' },
        `${m.projectionLagEvents} events behind${m.asOf ? `, complete up to ${formatClock(m.asOf)}` : ''}`)
      : h('span', { class: 'badge', 'data-freshness': 'current' }, 'up to date'));
}

/** Horizontal bars: how many applications ever reached each step, and how many are there now. */
function renderFunnel(m) {
  const reached = m.funnel.reached;
  const now = m.funnel.all.byStatus;
  const max = Math.max(1, ...Object.values(reached));
  const row = (status) => {
    const changed = previous && previous.funnel.reached[status] !== reached[status];
    const bar = h('span', { class: `bar${OUTCOMES.includes(status) ? ' outcome' : ''}` });
    bar.style.width = `${(100 * (reached[status] ?? 0)) / max}%`;
    return h('tr', { class: changed ? 'changed' : '', 'data-status': status },
      h('th', {}, label(APPLICATION_STATUS, status)),
      h('td', { class: 'track' }, bar),
      h('td', { class: 'num reached', title: 'ever reached' }, String(reached[status] ?? 0)),
      h('td', { class: 'num now', title: 'there now' }, String(now[status] ?? 0)));
  };
  funnelEl.replaceChildren(h('table', { class: 'funnel' },
    h('thead', {}, h('tr', {}, h('th', {}, 'Stage 阶段'), h('th', {}, ''), h('th', { class: 'num' }, 'Reached'), h('th', { class: 'num' }, 'Now'))),
    h('tbody', {}, MAIN_PATH.map(row)),
    h('tbody', { class: 'outcomes' }, OUTCOMES.map(row))));
}

/** Median time in each stage as inline SVG bars. */
function renderStages(stageTimes) {
  const rows = stageTimes.filter((s) => s.samples > 0);
  if (rows.length === 0) {
    stagesEl.replaceChildren(h('p', { class: 'muted' }, 'No application has left a stage yet.'));
    return;
  }
  const max = Math.max(1, ...rows.map((s) => s.medianMs ?? 0));
  const rowH = 26;
  const labelW = 170;
  const chartW = 300;
  const chart = svg('svg', { viewBox: `0 0 ${labelW + chartW + 120} ${rows.length * rowH + 6}`, role: 'img', class: 'stages-chart', 'aria-label': 'median time in stage' });
  rows.forEach((s, i) => {
    const y = i * rowH + 4;
    const w = Math.max(2, (chartW * (s.medianMs ?? 0)) / max);
    chart.append(
      svg('text', { x: labelW - 8, y: y + 15, 'text-anchor': 'end', class: 'label' }, label(APPLICATION_STATUS, s.stage)),
      svg('rect', { x: labelW, y, width: w, height: rowH - 8, rx: 3, class: 'bar' }),
      svg('text', { x: labelW + w + 6, y: y + 15, class: 'value' }, `${s.median ?? '—'}  (n=${s.samples})`));
  });
  stagesEl.replaceChildren(chart);
}

function renderInstitutions(institutions) {
  if (institutions.length === 0) {
    institutionsEl.replaceChildren(h('p', { class: 'muted' }, 'No deals proposed yet.'));
    return;
  }
  const rows = [...institutions].sort((a, b) => b.proposed - a.proposed).slice(0, 15);
  institutionsEl.replaceChildren(h('table', { class: 'compact' },
    h('thead', {}, h('tr', {}, ['Institution', 'Proposed', 'Responded', 'Expired', 'Response rate'].map((t) => h('th', {}, t)))),
    h('tbody', {}, rows.map((r) => h('tr', {},
      h('td', {}, r.institutionId), h('td', { class: 'num' }, String(r.proposed)), h('td', { class: 'num' }, String(r.responded)),
      h('td', { class: 'num' }, String(r.expired)), h('td', { class: 'num' }, r.responseRate === null ? '—' : `${Math.round(r.responseRate * 100)}%`))))));
}
