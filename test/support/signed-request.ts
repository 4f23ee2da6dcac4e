/**
 * Hand-built signed protocol requests, for the tests that break one thing in
 * an otherwise genuine message: the bytes an institution would send
 * (`platform/signing`), posted over real HTTP, with the answer's signer
 * checked the way a peer client checks it.
 */
import type { KeyObject } from 'node:crypto';
import { formatRequestTime, signMessage, verifyMessage, type KeyDirectory } from '../../src/platform/signing/index.ts';

/** A request as it goes on the wire: its headers and the exact body bytes that were signed (or not). */
export interface SignedRequest {
  readonly headers: Readonly<Record<string, string>>;
  readonly body: string;
}

export interface Signer {
  readonly clientId: string;
  readonly privateKey: KeyObject;
  readonly keyVersion?: number;
}

/** Signs `body` (JSON-encoded unless already text) for a POST to `path`, as `signer` at `requestTime` (now by default). */
export function signRequest(options: { readonly path: string; readonly body: unknown; readonly signer: Signer; readonly requestTime?: Date }): SignedRequest {
  const body = typeof options.body === 'string' ? options.body : JSON.stringify(options.body);
  const headers = signMessage({
    method: 'POST',
    path: options.path,
    clientId: options.signer.clientId,
    requestTime: formatRequestTime(options.requestTime ?? new Date()),
    body,
    privateKey: options.signer.privateKey,
    keyVersion: options.signer.keyVersion ?? 1,
  });
  return { headers: { ...headers, 'Content-Type': 'application/json' }, body };
}

export interface SignedAnswer {
  readonly status: number;
  readonly body: unknown;
  /** Who signed the answer, verified against `keys`; null when it is unsigned or the signature does not verify. */
  readonly signedBy: string | null;
}

/** POSTs a (possibly tampered) signed request and reads the answer, verifying its signature. */
export async function postSigned(options: { readonly baseUrl: string; readonly path: string; readonly request: SignedRequest; readonly keys: KeyDirectory }): Promise<SignedAnswer> {
  const response = await fetch(`${options.baseUrl}${options.path}`, { method: 'POST', headers: options.request.headers, body: options.request.body });
  const text = await response.text();
  const verified = verifyMessage({ method: 'POST', path: options.path, headers: response.headers, body: text, keys: options.keys, now: new Date() });
  let body: unknown = text;
  try {
    body = JSON.parse(text);
  } catch {
    // Not JSON: kept as text for the assertion's message.
  }
  return { status: response.status, body, signedBy: verified.ok ? verified.value.clientId : null };
}
