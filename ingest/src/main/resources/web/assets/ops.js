// The operators' page: the node's numbers from /api/ops/stats (read from the same meters as
// /metrics), refreshed every two seconds, with 15 minutes of history as small charts.
import { api, ApiError, bytes, el, forgetSession, session, when } from './common.js';

const status = document.getElementById('ops-status');
const samples = [];
let latest = 0;

const CHARTS = [
  { id: 'chart-in', title: 'MiB/s in', value: s => s.inMiBps },
  { id: 'chart-ready', title: 'Clips ready per minute', value: s => s.readyPerMinute },
  { id: 'chart-queue', title: 'Clips waiting for a worker', value: s => sum(s.queue) },
  { id: 'chart-p95', title: 'Time to ready p95 (s)', value: s => s.timeToReadyP95Seconds },
  { id: 'chart-uploads', title: 'Uploads in flight', value: s => (s.clipsInFlight || {}).uploading || 0 },
];

if (!session()) {
  status.replaceChildren('Sign in first: ', el('a', { href: '/' }, 'sign in'), ' with an operator\'s phone number.');
} else {
  refresh();
}

/** Asks for the samples taken since the last one seen, then again 2 s after the answer (never two at once). */
async function refresh() {
  let answer;
  try {
    answer = document.hidden ? null : await api('GET', '/api/ops/stats?since=' + latest);
  } catch (e) {
    if (e instanceof ApiError && (e.status === 403 || e.status === 401)) {
      // Not an operator's session (or none any more): nothing to ask again.
      if (e.status === 401) forgetSession();
      status.replaceChildren(e.status === 403 ? 'This page is for operators only. ' + e.message
        : 'The session has ended: ', e.status === 401 ? el('a', { href: '/' }, 'sign in again') : '');
      document.getElementById('ops').hidden = true;
      return;
    }
    status.textContent = e.message;
  }
  if (answer) show(answer);
  setTimeout(refresh, 2000);
}

function show(answer) {
  samples.push(...answer.samples.filter(s => s.at > latest));
  // Kept by the server's clock, not this browser's.
  const newest = samples.length ? samples[samples.length - 1].at : 0;
  while (samples.length && samples[0].at < newest - answer.keptSeconds * 1000) samples.shift();
  if (samples.length) latest = samples[samples.length - 1].at;
  document.getElementById('node').textContent = answer.node ? '· node ' + answer.node : '';
  document.getElementById('ops').hidden = false;
  const now = samples[samples.length - 1];
  if (!now) {
    status.textContent = 'Waiting for the first sample…';
    return;
  }
  status.textContent = 'Updated ' + new Date(now.at).toLocaleTimeString();
  tiles(now);
  charts();
  queue(now);
  failures(now, answer.latestFailed);
  nodes(answer);
}

/** A row per node, where there are several. */
function nodes(answer) {
  const section = document.getElementById('nodes-section');
  section.hidden = !answer.nodes;
  if (!answer.nodes) return;
  document.querySelector('#nodes tbody').replaceChildren(...answer.nodes.map(({ node, sample: s }) => el('tr', { 'data-node': node },
    el('th', { scope: 'row' }, node), el('td', {}, number(s.inMiBps, 2)), el('td', {}, number((s.clipsInFlight || {}).uploading || 0)),
    el('td', {}, number(s.readyPerMinute, 1)), el('td', {}, number(sum(s.queue))),
    el('td', {}, number((s.workers || {}).busy || 0)), el('td', {}, seconds(s.timeToReadyP95Seconds)))));
  const missing = document.getElementById('nodes-unanswered');
  missing.hidden = !answer.nodesUnanswered;
  missing.textContent = answer.nodesUnanswered ? answer.nodesUnanswered + ' node(s) did not answer.' : '';
}

function sum(object) {
  return Object.values(object || {}).reduce((a, b) => a + b, 0);
}

function number(value, digits = 0) {
  return value === null || value === undefined || !Number.isFinite(value) ? '–' : value.toFixed(digits);
}

