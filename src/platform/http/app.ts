/**
 * The HTTP application shell every institution mounts its routes on: one
 * error boundary that renders `{"error":{"code","message"}}` and never leaks
 * internals, a body size limit, and the health endpoint.
 */
import { Hono, type MiddlewareHandler } from 'hono';
import { bodyLimit } from 'hono/body-limit';

/** Largest request body any dari endpoint accepts, in bytes. */
export const REQUEST_BODY_BYTES_MAX = 64 * 1024;

export interface HealthCheck {
  readonly name: string;
  /** Resolves with details when healthy; rejects when not. */
  check(): Promise<Record<string, unknown>>;
}

/**
 * A route whose bodies may be larger than `REQUEST_BODY_BYTES_MAX` (the mall's
 * CSV upload, 1 MiB): its exact path and its own named limit. The route still
 * enforces that limit itself; this only stops the shell refusing it first.
 */
export interface RouteBodyLimit {
  readonly path: string;
  readonly bodyBytesMax: number;
}

/** The largest a route's own body limit may be, in bytes: nothing dari takes in one request is bigger. */
export const ROUTE_BODY_BYTES_MAX = 8 * 1024 * 1024;

export function createApp(options: { readonly version: string; readonly healthChecks: readonly HealthCheck[]; readonly routeBodyLimits?: readonly RouteBodyLimit[] }): Hono {
  const app = new Hono();
  const standard = requestBodyLimit(REQUEST_BODY_BYTES_MAX);
  const byPath = new Map<string, MiddlewareHandler>();
  for (const route of options.routeBodyLimits ?? []) {
    if (!(Number.isSafeInteger(route.bodyBytesMax) && route.bodyBytesMax > REQUEST_BODY_BYTES_MAX && route.bodyBytesMax <= ROUTE_BODY_BYTES_MAX)) {
      throw new Error(`assertion failed: ${route.path}'s body limit is above ${REQUEST_BODY_BYTES_MAX} and at most ${ROUTE_BODY_BYTES_MAX} bytes, got ${route.bodyBytesMax}`);
    }
    if (byPath.has(route.path)) throw new Error(`assertion failed: one body limit per path, ${route.path} twice`);
    byPath.set(route.path, requestBodyLimit(route.bodyBytesMax));
  }
  app.use('*', byPath.size === 0 ? standard : (c, next) => (byPath.get(c.req.path) ?? standard)(c, next));
  app.get('/health', async (c) => {
    const checks = await Promise.all(
      options.healthChecks.map(async (h) => {
        try {
          return { name: h.name, status: 'ok', ...(await h.check()) };
        } catch (error) {
          return { name: h.name, status: 'failing', reason: error instanceof Error ? error.message : String(error) };
        }
      }),
    );
    const healthy = checks.every((check) => check.status === 'ok');
    return c.json({ status: healthy ? 'ok' : 'failing', version: options.version, checks }, healthy ? 200 : 503);
  });
  app.notFound((c) => c.json(errorBody('NOT_FOUND', `no route for ${c.req.method} ${c.req.path}`), 404));
  app.onError((error, c) => {
    // Internals never reach a client; the operator's log has them.
    console.error(`${c.req.method} ${c.req.path} failed:`, error);
    return c.json(errorBody('INTERNAL', 'the request could not be completed; it is safe to retry with the same request id'), 500);
  });
  return app;
}

/**
 * Refuses a request whose body is over `bodyBytesMax`, 413 BODY_TOO_LARGE.
 * Hono's `bodyLimit` asks for `c.req.raw.body` first, which makes the Node
 * adapter build a whole web `Request` with a stream for every request (in the
 * payments benchmark, a tenth of the acquirer's CPU); the adapter's own
 * `text()`/`json()` read the socket directly when nothing has. So a declared
 * `Content-Length` is judged from the header alone (Node's parser delivers
 * exactly that many bytes as the body), a GET or HEAD that declares no body
 * has none, and only a body sent without a length (chunked) is counted as it
 * streams, by Hono's middleware.
 */
export function requestBodyLimit(bodyBytesMax: number): MiddlewareHandler {
  const tooLarge = bodyLimit({ maxSize: bodyBytesMax, onError: (c) => c.json(errorBody('BODY_TOO_LARGE', `request bodies are limited to ${bodyBytesMax} bytes`), 413) });
  return async (c, next) => {
    const declared = c.req.header('content-length');
    const chunked = c.req.header('transfer-encoding') !== undefined;
    if (declared !== undefined && !chunked) {
      if (Number.parseInt(declared, 10) > bodyBytesMax) return c.json(errorBody('BODY_TOO_LARGE', `request bodies are limited to ${bodyBytesMax} bytes`), 413);
      return next();
    }
    if (!chunked && (c.req.method === 'GET' || c.req.method === 'HEAD')) return next();
    return tooLarge(c, next);
  };
}

export function errorBody(code: string, message: string): { error: { code: string; message: string } } {
  return { error: { code, message } };
}
