// The owners' pages: sign in, incidents / clips / drives, one clip, devices. Hash routes
// (#/incidents, #/clip/ID, #/devices) so that the server serves one page.
import { api, ApiError, bytes, duration, el, eventName, EVENT_TYPES, forgetSession, saveSession, session, when }
  from './common.js';
import qrcode from './vendor/qrcode-generator-2.0.4/qrcode.mjs';

const main = document.getElementById('main');
const nav = document.getElementById('nav');
const KINDS = { incidents: 'incident', clips: 'manual', drives: 'drive' };
const TITLES = { incidents: 'Incidents', clips: 'Clips', drives: 'Drives' };
/** Clips asked for at a time; ?pageSize=N (1 to 200) in the page's address changes it. */
const PAGE = Math.min(200, Math.max(1, Number(new URLSearchParams(location.search).get('pageSize')) || 24));
const POLL_MS = 2000;
const POLL_IDLE_MS = 5000;
/** Whatever the current view runs in the background (polls, observers); stopped when the view changes. */
let stopView = () => {};
let notice = null;
/** Counts views shown: a view that awaited an answer draws nothing once another has taken its place. */
let shown = 0;

window.addEventListener('hashchange', route);
document.querySelector('a.skip').addEventListener('click', event => {
  // Not a route: focus the content without touching the address.
  event.preventDefault();
  main.focus();
});
document.getElementById('sign-out').addEventListener('click', signOut);
route();

