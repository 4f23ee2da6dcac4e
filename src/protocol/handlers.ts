/**
 * The handlers mounted on each app, by endpoint: a message inside an envelope
 * is answered by the very handler of its single-message endpoint.
 */
import type { Hono } from 'hono';
import type { ProtocolEndpointName, ProtocolRequest, ProtocolResponse } from './messages.ts';

export interface HandlerSender {
  readonly clientId: string;
}
type Handler = (request: never, sender: HandlerSender) => Promise<unknown>;

const handlersByApp = new WeakMap<Hono, Map<ProtocolEndpointName, Handler>>();

export function registerHandler<N extends ProtocolEndpointName>(
  app: Hono,
  name: N,
  handle: (request: ProtocolRequest<N>, sender: HandlerSender) => Promise<ProtocolResponse<N>>,
): void {
  const handlers = handlersByApp.get(app) ?? new Map<ProtocolEndpointName, Handler>();
  handlers.set(name, handle as Handler);
  handlersByApp.set(app, handlers);
}

export function handlersOf(app: Hono): ReadonlyMap<ProtocolEndpointName, Handler> | undefined {
  return handlersByApp.get(app);
}
