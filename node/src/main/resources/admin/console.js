// The operations console: one page over the admin API (/admin/api). The admin credential lives in this
// tab's sessionStorage only; every answer is rendered as text (never as HTML).
import { LineChart } from './chart.js';

const API = '/admin/api';
const POLL_MS = 2000;
const WINDOW_MS = 5 * 60 * 1000;
const KEY = 'chatcluster.admin.token';
const $ = (id) => document.getElementById(id);

let poller = null;
let connectionsChart;
let ratesChart;
let channelCursor = null;

// ------------------------------------------------------------------ the API

class ApiError extends Error {
  constructor(status, body) {
    super(body?.message ?? `HTTP ${status}`);
    this.status = status;
  }
}

async function api(method, path, body) {
  const token = sessionStorage.getItem(KEY);
  const response = await fetch(API + path, {
    method,
    headers: { Authorization: `Bearer ${token}`, ...(body === undefined ? {} : { 'Content-Type': 'application/json' }) },
    body: body === undefined ? undefined : JSON.stringify(body),
    cache: 'no-store',
    credentials: 'omit',
  });
  let answer = null;
  try {
    answer = await response.json();
  } catch {
    // not JSON: reported by status below
  }
  if (response.status === 401) {
    logout('The admin token was refused: log in again.');
    throw new ApiError(401, answer);
  }
  if (!response.ok) {
    throw new ApiError(response.status, answer);
  }
  return answer;
}

function notice(text) {
  $('notice').textContent = text;
}

// ------------------------------------------------------------------ login and views

function logout(message) {
  sessionStorage.removeItem(KEY);
  stopPolling();
  $('nav').hidden = true;
  show('login');
  if (message) {
    $('login-error').textContent = message;
  }
}

async function login(event) {
  event.preventDefault();
  const token = $('token').value.trim();
  sessionStorage.setItem(KEY, token);
  $('token').value = '';
  try {
    await api('GET', '/nodes');
  } catch (e) {
    if (e.status !== 401) {
      $('login-error').textContent = `The node did not answer: ${e.message}`;
      sessionStorage.removeItem(KEY);
    }
    return;
  }
  $('login-error').textContent = '';
  $('nav').hidden = false;
  if (!location.hash || location.hash === '#/login') {
    location.hash = '#/dashboard';
  } else {
    route();
  }
}

function show(view) {
  for (const section of document.querySelectorAll('.view')) {
    section.hidden = section.id !== `view-${view}`;
  }
  for (const link of document.querySelectorAll('#nav a')) {
    if (link.dataset.view === view || (view === 'channel' && link.dataset.view === 'channels')) {
      link.setAttribute('aria-current', 'page');
    } else {
      link.removeAttribute('aria-current');
    }
  }
  document.title = `${view[0].toUpperCase()}${view.slice(1)} · ChatCluster console`;
}

function route() {
  if (!sessionStorage.getItem(KEY)) {
    show('login');
    return;
  }
  $('nav').hidden = false;
  notice('');
  const [, view = 'dashboard', ...rest] = location.hash.split('/');
  const arg = rest.length > 0 ? decodeURIComponent(rest.join('/')) : null;
  stopPolling();
  switch (view) {
    case 'channels':
      show('channels');
      if (arg !== null) {
        $('prefix').value = arg;
      }
      searchChannels(null);
      break;
    case 'channel':
      show('channel');
      showChannel(arg);
      break;
    case 'user':
      show('user');
      if (arg) {
        $('user-id').value = arg;
        lookUp(arg);
      }
      break;
    case 'publish':
      show('publish');
      if (arg) {
        $('publish-channel').value = arg;
      }
      break;
    default:
      show('dashboard');
      startPolling();
  }
  $('main').focus({ preventScroll: true });
}

// ------------------------------------------------------------------ dashboard

function startPolling() {
  refreshNodes();
  poller = setInterval(refreshNodes, POLL_MS);
}

function stopPolling() {
  if (poller) {
    clearInterval(poller);
    poller = null;
  }
}

function cell(row, text, className) {
  const td = document.createElement('td');
  td.textContent = text ?? '';
  if (className) {
    td.className = className;
  }
  row.append(td);
  return td;
}

function uptime(seconds) {
  if (seconds === undefined) {
    return '';
  }
  if (seconds < 120) {
    return `${seconds} s`;
  }
  if (seconds < 7200) {
    return `${Math.floor(seconds / 60)} min`;
  }
  return `${Math.floor(seconds / 3600)} h ${Math.floor((seconds % 3600) / 60)} min`;
}

function rate(perSecond) {
  return perSecond === undefined ? '' : perSecond.toFixed(1);
}