function route() {
  stopView();
  stopView = () => {};
  shown++;
  const current = session();
  const [, view, id] = location.hash.match(/^#\/([a-z-]+)\/?([0-9a-f]*)$/) || [];
  nav.hidden = !current;
  document.getElementById('ops-link').hidden = !(current && current.operator);
  if (!current) {
    signInView();
    return;
  }
  for (const link of nav.querySelectorAll('a[data-view]')) {
    if (link.dataset.view === view) link.setAttribute('aria-current', 'page');
    else link.removeAttribute('aria-current');
  }
  if (view === 'clip' && id) clipView(id);
  else if (view === 'devices') devicesView();
  else if (KINDS[view]) listView(view);
  else location.replace('#/incidents');
}

function show(title, ...children) {
  document.title = title + ' · Convoy';
  main.replaceChildren(el('h1', {}, title), ...[notice ? el('p', { class: 'notice', role: 'status' }, notice) : null,
    ...children].filter(Boolean));
  notice = null;
  main.focus({ preventScroll: true });
}

/** Whether the view that was current at {@code view} still is. */
function current(view) {
  return view === shown;
}

/**
 * Runs an API call for a view: shows its error sentence in {@code status} and sends an expired
 * session to sign-in; throws either way, so that callers go on only with an answer.
 */
async function attempt(status, call) {
  status.textContent = '';
  try {
    return await call();
  } catch (e) {
    if (e instanceof ApiError && e.status === 401 && session()) {
      forgetSession();
      route();
    } else {
      status.textContent = e.message;
    }
    throw e;
  }
}

function signInView() {
  const status = el('p', { class: 'error', role: 'alert', id: 'sign-in-error' });
  const phone = el('input', { id: 'phone', name: 'phone', type: 'tel', autocomplete: 'tel', required: true,
    placeholder: '+1 650 253 0000' });
  const code = el('input', { id: 'code', name: 'code', inputmode: 'numeric', autocomplete: 'one-time-code',
    pattern: '[0-9]{6}', maxlength: '6', required: true });
  const codeForm = el('form', { class: 'stack', hidden: true, onsubmit: async event => {
    event.preventDefault();
    const answer = await attempt(status, () => api('POST', '/api/auth/verify', { phone: phone.value, code: code.value }))
      .catch(() => undefined);
    if (answer) {
      saveSession(answer);
      go('#/incidents');
    }
  } }, el('label', {}, 'Code from the text message', code), el('button', { class: 'primary', type: 'submit' }, 'Sign in'));
  const phoneForm = el('form', { class: 'stack', onsubmit: async event => {
    event.preventDefault();
    const answer = await attempt(status, () => api('POST', '/api/auth/code', { phone: phone.value })).catch(() => undefined);
    if (answer) {
      codeForm.hidden = false;
      sent.textContent = 'A 6-digit code was sent to ' + answer.phone + '. It expires in '
        + Math.round(answer.expiresInSeconds / 60) + ' minutes.';
      code.focus();
    }
  } }, el('label', {}, 'Phone number', phone), el('button', { class: 'primary', type: 'submit' }, 'Text me a code'));
  const sent = el('p', { role: 'status', class: 'muted' });
  show('Sign in', el('p', { class: 'muted' }, 'Your cameras\' incidents, clips and drives. Sign in with your phone number;'
    + ' we text you a code.'), phoneForm, sent, codeForm, status);
  phone.focus();
}

async function signOut() {
  try {
    await api('POST', '/api/auth/sign-out');
  } catch {
    // Signed out here either way; the token expires on its own.
  }
  forgetSession();
  go('');
}

/** Shows the view of {@code hash}: through the hashchange event, unless the address already says it. */
function go(hash) {
  if (location.hash === hash || (hash === '' && location.hash === '#')) route();
  else location.hash = hash;
}

// ---- Incidents, clips, drives ----

function listView(view) {
  const kind = KINDS[view];
  const params = new URLSearchParams(location.search);
  const status = el('p', { class: 'error', role: 'alert' });
  const grid = el('ul', { class: 'grid', id: 'grid', 'aria-label': TITLES[view] });
  const empty = el('p', { class: 'muted', hidden: true, id: 'empty' }, 'Nothing here yet.');
  const more = el('button', { type: 'button', hidden: true, id: 'more' }, 'Show more');
  const cards = new Map();
  const devices = new Map();
  let cursor = null;
  let loading = false;
  let stopped = false;
  /** Bumped when the filters change: answers to questions asked before are dropped. */
  let generation = 0;

  const event = el('select', { id: 'filter-event', name: 'event' }, el('option', { value: '' }, 'Any event'),
    EVENT_TYPES.map(e => el('option', { value: e }, eventName(e))));
  const device = el('select', { id: 'filter-device', name: 'device' }, el('option', { value: '' }, 'Any camera'));
  const from = el('input', { id: 'filter-from', name: 'from', type: 'date' });
  const to = el('input', { id: 'filter-to', name: 'to', type: 'date' });
  const filters = el('form', { class: 'filters', 'aria-label': 'Filters', onchange: () => reload() },
    kind === 'incident' ? el('label', {}, 'Event', event) : null,
    el('label', {}, 'Camera', device), el('label', {}, 'From', from), el('label', {}, 'To', to));
  filters.addEventListener('submit', e => e.preventDefault());
  event.value = params.get('event') || '';

  function query(cursorValue) {
    const q = new URLSearchParams({ kind, limit: String(PAGE) });
    if (event.value && kind === 'incident') q.set('event', event.value);
    if (device.value) q.set('device', device.value);
    if (from.value) q.set('from', new Date(from.value + 'T00:00:00').toISOString());
    if (to.value) q.set('to', new Date(new Date(to.value + 'T00:00:00').getTime() + 86400000).toISOString());
    if (cursorValue) q.set('cursor', cursorValue);
    return '/api/clips?' + q;
  }

  /** An event a camera named that the filter does not offer yet becomes one of its choices. */
  function offerEvent(name) {
    if (name && kind === 'incident' && ![...event.options].some(o => o.value === name)) {
      event.append(el('option', { value: name }, eventName(name)));
    }
  }

  async function load() {
    if (loading || stopped) return;
    loading = true;
    const asked = generation;
    let loaded = false;
    try {
      const page = await attempt(status, () => api('GET', query(cursor)));
      if (stopped || asked !== generation) return;
      for (const item of page.items) place(item, false);
      cursor = page.nextCursor;
      more.hidden = !cursor;
      empty.hidden = cards.size > 0;
      loaded = true;
    } catch {
      // The sentence is shown; "Show more" tries again.
    } finally {
      loading = false;
    }
    if (asked !== generation) {
      // The filters changed while this page was on its way: start again with them.
      load();
      return;
    }
    // The observer only speaks when "more" comes into view: while it stays in view, keep going.
    if (loaded && cursor && !stopped && more.getBoundingClientRect().top < window.innerHeight + 400) load();
  }

  function reload() {
    generation++;
    cards.clear();
    grid.replaceChildren();
    cursor = null;
    more.hidden = true;
    load();
  }

  /** Adds or updates the card of {@code item}; new clips found by a look go where their time puts them. */
  function place(item, fromLook) {
    offerEvent(item.event);
    const card = clipCard(item, devices);
    const existing = cards.get(item.id);
    if (existing) {
      if (existing.dataset.state !== card.dataset.state) existing.replaceWith(card);
      else return;
    } else if (fromLook) {
      const later = [...grid.children].find(li => li.dataset.recorded < item.recordedAt);
      if (!later && cursor) {
        // Older than everything shown while more pages wait: that page will bring it.
        return;
      }
      grid.insertBefore(card, later || null);
    } else {
      grid.append(card);
    }
    cards.set(item.id, card);
  }

  function inFlight(card) {
    return /^(uploading|processing)\|/.test(card.dataset.state);
  }

  // New clips, and clips in flight turning into thumbnails, without a reload: every 2 s while
  // some clip is on its way, every 5 s otherwise (each look is a listing read from storage).
  let poll;
  const look = async () => {
    const asked = generation;
    if (!document.hidden && !loading) {
      try {
        const page = await api('GET', query(null));
        if (stopped || asked !== generation) return next();
        for (const item of page.items) place(item, true);
        empty.hidden = cards.size > 0;
        // A clip that left the first page once committed (recorded long before) is asked after alone.
        const seen = new Set(page.items.map(i => i.id));
        const missing = [...cards.entries()].filter(([id, card]) => inFlight(card) && !seen.has(id)).slice(0, 5);
        for (const [id] of missing) {
          const clip = await api('GET', '/api/clips/' + id).catch(() => null);
          if (stopped || asked !== generation) break;
          if (clip) place(listItemOf(clip), true);
        }
      } catch {
        // The next look tries again.
      }
    }
    return next();
  };
  const next = () => {
    if (stopped) return;
    clearTimeout(poll);
    poll = setTimeout(look, [...cards.values()].some(inFlight) ? POLL_MS : POLL_IDLE_MS);
  };
  poll = setTimeout(look, POLL_MS);
  const observer = new IntersectionObserver(entries => {
    if (entries.some(e => e.isIntersecting) && cursor) load();
  }, { rootMargin: '400px' });
  observer.observe(more);
  more.addEventListener('click', load);
  stopView = () => {
    stopped = true;
    clearTimeout(poll);
    observer.disconnect();
  };

  show(TITLES[view], filters, status, grid, empty, el('div', { class: 'more' }, more));
  api('GET', '/api/devices').then(answer => {
    if (stopped) return;
    for (const d of answer.items) {
      devices.set(d.deviceId, d.name);
      device.append(el('option', { value: d.deviceId }, d.name + (d.revokedAt ? ' (revoked)' : '')));
    }
    for (const name of grid.querySelectorAll('.device')) {
      if (devices.has(name.dataset.device)) name.textContent = devices.get(name.dataset.device);
    }
  }).catch(() => {});
  load();
}

/** A clip's view as a listing item, for a card. */
function listItemOf(clip) {
  const meta = clip.metadata || {};
  return { id: clip.id, kind: meta.kind, event: meta.event || null, deviceId: clip.deviceId,
    recordedAt: meta.recordedAt || clip.createdAt, durationMs: clip.probe ? clip.probe.durationMs : 0, status: clip.status,
    expiresAt: clip.expiresAt, thumbnailUrl: (clip.urls || {}).thumbnail || null, size: clip.size, received: clip.received };
}

/** Events with a look of their own; any other is shown plain. */
const EVENT_CLASSES = { collision: 'collision', hard_brake: 'hard-brake' };

function clipCard(item, devices) {
  const label = eventName(item.event, item.kind);
  const share = item.size > 0 ? Math.floor(100 * item.received / item.size) : 0;
  let picture;
  if (item.thumbnailUrl) {
    picture = el('img', { class: 'thumb', src: item.thumbnailUrl, alt: label + ' recorded ' + when(item.recordedAt),
      loading: 'lazy', width: '320', height: '180' });
  } else {
    picture = el('div', { class: 'placeholder' }, item.status === 'uploading' ? 'Uploading ' + share + '%'
      : item.status === 'processing' ? 'Processing…' : 'No picture');
  }
  let progress = null;
  if (item.status === 'uploading') {
    // Shown under the picture too: a clip transcoded while it arrives has one before its last byte.
    progress = el('div', { class: 'progress', role: 'progressbar', 'aria-valuenow': String(share), 'aria-valuemin': '0',
      'aria-valuemax': '100', 'aria-label': 'Upload progress' }, el('span'));
    progress.firstChild.style.width = share + '%';
  }
  const expires = item.kind === 'drive' && item.expiresAt ? expiresIn(item.expiresAt) : null;
  const li = el('li', {}, el('a', { class: 'card', href: '#/clip/' + item.id, 'data-id': item.id },
    picture, progress,
    el('div', { class: 'caption' },
      el('strong', {}, when(item.recordedAt)),
      el('span', {}, el('span', { class: 'badge ' + (EVENT_CLASSES[item.event] || '') }, label),
        item.durationMs ? ' · ' + duration(item.durationMs) : '',
        item.status === 'failed' ? el('span', { class: 'badge failed' }, ' failed') : null),
      el('span', { class: 'device muted', 'data-device': item.deviceId }, devices.get(item.deviceId) || item.deviceId),
      item.status === 'uploading' ? el('span', { class: 'muted' }, 'Uploading ' + share + '%')
        : item.status === 'processing' ? el('span', { class: 'muted' }, 'Processing') : null,
      expires ? el('span', { class: 'muted expires' }, expires) : null)));
  li.dataset.recorded = item.recordedAt;
  li.dataset.state = [item.status, item.thumbnailUrl ? 'pictured' : '', item.received || ''].join('|');
  return li;
}

function expiresIn(iso) {
  const days = Math.ceil((Date.parse(iso) - Date.now()) / 86400000);
  return days <= 0 ? 'Expires today' : days === 1 ? 'Expires tomorrow' : 'Expires in ' + days + ' days';
}

// ---- One clip ----

async function clipView(id) {
  const view = shown;
  const status = el('p', { class: 'error', role: 'alert' });
  show('Clip', status);
  let clip;
  try {
    clip = await attempt(status, () => api('GET', '/api/clips/' + id));
  } catch {
    return;
  }
  if (!current(view)) return;
  const meta = clip.metadata || {};
  const title = eventName(meta.event, meta.kind) + ' · ' + when(meta.recordedAt || clip.createdAt);
  const urls = clip.urls || {};
  const parts = [];
  if (clip.status === 'uploading' || clip.status === 'processing') {
    parts.push(...inFlightParts(view, clip));
  } else if (clip.status === 'failed') {
    parts.push(el('p', { class: 'error' }, (clip.failure && clip.failure.message) || 'This clip could not be processed.'
      + ' The original is kept.'));
  }
  if (urls.preview) parts.push(player(urls, title));
  parts.push(facts(clip));
  const actions = el('div', { class: 'actions' });
  if (urls.original) {
    const name = meta.filename || clip.id;
    actions.append(el('a', { class: 'button', id: 'download', href: urls.original, download: name },
      'Download original (' + name + ')'));
  }
  actions.append(el('button', { type: 'button', class: 'danger', id: 'delete', onclick: () => confirmDelete(clip, status) },
    'Delete'));
  parts.push(actions, status);
  show(title, ...parts);
}

/** A clip on its way: its progress and its picture so far, kept up to date in place until it is ready. */
function inFlightParts(view, clip) {
  const line = el('p', { role: 'status', id: 'clip-status' });
  const poster = el('img', { class: 'thumb', alt: 'Poster of this clip so far', hidden: true });
  let picture = null;
  const update = c => {
    const share = c.size > 0 ? Math.floor(100 * c.received / c.size) : 0;
    line.textContent = c.status === 'uploading' ? 'Uploading: ' + share + '% of ' + bytes(c.size) + ' received.'
      : 'Processing: the preview is being made.';
    const url = (c.urls || {}).poster;
    // Links are signed anew on each answer: the picture is fetched again only when it is a new one.
    const key = url ? url.split('?')[0] : null;
    if (key && key !== picture) {
      picture = key;
      poster.src = url;
      poster.hidden = false;
    }
  };
  update(clip);
  let timer;
  const poll = async () => {
    const now = await api('GET', '/api/clips/' + clip.id).catch(() => null);
    if (!current(view)) return;
    if (now && now.status !== 'uploading' && now.status !== 'processing') {
      route();
      return;
    }
    if (now) update(now);
    timer = setTimeout(poll, POLL_MS);
  };
  timer = setTimeout(poll, POLL_MS);
  stopView = () => clearTimeout(timer);
  return [line, poster];
}

function player(urls, title) {
  const video = el('video', { id: 'preview', controls: true, autoplay: true, muted: true, playsinline: true,
    preload: 'auto', poster: urls.poster || null, src: urls.preview, 'aria-label': 'Preview of ' + title });
  video.muted = true;
  const seek = el('input', { id: 'seek', type: 'range', min: '0', max: '1000', value: '0', step: '1',
    'aria-label': 'Seek (hover to see the storyboard)' });
  const preview = el('div', { class: 'scrub-preview', id: 'storyboard-preview', hidden: true, 'aria-hidden': 'true' },
    el('span', {}));
  const wrap = el('div', { class: 'player' }, video, el('div', { class: 'scrub' }, preview, seek));
  video.addEventListener('timeupdate', () => {
    if (video.duration) seek.value = String(Math.round(1000 * video.currentTime / video.duration));
  });
  seek.addEventListener('input', () => {
    if (video.duration) video.currentTime = video.duration * Number(seek.value) / 1000;
  });
  if (urls.storyboard && urls['storyboard-vtt']) {
    storyboard(urls['storyboard-vtt']).then(cues => {
      const at = fraction => {
        const duration = video.duration || (cues.length ? cues[cues.length - 1].end : 0);
        const t = fraction * duration;
        const cue = cues.find(c => t >= c.start && t < c.end) || cues[cues.length - 1];
        if (!cue) return;
        preview.hidden = false;
        preview.style.width = cue.w + 'px';
        preview.style.height = cue.h + 'px';
        preview.style.backgroundImage = 'url("' + urls.storyboard + '")';
        preview.style.backgroundPosition = -cue.x + 'px ' + -cue.y + 'px';
        preview.style.left = Math.min(Math.max(fraction * seek.clientWidth, cue.w / 2), seek.clientWidth - cue.w / 2) + 'px';
        preview.dataset.time = String(t);
        preview.firstChild.textContent = duration ? clock(t) : '';
      };
      const fractionOf = event => {
        const box = seek.getBoundingClientRect();
        return Math.min(1, Math.max(0, (event.clientX - box.left) / box.width));
      };
      seek.addEventListener('pointermove', event => at(fractionOf(event)));
      seek.addEventListener('pointerleave', () => { preview.hidden = true; });
      seek.addEventListener('focus', () => at(Number(seek.value) / 1000));
      seek.addEventListener('input', () => at(Number(seek.value) / 1000));
      seek.addEventListener('blur', () => { preview.hidden = true; });
    }).catch(() => {});
  }
  return wrap;
}

function clock(seconds) {
  return duration(Math.max(1, seconds * 1000)) || '0:00';
}

/** The storyboard's WebVTT cues: start and end in seconds, and the tile's place in the sprite. */
async function storyboard(url) {
  const res = await fetch(url);
  if (!res.ok) throw new Error('storyboard ' + res.status);
  const cues = [];
  const time = t => t.split(':').reduce((sum, part) => sum * 60 + Number(part), 0);
  for (const block of (await res.text()).split(/\r?\n\r?\n/)) {
    const lines = block.trim().split(/\r?\n/);
    const timing = lines.findIndex(l => l.includes('-->'));
    if (timing < 0 || !lines[timing + 1]) continue;
    const [start, end] = lines[timing].split('-->').map(s => time(s.trim()));
    const xywh = lines[timing + 1].match(/#xywh=(\d+),(\d+),(\d+),(\d+)/);
    if (xywh) cues.push({ start, end, x: +xywh[1], y: +xywh[2], w: +xywh[3], h: +xywh[4] });
  }
  return cues;
}

function facts(clip) {
  const p = clip.probe;
  const meta = clip.metadata || {};
  const rows = [];
  const add = (name, value) => {
    if (value) rows.push(el('dt', {}, name), el('dd', {}, value));
  };
  add('Kind', eventName(meta.event, meta.kind));
  add('Recorded', when(meta.recordedAt || (p && p.creationTime) || clip.createdAt));
  if (p) {
    add('Video', Math.min(p.width, p.height) + 'p · ' + Math.round(p.fps) + ' fps · ' + (p.videoCodec || '').toUpperCase()
      + (p.rotation ? ' · turned ' + p.rotation + '°' : ''));
    add('Length', duration(p.durationMs));
    add('Sound', p.hasAudio ? (p.audioCodec || '').toUpperCase() + ', ' + (p.audioChannels === 1 ? 'mono' : p.audioChannels
      + ' channels') : 'None');
  }
  add('Size', bytes(clip.size));
  add('Camera', clip.deviceId);
  add('Uploaded', when(clip.createdAt));
  if (clip.expiresAt) add('Expires', when(clip.expiresAt) + ' (' + expiresIn(clip.expiresAt).toLowerCase() + ')');
  add('File name', meta.filename);
  return el('dl', { class: 'facts', id: 'facts' }, rows);
}

function confirmDelete(clip, status) {
  const dialog = el('dialog', { id: 'confirm-delete', 'aria-labelledby': 'confirm-delete-title' },
    el('h2', { id: 'confirm-delete-title' }, 'Delete this clip?'),
    el('p', {}, 'The original, its preview and its pictures are removed from Convoy\'s storage for good.'),
    el('form', { method: 'dialog', class: 'actions' },
      el('button', { value: 'keep', id: 'keep' }, 'Keep it'),
      el('button', { value: 'delete', class: 'danger', id: 'confirm' }, 'Delete for good')));
  dialog.addEventListener('close', async () => {
    dialog.remove();
    if (dialog.returnValue !== 'delete') return;
    try {
      await attempt(status, () => api('DELETE', '/api/clips/' + clip.id));
      notice = 'The clip was deleted.';
      location.hash = '#/' + ({ incident: 'incidents', manual: 'clips', drive: 'drives' }[clip.metadata.kind] || 'incidents');
    } catch {
      // The sentence is shown.
    }
  });
  main.append(dialog);
  dialog.showModal();
}

// ---- Devices ----

async function devicesView() {
  const view = shown;
  const status = el('p', { class: 'error', role: 'alert' });
  const name = el('input', { id: 'device-name', name: 'name', required: true, maxlength: '64', placeholder: 'Front camera' });
  const paired = el('div', { id: 'paired' });
  const body = el('tbody');
  const table = el('table', { id: 'devices' }, el('caption', { class: 'visually-hidden' }, 'Paired cameras'),
    el('thead', {}, el('tr', {}, ['Name', 'Id', 'Paired', 'State', ''].map(h => el('th', { scope: 'col' }, h)))), body);
  const form = el('form', { class: 'stack', onsubmit: async event => {
    event.preventDefault();
    try {
      const device = await attempt(status, () => api('POST', '/api/devices', { name: name.value }));
      name.value = '';
      paired.replaceChildren(tokenCard(device));
      await list();
    } catch {
      // The sentence is shown.
    }
  } }, el('label', {}, 'Camera name', name), el('button', { type: 'submit', class: 'primary' }, 'Pair camera'));

  async function list() {
    const answer = await attempt(status, () => api('GET', '/api/devices'));
    if (!current(view)) return;
    body.replaceChildren(...answer.items.map(d => el('tr', { 'data-device': d.deviceId },
      el('td', {}, d.name), el('td', {}, el('code', {}, d.deviceId)), el('td', {}, when(d.pairedAt)),
      el('td', {}, d.revokedAt ? 'Revoked ' + when(d.revokedAt) : 'Active'),
      el('td', {}, d.revokedAt ? '' : el('button', { type: 'button', class: 'revoke', onclick: () => revoke(d) },
        'Revoke ' + d.name)))));
  }

  async function revoke(device) {
    const dialog = el('dialog', { id: 'confirm-revoke', 'aria-labelledby': 'confirm-revoke-title' },
      el('h2', { id: 'confirm-revoke-title' }, 'Revoke ' + device.name + '?'),
      el('p', {}, 'The camera can no longer upload with its token; pair it again to use it.'),
      el('form', { method: 'dialog', class: 'actions' }, el('button', { value: 'keep' }, 'Keep it'),
        el('button', { value: 'revoke', class: 'danger', id: 'confirm' }, 'Revoke')));
    dialog.addEventListener('close', async () => {
      dialog.remove();
      if (dialog.returnValue !== 'revoke') return;
      try {
        await attempt(status, () => api('DELETE', '/api/devices/' + encodeURIComponent(device.deviceId)));
        await list();
      } catch {
        // The sentence is shown.
      }
    });
    main.append(dialog);
    dialog.showModal();
  }

  show('Devices', el('p', { class: 'muted' }, 'Pair a camera or phone app: it gets a token, shown once here, to upload with.'),
    form, paired, status, el('h2', {}, 'Paired'), table);
  list().catch(() => {});
}

/** The new device's token, shown once, with a QR code carrying this server's address and the token. */
function tokenCard(device) {
  const pairing = 'convoy://pair?server=' + encodeURIComponent(location.origin) + '&device=' + encodeURIComponent(device.deviceId)
    + '&token=' + encodeURIComponent(device.token);
  const qr = qrcode(0, 'L');
  qr.addData(pairing);
  qr.make();
  return el('section', { class: 'token', 'aria-labelledby': 'token-title' },
    el('h2', { id: 'token-title' }, device.name + ' is paired'),
    el('p', {}, 'Scan this code with the camera app, or copy the token into it. It is shown only now.'),
    el('img', { id: 'pairing-qr', src: qr.createDataURL(4, 2), alt: 'QR code for pairing ' + device.name,
      'data-payload': pairing }),
    el('code', { id: 'device-token' }, device.token));
}
