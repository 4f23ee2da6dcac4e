/**
 * The application shell's body limit, over a real socket (the Node adapter,
 * whose fast body path it must leave alone) and in process: a declared length
 * is judged from the header, a chunked body as it streams, and a body at the
 * limit is read whole.
 */
import assert from 'node:assert/strict';
import type { AddressInfo } from 'node:net';
import { after, before, describe, it } from 'node:test';
import { serve, type ServerType } from '@hono/node-server';
import { createApp, REQUEST_BODY_BYTES_MAX } from './app.ts';

const app = createApp({ version: 'test', healthChecks: [] });
app.post('/echo-length', async (c) => c.json({ bytes: (await c.req.text()).length }));
app.get('/plain', (c) => c.json({ ok: true }));

function chunked(bytes: number): ReadableStream<Uint8Array> {
  const chunkBytes = 4_096;
  return new ReadableStream<Uint8Array>({
    start(controller) {
      for (let at = 0; at < bytes; at += chunkBytes) controller.enqueue(new Uint8Array(Math.min(chunkBytes, bytes - at)).fill(0x61));
      controller.close();
    },
  });
}

describe('request body limit', () => {
  let server: ServerType;
  let url = '';
  before(async () => {
    server = serve({ fetch: app.fetch, port: 0, hostname: '127.0.0.1' });
    await new Promise<void>((resolve) => server.once('listening', () => resolve()));
    url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  after(async () => {
    await new Promise<void>((resolve) => server.close(() => resolve()));
  });

  const cases: readonly { name: string; body: () => BodyInit; status: number; bytes?: number }[] = [
    { name: 'a declared length at the limit is read whole', body: () => 'a'.repeat(REQUEST_BODY_BYTES_MAX), status: 200, bytes: REQUEST_BODY_BYTES_MAX },
    { name: 'a declared length one byte over is refused', body: () => 'a'.repeat(REQUEST_BODY_BYTES_MAX + 1), status: 413 },
    { name: 'a chunked body at the limit is read whole', body: () => chunked(REQUEST_BODY_BYTES_MAX), status: 200, bytes: REQUEST_BODY_BYTES_MAX },
    { name: 'a chunked body one byte over is refused', body: () => chunked(REQUEST_BODY_BYTES_MAX + 1), status: 413 },
    { name: 'an empty body is read', body: () => '', status: 200, bytes: 0 },
  ];
  for (const c of cases) {
    it(c.name, async () => {
      const response = await fetch(`${url}/echo-length`, { method: 'POST', body: c.body(), duplex: 'half' } as RequestInit);
      const body = (await response.json()) as { bytes?: number; error?: { code: string } };
      assert.equal(response.status, c.status);
      if (c.status === 413) assert.equal(body.error?.code, 'BODY_TOO_LARGE');
      else assert.equal(body.bytes, c.bytes);
    });
  }

  it('lets a GET without a body through, over the socket and in process', async () => {
    assert.equal((await fetch(`${url}/plain`)).status, 200);
    assert.equal((await app.request('/plain')).status, 200);
  });

  it('refuses a declared length over the limit in process too', async () => {
    const response = await app.request('/echo-length', { method: 'POST', body: 'a'.repeat(REQUEST_BODY_BYTES_MAX + 1), headers: { 'Content-Length': String(REQUEST_BODY_BYTES_MAX + 1) } });
    assert.equal(response.status, 413);
  });
});
