// The ops page for the recognition registry: uploads a published list (CSV) to
// POST /v1/registries/recognitions/import and shows the report row by row, so ops can correct the
// rows the registry refused and import the list again (rows already on record stay unchanged).
import { ApiError, tokenFor } from './api.js';
import { h, header, notify, signInBar } from './app.js';

const ROLE = 'ops';
const form = document.getElementById('import');
const reportCard = document.getElementById('report-card');
const summaryEl = document.getElementById('summary');
const rejectedEl = document.getElementById('rejected');

header('registries');
signInBar(ROLE, () => undefined);

form.addEventListener('submit', (event) => {
  event.preventDefault();
  void importList();
});

async function importList() {
  const file = form.elements.file.files[0];
  const csv = file ? await file.text() : form.elements.text.value;
  if (csv.trim() === '') {
    notify('Choose a CSV file or paste its rows first.', 'error');
    return;
  }
  const button = form.querySelector('button');
  button.disabled = true;
  try {
    showReport(await upload(csv), file ? file.name : 'pasted rows');
  } catch (error) {
    notify(error.message, 'error');
  } finally {
    button.disabled = false;
  }
}

/** The CSV as the body, `text/csv`: the API reads it as the published file, header included. */
async function upload(csv) {
  const token = tokenFor(ROLE);
  let response;
  try {
    response = await fetch('/v1/registries/recognitions/import', {
      method: 'POST',
      headers: { 'content-type': 'text/csv; charset=utf-8', ...(token ? { authorization: `Bearer ${token}` } : {}) },
      body: csv,
    });
  } catch (error) {
    throw new ApiError(0, null, error.message);
  }
  const body = await response.json().catch(() => null);
  if (!response.ok) throw new ApiError(response.status, body, response.statusText);
  return body;
}

function showReport(report, source) {
  reportCard.hidden = false;
  const rejected = report.rejected ?? [];
  summaryEl.replaceChildren(
    `${source}: `,
    h('strong', {}, `${report.accepted} accepted 已导入`), ', ',
    h('strong', {}, `${report.unchanged} unchanged 无变化`), ', ',
    h('strong', { class: rejected.length > 0 ? 'bad' : '' }, `${rejected.length} rejected 被拒`), '.',
  );
  if (rejected.length === 0) {
    rejectedEl.replaceChildren(h('p', { class: 'muted' }, 'Every row was taken.'));
    return;
  }
  rejectedEl.replaceChildren(h('table', { class: 'compact rejected-rows' },
    h('thead', {}, h('tr', {}, h('th', {}, 'Row 行'), h('th', {}, 'USCC'), h('th', {}, 'Field 字段'), h('th', {}, 'Problem 问题'))),
    h('tbody', {}, rejected.flatMap((row) => row.issues.map((issue, i) => h('tr', {},
      h('td', {}, i === 0 ? String(row.row) : ''),
      h('td', {}, i === 0 ? h('code', {}, row.uscc || '—') : ''),
      h('td', {}, issue.path || '(row)'),
      h('td', {}, issue.message),
    )))),
  ));
}