async function refreshNodes() {
  let answer;
  try {
    answer = await api('GET', '/nodes');
  } catch (e) {
    if (e.status !== 401) {
      notice(`Nodes not refreshed: ${e.message}`);
    }
    return;
  }
  const rows = answer.nodes.map((n) => {
    const tr = document.createElement('tr');
    tr.dataset.node = n.id;
    tr.dataset.state = n.state;
    const th = document.createElement('th');
    th.scope = 'row';
    th.textContent = n.id;
    tr.append(th);
    cell(tr, n.address);
    cell(tr, n.state + (n.reason && n.state !== 'draining' ? ` (${n.reason})` : ''));
    cell(tr, n.connections, 'num connections');
    cell(tr, n.subscriptions, 'num');
    cell(tr, rate(n.messagesInPerSecond), 'num');
    cell(tr, rate(n.messagesOutPerSecond), 'num');
    cell(tr, n.eventLoops, 'num');
    cell(tr, n.redis);
    cell(tr, uptime(n.uptimeSeconds));
    cell(tr, n.version);
    const actions = cell(tr, '');
    if (n.state === 'ready') {
      const drain = document.createElement('button');
      drain.type = 'button';
      drain.className = 'danger drain';
      drain.textContent = 'Drain';
      drain.setAttribute('aria-label', `Drain ${n.id}`);
      drain.addEventListener('click', () => drainNode(n.id, n.connections));
      actions.append(drain);
    }
    return tr;
  });
  $('nodes-table').tBodies[0].replaceChildren(...rows);
  const unreachable = answer.unreachable.length > 0 ? `; not answering: ${answer.unreachable.join(', ')}` : '';
  $('totals').textContent = `${answer.connections} connections on ${answer.nodes.length} nodes${unreachable}`;
  const at = answer.at ?? Date.now();
  const perNode = { total: answer.connections };
  let messagesIn = 0;
  let messagesOut = 0;
  for (const n of answer.nodes) {
    perNode[n.id] = n.connections;
    messagesIn += n.messagesInPerSecond ?? 0;
    messagesOut += n.messagesOutPerSecond ?? 0;
  }
  connectionsChart.add(at, perNode);
  ratesChart.add(at, { published: Math.round(messagesIn * 10) / 10, delivered: Math.round(messagesOut * 10) / 10 });
}

async function drainNode(id, connections) {
  const ok = await confirmAction(`Drain ${id}?`, `${id} stops taking connections and closes its ${connections} `
    + 'clients with 1012; they reconnect to the other nodes. The node stays out of service until it is restarted.');
  if (!ok) {
    return;
  }
  try {
    const answer = await api('POST', `/nodes/${encodeURIComponent(id)}/drain`, {});
    notice(`${answer.node} is draining ${answer.connections} connections.`);
    refreshNodes();
  } catch (e) {
    notice(`Drain failed: ${e.message}`);
  }
}

function confirmAction(title, text) {
  const dialog = $('confirm');
  $('confirm-title').textContent = title;
  $('confirm-text').textContent = text;
  return new Promise((resolve) => {
    dialog.addEventListener('close', () => resolve(dialog.returnValue === 'ok'), { once: true });
    dialog.returnValue = 'cancel';
    dialog.showModal();
    $('confirm-cancel').focus();
  });
}

// ------------------------------------------------------------------ channels

function describeOptions(o) {
  if (!o) {
    return '';
  }
  return ['persistent', 'presence', 'private', 'auth'].filter((k) => o[k]).join(', ')
    + (o.maxClients > 0 ? ` max ${o.maxClients}` : '');
}

async function searchChannels(cursor) {
  const prefix = $('prefix').value.trim();
  const query = new URLSearchParams({ limit: '50' });
  if (prefix) {
    query.set('prefix', prefix);
  }
  if (cursor) {
    query.set('cursor', cursor);
  }
  let answer;
  try {
    answer = await api('GET', `/channels?${query}`);
  } catch (e) {
    notice(`Channels not listed: ${e.message}`);
    return;
  }
  const rows = answer.channels.map((c) => {
    const tr = document.createElement('tr');
    tr.dataset.channel = c.name;
    const th = document.createElement('th');
    th.scope = 'row';
    const link = document.createElement('a');
    link.href = `#/channel/${encodeURIComponent(c.name)}`;
    link.textContent = c.name;
    th.append(link);
    tr.append(th);
    cell(tr, c.subscribers, 'num subscribers');
    cell(tr, Object.keys(c.nodes).length, 'num');
    cell(tr, c.presence ?? '-', 'num');
    cell(tr, c.offset ?? '', 'num');
    cell(tr, describeOptions(c.options));
    return tr;
  });
  const body = $('channels-table').tBodies[0];
  if (cursor) {
    body.append(...rows);
  } else {
    body.replaceChildren(...rows);
  }
  channelCursor = answer.next;
  $('next-page').hidden = !channelCursor;
  $('channels-table').caption.textContent = `Channels with subscribers${prefix ? ` starting with "${prefix}"` : ''}: `
    + `${body.rows.length}${channelCursor ? '+' : ''}`;
}

