/**
 * What every institution's public routes share: parsing a JSON body against
 * its schema into a typed value or a 400 naming the field, the error body,
 * bearer tokens, and a description of each route for `/openapi.json`.
 * Routes stay thin (STYLE 5): parse, call one service function, map.
 */
import { createHash, timingSafeEqual } from 'node:crypto';
import type { Context } from 'hono';
import type { ContentfulStatusCode } from 'hono/utils/http-status';
import { z } from 'zod';
import { err, ok, type Result } from '../result.ts';
import { errorBody } from './app.ts';

export interface ApiError {
  readonly status: ContentfulStatusCode;
  /** Stable, UPPER_SNAKE: clients branch on it. */
  readonly code: string;
  readonly message: string;
}

/** Renders an error as every dari endpoint does: `{"error":{"code","message"}}` with its status. */
export function apiError(c: Context, error: ApiError): Response {
  return c.json(errorBody(error.code, error.message), error.status);
}

/** Parses the request's JSON body with `schema`; a body that is not JSON or does not fit is INVALID_REQUEST naming the field. */
export async function parseJsonBody<S extends z.ZodType>(c: Context, schema: S): Promise<Result<z.infer<S>, ApiError>> {
  let body: unknown;
  try {
    body = await c.req.json();
  } catch {
    return err({ status: 400, code: 'INVALID_REQUEST', message: 'the body must be a JSON object' });
  }
  return parseValue(schema, body);
}

export function parseValue<S extends z.ZodType>(schema: S, value: unknown): Result<z.infer<S>, ApiError> {
  const parsed = schema.safeParse(value);
  if (parsed.success) return ok(parsed.data);
  const issue = parsed.error.issues[0];
  const where = issue && issue.path.length > 0 ? `${issue.path.join('.')}: ` : '';
  return err({ status: 400, code: 'INVALID_REQUEST', message: `${where}${issue?.message ?? 'invalid request'}` });
}

/** The token of an `Authorization: Bearer <token>` header, or undefined. */
export function bearerToken(c: Context): string | undefined {
  const header = c.req.header('authorization');
  const match = header ? /^Bearer ([\x21-\x7e]{1,512})$/.exec(header) : null;
  return match?.[1];
}

/** Whether a presented key is the expected one, compared as SHA-256 digests in constant time: the comparison leaks neither the key nor its length. */
export function keyMatches(given: string, expected: string): boolean {
  const digest = (text: string): Buffer => createHash('sha256').update(text).digest();
  return timingSafeEqual(digest(given), digest(expected));
}

export const MISSING_BEARER: ApiError = { status: 401, code: 'UNAUTHENTICATED', message: 'send Authorization: Bearer <key>' };

/** One route as `/openapi.json` shows it. */
export interface RouteDoc {
  readonly method: 'get' | 'post' | 'put' | 'patch' | 'delete';
  /** OpenAPI path, with `{param}` for a parameter. */
  readonly path: string;
  readonly summary: string;
  readonly tag: string;
  /** Which bearer credential the route takes; none for a public or signed route. */
  readonly security?: 'userToken' | 'operatorKey' | 'walletOperatorKey' | 'terminalKey' | 'operatorOrTerminalKey' | 'networkOperatorKey' | 'mallOperatorKey' | 'sellerKey' | 'marketplaceOperatorKey' | 'signed';
  readonly request?: z.ZodType;
  /** A body that is not JSON (a CSV upload): its media type and what it holds; exclusive with `request`. */
  readonly requestBody?: { readonly mediaType: string; readonly description: string };
  readonly response?: z.ZodType;
  /** The error codes this route can answer, with their HTTP status. */
  readonly errors?: readonly { readonly status: number; readonly code: string }[];
}

/** The OpenAPI 3.1 document for `routes`; schemas come from the same zod schemas that parse the requests. */
export function openApiDocument(options: { readonly title: string; readonly version: string; readonly routes: readonly RouteDoc[] }): Record<string, unknown> {
  const paths: Record<string, Record<string, unknown>> = {};
  for (const route of options.routes) {
    const parameters = [...route.path.matchAll(/\{([A-Za-z]+)\}/g)].map((m) => ({ name: m[1], in: 'path', required: true, schema: { type: 'string' } }));
    const responses: Record<string, unknown> = {
      '200': {
        description: 'success',
        ...(route.response ? { content: { 'application/json': { schema: jsonSchema(route.response) } } } : {}),
      },
    };
    for (const error of route.errors ?? []) {
      const key = String(error.status);
      const existing = responses[key] as { description: string } | undefined;
      responses[key] = {
        description: existing ? `${existing.description}, ${error.code}` : error.code,
        content: { 'application/json': { schema: { $ref: '#/components/schemas/Error' } } },
      };
    }
    paths[route.path] ??= {};
    paths[route.path]![route.method] = {
      summary: route.summary,
      tags: [route.tag],
      ...(parameters.length > 0 ? { parameters } : {}),
      ...(route.security ? { security: [{ [route.security]: [] }] } : {}),
      ...(route.request ? { requestBody: { required: true, content: { 'application/json': { schema: jsonSchema(route.request) } } } } : {}),
      ...(route.requestBody ? { requestBody: { required: true, description: route.requestBody.description, content: { [route.requestBody.mediaType]: { schema: { type: 'string' } } } } } : {}),
      responses,
    };
  }
  const bearer = (description: string) => ({ type: 'http', scheme: 'bearer', description });
  return {
    openapi: '3.1.0',
    info: { title: options.title, version: options.version },
    paths,
    components: {
      schemas: {
        Error: {
          type: 'object',
          required: ['error'],
          properties: { error: { type: 'object', required: ['code', 'message'], properties: { code: { type: 'string' }, message: { type: 'string' } } } },
        },
      },
      securitySchemes: {
        userToken: bearer("a wallet user's token, from POST /wallet/v1/users"),
        operatorKey: bearer("the acquirer operator's key"),
        walletOperatorKey: bearer("the wallet operator's key"),
        terminalKey: bearer("a POS terminal's key, from the acquirer's terminal registration"),
        operatorOrTerminalKey: bearer("the acquirer operator's key or a terminal's key"),
        networkOperatorKey: bearer("the network operator's key"),
        mallOperatorKey: bearer("the mall operator's key"),
        sellerKey: bearer("a mall seller's API key, from POST /mall/v1/sellers"),
        marketplaceOperatorKey: bearer("the marketplace operator's key"),
        signed: { type: 'apiKey', in: 'header', name: 'Signature', description: 'Client-Id, Request-Time and an Ed25519 Signature over the request (platform/signing/README.md)' },
      },
    },
  };
}

function jsonSchema(schema: z.ZodType): unknown {
  const { $schema: _ignored, ...rest } = z.toJSONSchema(schema, { io: 'input', unrepresentable: 'any' }) as Record<string, unknown>;
  return rest;
}
