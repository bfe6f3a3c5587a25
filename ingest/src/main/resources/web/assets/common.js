// What both pages share: the session kept in this browser, calls to the JSON API, and the words
// and numbers shown to people.

const SESSION = 'convoy.session';

export function session() {
  try {
    const saved = JSON.parse(localStorage.getItem(SESSION) || 'null');
    return saved && saved.token && Date.parse(saved.expiresAt) > Date.now() ? saved : null;
  } catch {
    return null;
  }
}

export function saveSession(answer) {
  localStorage.setItem(SESSION, JSON.stringify({
    token: answer.token, owner: answer.owner, operator: answer.operator === true, expiresAt: answer.expiresAt,
  }));
}

export function forgetSession() {
  localStorage.removeItem(SESSION);
}

/** An API error: its HTTP status, its stable code and the sentence a person can act on. */
export class ApiError extends Error {
  constructor(status, code, message) {
    super(message);
    this.status = status;
    this.code = code;
  }
}

/** Calls the JSON API with this browser's session; resolves to the parsed answer (null for 204). */
export async function api(method, path, body) {
  const headers = { Accept: 'application/json' };
  const current = session();
  if (current) headers.Authorization = 'Bearer ' + current.token;
  if (body !== undefined) headers['Content-Type'] = 'application/json';
  let res;
  try {
    res = await fetch(path, { method, headers, body: body === undefined ? undefined : JSON.stringify(body) });
  } catch {
    throw new ApiError(0, 'network', 'Convoy could not be reached; check the connection and try again.');
  }
  if (res.status === 204) return null;
  const text = await res.text();
  let json = null;
  try {
    json = text ? JSON.parse(text) : null;
  } catch {
    json = null;
  }
  if (!res.ok) {
    const error = json && json.error ? json.error : {};
    throw new ApiError(res.status, error.code || 'http_' + res.status,
      error.message || 'The server answered ' + res.status + '; try again.');
  }
  return json;
}

/** Makes an element: el('p', {class: 'muted'}, 'text', child, ...). Text is always text, never markup. */
export function el(tag, attrs, ...children) {
  const node = document.createElement(tag);
  for (const [name, value] of Object.entries(attrs || {})) {
    if (value === null || value === undefined || value === false) continue;
    if (name.startsWith('on')) node.addEventListener(name.slice(2), value);
    else if (name === 'text') node.textContent = value;
    else node.setAttribute(name, value === true ? '' : value);
  }
  for (const child of children.flat()) {
    if (child === null || child === undefined || child === false) continue;
    node.append(child instanceof Node ? child : document.createTextNode(String(child)));
  }
  return node;
}

const DATE_TIME = new Intl.DateTimeFormat(undefined, { dateStyle: 'medium', timeStyle: 'short' });

export function when(iso) {
  return iso ? DATE_TIME.format(new Date(iso)) : '';
}

/** 65000 → "1:05"; 3725000 → "1:02:05". */
export function duration(ms) {
  if (!ms || ms < 0) return '';
  const s = Math.round(ms / 1000);
  const h = Math.floor(s / 3600);
  const m = Math.floor((s % 3600) / 60);
  const sec = String(s % 60).padStart(2, '0');
  return h > 0 ? h + ':' + String(m).padStart(2, '0') + ':' + sec : m + ':' + sec;
}

export function bytes(n) {
  if (n === null || n === undefined || !Number.isFinite(n)) return '–';
  const units = ['B', 'KB', 'MB', 'GB', 'TB'];
  let i = 0;
  while (n >= 1000 && i < units.length - 1) {
    n /= 1000;
    i++;
  }
  return (i === 0 ? n : n.toFixed(n < 10 ? 1 : 0)) + ' ' + units[i];
}

const EVENTS = { collision: 'Collision', hard_brake: 'Hard brake', manual: 'Manual', harsh_turn: 'Harsh turn',
  speeding: 'Speeding', parking: 'Parking bump' };

/** The words for an event type (hard_brake → "Hard brake"). */
export function eventName(event, kind) {
  if (!event) return kind === 'manual' ? 'Manual' : kind === 'drive' ? 'Drive' : 'Incident';
  return EVENTS[event] || event.replace(/_/g, ' ').replace(/^./, c => c.toUpperCase());
}

export const EVENT_TYPES = Object.keys(EVENTS);