async function showChannel(name) {
  $('channel-title').textContent = `Channel ${name}`;
  let c;
  try {
    c = await api('GET', `/channels/${encodeURIComponent(name)}?history=20`);
  } catch (e) {
    notice(`Channel not shown: ${e.message}`);
    return;
  }
  $('channel-summary').textContent = `${c.subscribers} subscribers, offset ${c.offset} (epoch ${c.epoch}); `
    + `${describeOptions(c.options) || 'no options'}`;
  $('channel-nodes').tBodies[0].replaceChildren(...Object.entries(c.nodes).map(([node, n]) => {
    const tr = document.createElement('tr');
    cell(tr, node);
    cell(tr, n, 'num');
    return tr;
  }));
  const members = c.presence ? c.presence.members : [];
  $('presence-title').textContent = c.presence ? `Presence (${c.presence.count})` : 'Presence (off for this channel)';
  $('presence-list').replaceChildren(...members.map((m) => {
    const li = document.createElement('li');
    li.textContent = `${m.user} (${m.device}) on ${m.node}`;
    return li;
  }));
  $('history-title').textContent = c.options.persistent ? `Recent messages (${c.history.length})`
    : 'Recent messages (the channel keeps no history)';
  $('history-list').replaceChildren(...c.history.map((m) => {
    const li = document.createElement('li');
    const when = m.ts ? new Date(m.ts).toLocaleTimeString() : '';
    li.textContent = `#${m.offset} ${when} ${m.from?.user ?? ''}: ${JSON.stringify(m.data)}`;
    return li;
  }));
}

// ------------------------------------------------------------------ users

async function lookUp(user) {
  let answer;
  try {
    answer = await api('GET', `/users/${encodeURIComponent(user)}`);
  } catch (e) {
    notice(`User not looked up: ${e.message}`);
    return;
  }
  $('sessions-caption').textContent = `Sessions of ${answer.user}: ${answer.sessions.length}`;
  $('sessions-table').tBodies[0].replaceChildren(...answer.sessions.map((s) => {
    const tr = document.createElement('tr');
    tr.dataset.session = s.session;
    const th = document.createElement('th');
    th.scope = 'row';
    th.textContent = s.session;
    tr.append(th);
    cell(tr, s.node);
    cell(tr, s.device);
    cell(tr, s.address);
    cell(tr, s.protocol);
    cell(tr, new Date(s.connectedSince).toLocaleString());
    cell(tr, s.subscriptions.join(', '));
    const actions = cell(tr, '');
    const button = document.createElement('button');
    button.type = 'button';
    button.className = 'danger';
    button.textContent = 'Disconnect';
    button.setAttribute('aria-label', `Disconnect session ${s.session}`);
    button.addEventListener('click', () => disconnect({ session: s.session }));
    actions.append(button);
    return tr;
  }));
  $('disconnect-form').hidden = answer.sessions.length === 0;
  $('disconnect-form').dataset.user = answer.user;
}

async function disconnect({ user, session }) {
  const code = Number($('close-code').value);
  const reason = $('close-reason').value;
  const what = user ? `every session of ${user}` : `session ${session}`;
  if (!(await confirmAction(`Disconnect ${what}?`, `They are closed with ${code} ("${reason}").`))) {
    return;
  }
  try {
    const path = user ? `/users/${encodeURIComponent(user)}/disconnect` : `/sessions/${encodeURIComponent(session)}/disconnect`;
    const answer = await api('POST', path, { code, reason });
    notice(`Closed ${answer.closed} session(s) with ${answer.code}.`);
  } catch (e) {
    notice(`Disconnect failed: ${e.message}`);
  }
  const current = $('user-id').value.trim();
  if (current) {
    setTimeout(() => lookUp(current), 300);
  }
}

// ------------------------------------------------------------------ publish

async function publish(event) {
  event.preventDefault();
  const channel = $('publish-channel').value.trim();
  const text = $('publish-data').value;
  let data;
  try {
    data = JSON.parse(text);
  } catch {
    data = text;
  }
  try {
    const answer = await api('POST', `/channels/${encodeURIComponent(channel)}/publish`, { data });
    $('publish-result').textContent = `Published on ${answer.channel} at offset ${answer.offset}.`;
  } catch (e) {
    $('publish-result').textContent = `Not published: ${e.message}`;
  }
}

// ------------------------------------------------------------------ start

window.addEventListener('DOMContentLoaded', () => {
  connectionsChart = new LineChart($('connections-chart'), { title: 'Connections', unit: '', windowMs: WINDOW_MS });
  ratesChart = new LineChart($('rates-chart'), { title: 'Messages per second', unit: '/s', windowMs: WINDOW_MS });
  $('login-form').addEventListener('submit', login);
  $('logout').addEventListener('click', () => logout(''));
  $('channel-search').addEventListener('submit', (e) => {
    e.preventDefault();
    searchChannels(null);
  });
  $('next-page').addEventListener('click', () => searchChannels(channelCursor));
  $('user-form').addEventListener('submit', (e) => {
    e.preventDefault();
    const user = $('user-id').value.trim();
    if (location.hash === `#/user/${encodeURIComponent(user)}`) {
      lookUp(user);
    } else {
      location.hash = `#/user/${encodeURIComponent(user)}`;
    }
  });
  $('disconnect-form').addEventListener('submit', (e) => {
    e.preventDefault();
    disconnect({ user: $('disconnect-form').dataset.user });
  });
  $('publish-form').addEventListener('submit', publish);
  window.addEventListener('hashchange', route);
  route();
});
