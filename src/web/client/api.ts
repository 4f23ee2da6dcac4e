/// <reference lib="dom" />
/**
 * Calls to dari's JSON APIs from the browser, with the role's bearer key
 * kept in sessionStorage (this tab only, gone when it closes), and the
 * acquirer's live stream of one payment read over fetch (EventSource cannot
 * send an Authorization header).
 */
import type { DemoKey } from '../routes.ts';

/** Longest one call may take before the console says so, in milliseconds. */
export const CALL_TIMEOUT_MS = 30_000;
/** Largest live event read, in characters: a status line is tens. */
const EVENT_CHARS_MAX = 4_096;
/** Largest file the console saves for a person, in bytes (a payout file is about 150 bytes a merchant). */
export const DOWNLOAD_BYTES_MAX = 16 * 1024 * 1024;
/** How long a saved file's object URL is kept for the browser to read, in milliseconds. */
const DOWNLOAD_URL_KEPT_MS = 60_000;

export type Answer<T> =
  | { readonly ok: true; readonly status: number; readonly body: T }
  | { readonly ok: false; readonly status: number; readonly code: string; readonly message: string };

export interface Session {
  readonly key: string;
  readonly label: string;
  readonly merchantId?: string;
}

const storageKey = (role: string) => `dari.console.${role}`;

export function loadSession(role: string): Session | null {
  const stored = sessionStorage.getItem(storageKey(role));
  if (stored === null) return null;
  try {
    const value = JSON.parse(stored) as Partial<Session>;
    return typeof value.key === 'string' ? { key: value.key, label: typeof value.label === 'string' ? value.label : '', ...(typeof value.merchantId === 'string' ? { merchantId: value.merchantId } : {}) } : null;
  } catch {
    return null;
  }
}

export function saveSession(role: string, session: Session): void {
  sessionStorage.setItem(storageKey(role), JSON.stringify(session));
}

export function clearSession(role: string): void {
  sessionStorage.removeItem(storageKey(role));
}

export async function call<T>(method: 'GET' | 'POST' | 'PUT', path: string, options: { readonly key?: string; readonly body?: unknown } = {}): Promise<Answer<T>> {
  const headers: Record<string, string> = { Accept: 'application/json' };
  if (options.key !== undefined) headers['Authorization'] = `Bearer ${options.key}`;
  if (options.body !== undefined) headers['Content-Type'] = 'application/json';
  let response: Response;
  try {
    response = await fetch(path, { method, headers, ...(options.body === undefined ? {} : { body: JSON.stringify(options.body) }), signal: AbortSignal.timeout(CALL_TIMEOUT_MS) });
  } catch (error) {
    return { ok: false, status: 0, code: 'OFFLINE', message: error instanceof Error ? error.message : String(error) };
  }
  const text = await response.text();
  let body: unknown = null;
  try {
    body = text === '' ? null : JSON.parse(text);
  } catch {
    body = null;
  }
  if (response.ok) return { ok: true, status: response.status, body: body as T };
  const error = (body as { error?: { code?: string; message?: string } } | null)?.error;
  return { ok: false, status: response.status, code: error?.code ?? `HTTP_${response.status}`, message: error?.message ?? response.statusText };
}

/**
 * Fetches a file with the role's key (a link cannot send an Authorization
 * header) and hands it to the browser to save, under the name the server
 * gives in Content-Disposition.
 */
export async function download(path: string, key: string): Promise<Answer<{ readonly name: string; readonly bytes: number }>> {
  let response: Response;
  try {
    response = await fetch(path, { headers: { Authorization: `Bearer ${key}` }, signal: AbortSignal.timeout(CALL_TIMEOUT_MS) });
  } catch (error) {
    return { ok: false, status: 0, code: 'OFFLINE', message: error instanceof Error ? error.message : String(error) };
  }
  if (!response.ok) {
    const body = (await response.json().catch(() => null)) as { error?: { code?: string; message?: string } } | null;
    return { ok: false, status: response.status, code: body?.error?.code ?? `HTTP_${response.status}`, message: body?.error?.message ?? response.statusText };
  }
  const blob = await response.blob();
  if (blob.size > DOWNLOAD_BYTES_MAX) return { ok: false, status: response.status, code: 'FILE_TOO_LARGE', message: `the file is over ${DOWNLOAD_BYTES_MAX} bytes` };
  const name = /filename="([^"]{1,100})"/.exec(response.headers.get('content-disposition') ?? '')?.[1] ?? 'download';
  const url = URL.createObjectURL(blob);
  const link = document.createElement('a');
  link.href = url;
  link.download = name;
  document.body.appendChild(link);
  link.click();
  link.remove();
  setTimeout(() => URL.revokeObjectURL(url), DOWNLOAD_URL_KEPT_MS);
  return { ok: true, status: response.status, body: { name, bytes: blob.size } };
}

/** The demo's key for this console, when the server offers it to this browser. */
export async function demoKey(role: string): Promise<Answer<DemoKey>> {
  return call<DemoKey>('GET', `/console/demo-credentials/${role}`);
}

/**
 * Follows a Server-Sent Events stream, calling `onEvent` with each event's
 * name and JSON data, until the server ends it or `signal` aborts.
 */
export async function followEvents(path: string, key: string, onEvent: (event: string, data: unknown) => void, signal: AbortSignal): Promise<void> {
  const response = await fetch(path, { headers: { Authorization: `Bearer ${key}`, Accept: 'text/event-stream' }, signal });
  if (!response.ok || response.body === null) throw new Error(`live status: HTTP ${response.status}`);
  const reader = response.body.pipeThrough(new TextDecoderStream()).getReader();
  let buffer = '';
  for (;;) {
    const { done, value } = await reader.read();
    if (done) return;
    buffer += value;
    if (buffer.length > EVENT_CHARS_MAX * 4) throw new Error('live status: an event is too long');
    for (let end = buffer.indexOf('\n\n'); end >= 0; end = buffer.indexOf('\n\n')) {
      const block = buffer.slice(0, end);
      buffer = buffer.slice(end + 2);
      let event = 'message';
      let data = '';
      for (const line of block.split('\n')) {
        if (line.startsWith('event:')) event = line.slice(6).trim();
        else if (line.startsWith('data:')) data += line.slice(5).trim();
      }
      if (data.length === 0 || data.length > EVENT_CHARS_MAX) continue;
      onEvent(event, JSON.parse(data));
    }
  }
}
