/**
 * The console's HTTP surface: the root page, one page per role, the browser
 * assets, and the demo's keys for a browser on this very machine. The
 * consoles themselves call the institutions' public JSON APIs, as any client
 * would; this module reaches into no institution.
 */
import { existsSync, readFileSync } from 'node:fs';
import { getConnInfo } from '@hono/node-server/conninfo';
import type { Context, Hono } from 'hono';
import { z } from 'zod';
import type { RouteDoc } from '../platform/http/contract.ts';
import { errorBody } from '../platform/http/app.ts';
import { requestLocale } from '../platform/http/locale.ts';
import { ASSET_PATH_PREFIX, CONSOLE_ENTRIES, consoleAssets, type ConsoleEntry } from './assets.ts';
import { CONSOLES, consolePage, rootPage, type ShopLink } from './pages.ts';

export interface WebConsoleOptions {
  /**
   * The demo's credentials file (all-in-one `writeDemoCredentials`). Its keys
   * are offered only to a browser on this machine, and only while the file
   * exists; without it, or elsewhere, each console asks for a key.
   */
  readonly demoCredentialsPath?: string;
  /** The web shops beside dari that the root page leads to (the demo's, where online checkout starts). */
  readonly shops?: readonly ShopLink[];
}

/**
 * Only the server's own origin: scripts, styles, images, connections. A
 * payment console must work on a closed network, and this makes the browser
 * refuse anything else (`data:` and `blob:` images for QR codes and photos).
 */
export const CONTENT_SECURITY_POLICY =
  "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data: blob:; media-src 'self' blob:; connect-src 'self'; object-src 'none'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'";

/** What each console is given of the demo's credentials: its own key, nothing else. */
const demoFileSchema = z.object({
  networkOperatorKey: z.string(),
  acquirerOperatorKey: z.string(),
  tourist: z.object({ token: z.string(), name: z.string() }),
  merchant: z.object({ merchantId: z.string(), name: z.string(), terminalId: z.string(), terminalKey: z.string() }),
});

export const demoKeySchema = z.object({
  key: z.string().meta({ description: 'the bearer credential of this role: a user token, a terminal key or an operator key' }),
  label: z.string().meta({ description: 'whose key it is, to show' }),
  merchantId: z.string().optional(),
});
export type DemoKey = z.infer<typeof demoKeySchema>;

function demoKeyFor(entry: ConsoleEntry, file: z.infer<typeof demoFileSchema>): DemoKey {
  switch (entry) {
    case 'wallet':
      return { key: file.tourist.token, label: file.tourist.name };
    case 'pos':
      return { key: file.merchant.terminalKey, label: `${file.merchant.name} · ${file.merchant.terminalId}`, merchantId: file.merchant.merchantId };
    case 'acquirer':
      return { key: file.acquirerOperatorKey, label: 'acquirer operator' };
    case 'network':
      return { key: file.networkOperatorKey, label: 'network operator' };
  }
}

const LOOPBACK_HOSTS = new Set(['localhost', '127.0.0.1', '[::1]']);

/**
 * Whether a request comes from this machine: the peer is a loopback address
 * and the Host it asked for is a loopback name. The second check keeps the
 * keys from a browser elsewhere whose requests a local reverse proxy forwards.
 */
export function isLoopbackRequest(remoteAddress: string | undefined, host: string | undefined): boolean {
  if (remoteAddress === undefined || host === undefined) return false;
  const peer = remoteAddress.startsWith('::ffff:') ? remoteAddress.slice('::ffff:'.length) : remoteAddress;
  const peerIsLoopback = peer === '::1' || /^127\.[0-9]{1,3}\.[0-9]{1,3}\.[0-9]{1,3}$/.test(peer);
  const hostName = host.toLowerCase().replace(/:[0-9]{1,5}$/, '');
  return peerIsLoopback && LOOPBACK_HOSTS.has(hostName);
}

function fromThisMachine(c: Context): boolean {
  let address: string | undefined;
  try {
    address = getConnInfo(c).remote.address;
  } catch {
    // Not served by @hono/node-server (an in-process request): no peer to trust.
    return false;
  }
  return isLoopbackRequest(address, c.req.header('host'));
}

function readDemoFile(path: string | undefined): z.infer<typeof demoFileSchema> | null {
  if (path === undefined || !existsSync(path)) return null;
  const parsed = demoFileSchema.safeParse(JSON.parse(readFileSync(path, 'utf8')));
  return parsed.success ? parsed.data : null;
}

function htmlPage(c: Context, body: string): Response {
  c.header('Content-Security-Policy', CONTENT_SECURITY_POLICY);
  c.header('X-Content-Type-Options', 'nosniff');
  c.header('Referrer-Policy', 'no-referrer');
  // The language is in the page; a shared cache must not hand one person's choice to another.
  c.header('Cache-Control', 'no-store');
  c.header('Vary', 'Cookie, Accept-Language');
  return c.html(body);
}

export function mountWebConsole(app: Hono, options: WebConsoleOptions = {}): void {
  app.get('/', (c) => htmlPage(c, rootPage(requestLocale(c), options.shops)));

  for (const { entry, path } of CONSOLES) {
    app.get(path, (c) => {
      const demo = fromThisMachine(c) && readDemoFile(options.demoCredentialsPath) !== null;
      return htmlPage(c, consolePage({ locale: requestLocale(c), entry, demo }));
    });
  }

  app.get('/console/demo-credentials/:role', (c) => {
    c.header('Cache-Control', 'no-store');
    const role = c.req.param('role');
    const entry = CONSOLE_ENTRIES.find((e) => e === role);
    if (entry === undefined) return c.json(errorBody('NOT_FOUND', `no console ${role}`), 404);
    if (!fromThisMachine(c)) return c.json(errorBody('FORBIDDEN', 'the demo keys are given only to a browser on the machine that runs dari'), 403);
    const file = readDemoFile(options.demoCredentialsPath);
    if (file === null) return c.json(errorBody('NOT_FOUND', 'this server has no demo credentials'), 404);
    return c.json(demoKeyFor(entry, file));
  });

  app.get(`${ASSET_PATH_PREFIX}:name`, async (c) => {
    const asset = (await consoleAssets()).get(c.req.param('name'));
    if (asset === undefined) return c.json(errorBody('NOT_FOUND', `no asset ${c.req.param('name')}`), 404);
    c.header('ETag', asset.etag);
    c.header('Cache-Control', asset.immutable ? 'public, max-age=31536000, immutable' : 'no-cache');
    c.header('X-Content-Type-Options', 'nosniff');
    if (c.req.header('if-none-match') === asset.etag) return c.body(null, 304);
    c.header('Content-Type', asset.contentType);
    return c.body(asset.body, 200);
  });
}

export const WEB_ROUTE_DOCS: readonly RouteDoc[] = [
  { method: 'get', path: '/', summary: 'The root page (HTML): what dari is, and each role’s console (?lang=ko|zh|en)', tag: 'console' },
  { method: 'get', path: '/console/demo-credentials/{role}', summary: 'The demo’s key for one console (wallet, pos, acquirer, network), to a browser on the machine that runs dari only', tag: 'console', response: demoKeySchema, errors: [{ status: 403, code: 'FORBIDDEN' }, { status: 404, code: 'NOT_FOUND' }] },
];
