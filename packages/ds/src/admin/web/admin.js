// Admin page over /admin/api/v1. Data only ever reaches the page through textContent,
// so names and origins typed by an operator cannot become markup.
const api = '/admin/api/v1';
const $ = (id) => document.getElementById(id);
let token = sessionStorage.getItem('t1c-ds-admin') ?? '';

function status(text, ok) {
  const el = $('status');
  el.textContent = text;
  el.className = ok ? 'ok' : 'error';
}

async function call(method, path, body) {
  const headers = { authorization: `Bearer ${token}` };
  if (body !== undefined) headers['content-type'] = 'application/json';
  const response = await fetch(api + path, { method, headers, body: body === undefined ? undefined : JSON.stringify(body) });
  const json = await response.json().catch(() => ({}));
  if (!response.ok || json.success !== true) throw new Error(`${json.code ?? response.status} ${json.description ?? 'request failed'}`);
  return json.data;
}

function cell(row, text) {
  const td = document.createElement('td');
  td.textContent = text;
  row.appendChild(td);
  return td;
}

function button(parent, label, onClick) {
  const b = document.createElement('button');
  b.type = 'button';
  b.className = 'link';
  b.textContent = label;
  b.addEventListener('click', () => run(onClick));
  parent.appendChild(b);
  return b;
}

function fill(tableId, rows, render) {
  const body = $(tableId).querySelector('tbody');
  body.replaceChildren();
  for (const item of rows) {
    const tr = document.createElement('tr');
    render(tr, item);
    body.appendChild(tr);
  }
}

async function run(work) {
  try {
    await work();
    await refresh();
    status('saved', true);
  } catch (error) {
    status(error.message, false);
  }
}

async function refresh() {
  const [orgs, apps, versions, devices, transactions] = await Promise.all(
    ['/orgs', '/apps', '/versions', '/devices', '/transactions'].map((p) => call('GET', p)));
  fill('orgs', orgs, (tr, o) => { cell(tr, o.name); cell(tr, o.id); cell(tr, o.createdAt); });
  const select = $('app-org');
  select.replaceChildren(...orgs.map((o) => Object.assign(document.createElement('option'), { value: o.id, textContent: o.name })));
  fill('apps', apps, (tr, a) => {
    tr.dataset.app = a.name;
    cell(tr, a.orgName); cell(tr, a.name); cell(tr, a.id);
    const origins = cell(tr, '');
    for (const origin of a.origins) {
      const span = document.createElement('span');
      span.className = 'origin';
      span.textContent = origin;
      button(span, '×', () => call('POST', `/apps/${a.id}/origins/remove`, { origin }));
      origins.appendChild(span);
    }
    const input = document.createElement('input');
    input.placeholder = 'https://…';
    input.className = 'add-origin';
    origins.appendChild(input);
    button(origins, 'add', () => call('POST', `/apps/${a.id}/origins`, { origin: input.value.trim() }));
    cell(tr, a.hasKey ? 'active' : 'revoked');
    const actions = cell(tr, '');
    button(actions, 'rotate key', async () => showKey((await call('POST', `/apps/${a.id}/rotate-key`)).apiKey));
    button(actions, 'revoke key', () => call('POST', `/apps/${a.id}/revoke-key`));
  });
  fill('versions', versions, (tr, v) => {
    cell(tr, v.id);
    cell(tr, [v.allowed ? 'allowed' : 'blocked', v.recommended ? 'recommended' : '', v.mandatory ? 'mandatory' : ''].filter(Boolean).join(', '));
    cell(tr, Object.entries(v.uris).map(([os, uri]) => `${os}: ${uri}`).join('\n'));
  });
  fill('devices', devices, (tr, d) => { cell(tr, d.id); cell(tr, d.os); cell(tr, d.version); cell(tr, d.firstSeen); cell(tr, d.lastSeen); });
  fill('transactions', transactions, (tr, t) => { cell(tr, t.day); cell(tr, t.application); cell(tr, t.tag); cell(tr, t.module); cell(tr, t.useCase); cell(tr, String(t.count)); });
}

function showKey(value) {
  $('new-key').hidden = false;
  $('new-key-value').textContent = value;
}

$('login-form').addEventListener('submit', async (event) => {
  event.preventDefault();
  token = $('token').value.trim();
  try {
    await refresh();
    sessionStorage.setItem('t1c-ds-admin', token);
    $('login').hidden = true;
    $('main').hidden = false;
    status('signed in', true);
  } catch (error) {
    status(error.message, false);
  }
});

$('org-form').addEventListener('submit', (event) => {
  event.preventDefault();
  run(() => call('POST', '/orgs', { name: $('org-name').value }));
});

$('app-form').addEventListener('submit', (event) => {
  event.preventDefault();
  const origins = $('app-origins').value.split(/\s+/).filter(Boolean);
  run(async () => showKey((await call('POST', '/apps', { org: $('app-org').value, name: $('app-name').value, origins })).apiKey));
});

$('version-form').addEventListener('submit', (event) => {
  event.preventDefault();
  const uris = {};
  for (const pair of $('version-uris').value.split(/\s+/).filter(Boolean)) {
    const at = pair.indexOf('=');
    uris[pair.slice(0, at)] = pair.slice(at + 1);
  }
  run(async () => {
    const result = await call('PUT', `/versions/${encodeURIComponent($('version-id').value.trim())}`, {
      uris, recommended: $('version-recommended').checked, mandatory: $('version-mandatory').checked, allowed: !$('version-blocked').checked,
    });
    if (result.registrationKey) {
      $('new-reg').hidden = false;
      $('new-reg-value').textContent = result.registrationKey;
    }
  });
});

if (token !== '') {
  refresh().then(() => { $('login').hidden = true; $('main').hidden = false; }).catch(() => sessionStorage.removeItem('t1c-ds-admin'));
}
