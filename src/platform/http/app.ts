/**
 * The HTTP application shell every institution mounts its routes on: one
 * error boundary that renders `{"error":{"code","message"}}` and never leaks
 * internals, a body size limit, and the health endpoint.
 */
import { Hono } from 'hono';
import { bodyLimit } from 'hono/body-limit';

/** Largest request body any dari endpoint accepts, in bytes. */
export const REQUEST_BODY_BYTES_MAX = 64 * 1024;

export interface HealthCheck {
  readonly name: string;
  /** Resolves with details when healthy; rejects when not. */
  check(): Promise<Record<string, unknown>>;
}

export function createApp(options: { readonly version: string; readonly healthChecks: readonly HealthCheck[] }): Hono {
  const app = new Hono();
  app.use('*', bodyLimit({ maxSize: REQUEST_BODY_BYTES_MAX, onError: (c) => c.json(errorBody('BODY_TOO_LARGE', `request bodies are limited to ${REQUEST_BODY_BYTES_MAX} bytes`), 413) }));
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

export function errorBody(code: string, message: string): { error: { code: string; message: string } } {
  return { error: { code, message } };
}