function tiles(s) {
  const workers = s.workers || {};
  const windowStart = samples.find(x => x.at >= s.at - 60000) || s;
  const items = [
    ['MiB/s in', number(s.inMiBps, 2), 'in-mibps'],
    ['Uploads in flight', number((s.clipsInFlight || {}).uploading || 0), 'uploads-active'],
    ['Upload requests now', number(s.uploadsActive), 'upload-requests'],
    ['Uploads created', number(s.uploadsCreated), 'uploads-created'],
    ['Resumes (last minute)', number((s.resumes || 0) - (windowStart.resumes || 0)), 'resumes'],
    ['Clips ready per minute', number(s.readyPerMinute, 1), 'ready-per-minute'],
    ['Clips ready', number(s.ready), 'ready-total'],
    ['Time to ready p50', seconds(s.timeToReadyP50Seconds), 'p50'],
    ['Time to ready p95', seconds(s.timeToReadyP95Seconds), 'p95'],
    ['Waiting for a worker', number(sum(s.queue)), 'queue-total'],
    ['Workers busy / idle / starting', [workers.busy, workers.idle, workers.starting].map(v => number(v || 0)).join(' / '),
      'workers'],
    ['Worker restarts', number(s.workerRestarts), 'restarts'],
    ['Failed clips', number(s.failed), 'failed'],
    ['Spool disk free', bytes(s.spoolFreeBytes), 'spool-free'],
    ['Object store errors', number(s.storeErrors), 'store-errors'],
  ];
  document.getElementById('tiles').replaceChildren(...items.map(([name, value, id]) =>
    el('div', {}, el('dt', {}, name), el('dd', { id: 'tile-' + id }, value))));
}

function seconds(value) {
  return value === null || value === undefined ? '–' : value < 10 ? value.toFixed(1) + ' s' : Math.round(value) + ' s';
}

const SVG = 'http://www.w3.org/2000/svg';

function charts() {
  const box = document.getElementById('charts');
  if (!box.children.length) {
    for (const chart of CHARTS) {
      const svg = document.createElementNS(SVG, 'svg');
      svg.setAttribute('viewBox', '0 0 450 100');
      svg.setAttribute('preserveAspectRatio', 'none');
      svg.setAttribute('role', 'img');
      svg.append(document.createElementNS(SVG, 'polyline'));
      box.append(el('figure', { class: 'chart', id: chart.id }, el('h3', {}, chart.title), svg,
        el('figcaption', { class: 'muted' })));
    }
  }
  const end = samples[samples.length - 1].at;
  const start = end - 15 * 60 * 1000;
  for (const chart of CHARTS) {
    const figure = document.getElementById(chart.id);
    const points = samples.map(s => [s.at, chart.value(s)]).filter(([, v]) => v !== null && v !== undefined && Number.isFinite(v));
    const top = Math.max(1e-9, ...points.map(([, v]) => v));
    figure.querySelector('polyline').setAttribute('points', points.map(([t, v]) =>
      (450 * (t - start) / (end - start)).toFixed(1) + ',' + (98 - 96 * v / top).toFixed(1)).join(' '));
    const last = points.length ? points[points.length - 1][1] : null;
    const caption = 'now ' + number(last, last !== null && last < 10 ? 2 : 0) + ', highest ' + number(points.length ? top : null,
      top < 10 ? 2 : 0);
    figure.querySelector('figcaption').textContent = caption;
    figure.querySelector('svg').setAttribute('aria-label', chart.title + ' over the last 15 minutes: ' + caption);
  }
}

function queue(s) {
  const kinds = ['incident', 'manual', 'drive'];
  document.querySelector('#queue tbody').replaceChildren(...kinds.map(kind => el('tr', { 'data-kind': kind },
    el('td', {}, kind), el('td', {}, number((s.queue || {})[kind] || 0)),
    el('td', {}, seconds((s.oldestWaitingSeconds || {})[kind] || 0)))));
}

function failures(s, latestFailed) {
  const reasons = Object.entries(s.failuresByReason || {}).filter(([, n]) => n > 0);
  document.querySelector('#failures tbody').replaceChildren(...(reasons.length ? reasons.map(([reason, n]) =>
    el('tr', {}, el('td', {}, el('code', {}, reason)), el('td', {}, number(n))))
    : [el('tr', {}, el('td', { colspan: '2', class: 'muted' }, 'None since this node started.'))]));
  document.querySelector('#latest-failed tbody').replaceChildren(...(latestFailed.length ? latestFailed.map(f =>
    el('tr', {}, el('td', {}, when(f.at)), el('td', {}, el('code', {}, f.id)), el('td', {}, f.kind),
      el('td', {}, el('code', {}, f.reason))))
    : [el('tr', {}, el('td', { colspan: '4', class: 'muted' }, 'None.'))]));
}
