/**
 * A route's own body limit in the application shell: the path named gets its
 * larger limit, every other path keeps `REQUEST_BODY_BYTES_MAX`, and a limit
 * that is not larger, or too large, or given twice, is refused at start.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { createApp, REQUEST_BODY_BYTES_MAX, ROUTE_BODY_BYTES_MAX } from './app.ts';

const UPLOAD_BYTES_MAX = 4 * REQUEST_BODY_BYTES_MAX;

describe('route body limits', () => {
  const app = createApp({ version: 'test', healthChecks: [], routeBodyLimits: [{ path: '/upload', bodyBytesMax: UPLOAD_BYTES_MAX }] });
  app.post('/upload', async (c) => c.json({ bytes: (await c.req.text()).length }));
  app.post('/other', async (c) => c.json({ bytes: (await c.req.text()).length }));
  const post = (path: string, bytes: number) => app.request(path, { method: 'POST', headers: { 'Content-Length': String(bytes) }, body: 'a'.repeat(bytes) });

  it('gives the named path its own limit and keeps the shell’s everywhere else', async () => {
    const table: readonly [string, number, number][] = [
      ['/upload', UPLOAD_BYTES_MAX, 200],
      ['/upload', UPLOAD_BYTES_MAX + 1, 413],
      ['/other', REQUEST_BODY_BYTES_MAX, 200],
      ['/other', REQUEST_BODY_BYTES_MAX + 1, 413],
      ['/upload/more', REQUEST_BODY_BYTES_MAX + 1, 413],
    ];
    for (const [path, bytes, status] of table) assert.equal((await post(path, bytes)).status, status, `${path} ${bytes}`);
  });

  it('refuses a limit that is not above the shell’s, above the largest, or given twice', () => {
    const refused = [
      [{ path: '/x', bodyBytesMax: REQUEST_BODY_BYTES_MAX }],
      [{ path: '/x', bodyBytesMax: ROUTE_BODY_BYTES_MAX + 1 }],
      [{ path: '/x', bodyBytesMax: 1.5 * REQUEST_BODY_BYTES_MAX + 0.5 }],
      [
        { path: '/x', bodyBytesMax: UPLOAD_BYTES_MAX },
        { path: '/x', bodyBytesMax: UPLOAD_BYTES_MAX },
      ],
    ];
    for (const routeBodyLimits of refused) assert.throws(() => createApp({ version: 'test', healthChecks: [], routeBodyLimits }), /assertion failed/);
  });
});
