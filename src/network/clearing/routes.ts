/**
 * Clearing over HTTP: the operator's API (cycles, files, settlement
 * confirmations) and the signed protocol endpoint through which each
 * participant downloads its own clearing files.
 */
import type { Context, Hono } from 'hono';
import { z } from 'zod';
import { amountToJson, type Amount } from '../../money/index.ts';
import { apiError, parseJsonBody, parseValue, type ApiError, type RouteDoc } from '../../platform/http/contract.ts';
import { assertNever } from '../../platform/result.ts';
import { CLEARING_FILE_MEDIA_TYPE, CLEARING_FILE_PAGE_LINES_MAX, PROTOCOL_ENDPOINTS, mountProtocolRoute, result, type ClearingFileResponse, type ProtocolServerOptions } from '../../protocol/index.ts';
import { toApiError } from '../errors.ts';
import { authorize, type OperatorKeys } from '../routes.ts';
import type { CyclePositions } from './positions.ts';
import { CYCLES_PAGE_MAX, type ClearingError, type ClearingService } from './service.ts';
import type { StoredCycle, StoredInstruction } from './store.ts';

export function clearingErrorToApi(error: ClearingError): ApiError {
  switch (error.kind) {
    case 'bad-cycle-id':
      return { status: 400, code: 'INVALID_REQUEST', message: `cycleId: ${error.message}` };
    case 'cycle-not-due':
      return { status: 409, code: 'CYCLE_NOT_DUE', message: `cycle ${error.cycleId} closes at ${error.closesAt.toISOString()}` };
    case 'previous-cycle-open':
      return { status: 409, code: 'PREVIOUS_CYCLE_OPEN', message: `close ${error.previousCycleId} before ${error.cycleId}: cycles close in order` };
    case 'cycle-before-epoch':
      return { status: 404, code: 'NOT_FOUND', message: `cycle ${error.cycleId} ended before this network started clearing` };
    case 'cycle-not-closed':
      return { status: 404, code: 'CYCLE_NOT_CLOSED', message: `cycle ${error.cycleId} is not closed` };
    case 'file-not-found':
      return { status: 404, code: 'NOT_FOUND', message: `no clearing file of ${error.participantId} for cycle ${error.cycleId}` };
    case 'instruction-not-found':
      return { status: 404, code: 'NOT_FOUND', message: `no settlement instruction ${error.instructionId}` };
    case 'bad-reference':
      return { status: 400, code: 'INVALID_REQUEST', message: 'reference: 1 to 64 printable ASCII characters, without spaces' };
    case 'instruction-settled-otherwise':
      return { status: 409, code: 'ALREADY_SETTLED', message: `${error.instructionId} was settled under reference ${error.reference}` };
    default:
      return assertNever(error, 'clearing error');
  }
}

const cycleListQuerySchema = z.object({ limit: z.coerce.number().int().min(1).max(CYCLES_PAGE_MAX).default(30) });
const confirmRequestSchema = z.object({ reference: z.string() });

export function mountClearingRoutes(app: Hono, deps: { readonly clearing: ClearingService; readonly keys: OperatorKeys; readonly protocol: ProtocolServerOptions }): void {
  const { clearing, keys } = deps;
  const fail = (c: Context, error: ClearingError): Response => apiError(c, clearingErrorToApi(error));
  const guard = (c: Context, access: 'read' | 'write'): Response | undefined => {
    const allowed = authorize(c, keys, access);
    return allowed.ok ? undefined : apiError(c, toApiError(allowed.error));
  };

  app.get('/network/v1/clearing/cycles', async (c) => {
    const denied = guard(c, 'read');
    if (denied) return denied;
    const query = parseValue(cycleListQuerySchema, c.req.query());
    if (!query.ok) return apiError(c, query.error);
    return c.json({ cycles: (await clearing.listCycles(query.value.limit)).map(cycleSummaryJson) });
  });
  app.post('/network/v1/clearing/cycles/:cycleId/close', async (c) => {
    const denied = guard(c, 'write');
    if (denied) return denied;
    const closed = await clearing.closeCycle(c.req.param('cycleId'));
    if (!closed.ok) return fail(c, closed.error);
    const detail = await clearing.cycle(closed.value.cycleId);
    return detail.ok ? c.json(cycleJson(detail.value.cycle, detail.value.instructions)) : fail(c, detail.error);
  });
  app.get('/network/v1/clearing/cycles/:cycleId', async (c) => {
    const denied = guard(c, 'read');
    if (denied) return denied;
    const detail = await clearing.cycle(c.req.param('cycleId'));
    return detail.ok ? c.json(cycleJson(detail.value.cycle, detail.value.instructions)) : fail(c, detail.error);
  });
  app.get('/network/v1/clearing/cycles/:cycleId/files/:participantId', async (c) => {
    const denied = guard(c, 'read');
    if (denied) return denied;
    const file = await clearing.file(c.req.param('cycleId'), c.req.param('participantId'));
    if (!file.ok) return fail(c, file.error);
    // Streamed a few chunks at a time: a large acquirer's file is hundreds of MiB.
    const chunks = clearing.fileText(file.value)[Symbol.asyncIterator]();
    const encoder = new TextEncoder();
    const body = new ReadableStream<Uint8Array>({
      async pull(controller) {
        const next = await chunks.next();
        if (next.done === true) controller.close();
        else controller.enqueue(encoder.encode(next.value));
      },
      async cancel() {
        await chunks.return?.();
      },
    });
    return c.body(body, 200, {
      'Content-Type': CLEARING_FILE_MEDIA_TYPE,
      'Content-Disposition': `attachment; filename="dari-clearing-${file.value.cycleId}-${file.value.participantId}.csv"`,
    });
  });
  app.post('/network/v1/settlement/instructions/:instructionId/confirm', async (c) => {
    const denied = guard(c, 'write');
    if (denied) return denied;
    const body = await parseJsonBody(c, confirmRequestSchema);
    if (!body.ok) return apiError(c, body.error);
    const confirmed = await clearing.confirmInstruction(c.req.param('instructionId'), body.value.reference);
    return confirmed.ok ? c.json(instructionJson(confirmed.value)) : fail(c, confirmed.error);
  });

  // A participant reads only its own file: the sender's id is the file's participant.
  mountProtocolRoute(app, 'networkClearingFile', deps.protocol, async (request, sender): Promise<ClearingFileResponse> => {
    const file = await clearing.file(request.cycleId, sender.clientId);
    if (!file.ok) {
      const kind = file.error.kind;
      if (kind === 'cycle-not-closed') return { result: result('CYCLE_NOT_CLOSED') };
      if (kind === 'bad-cycle-id') return { result: result('CYCLE_NOT_EXIST', clearingErrorToApi(file.error).message) };
      return { result: result('ACCESS_DENIED', 'no clearing file of the sender for this cycle') };
    }
    return {
      result: result('SUCCESS'),
      cycleId: file.value.cycleId,
      lineCount: file.value.lineCount,
      checksum: file.value.checksum,
      lines: await clearing.fileLines(file.value, request.fromLine, CLEARING_FILE_PAGE_LINES_MAX),
      ...neighboursOf(clearing, file.value.cycleId),
    };
  });
}

/** The ids of the cycles before and after a closed one (its id is the schedule's, so both exist). */
function neighboursOf(clearing: ClearingService, cycleId: string): { previousCycleId: string; nextCycleId: string } {
  const cycle = clearing.schedule.cycleById(cycleId);
  if (!cycle.ok) throw new Error(`assertion failed: a stored cycle id is the schedule's, got ${cycleId}`);
  return { previousCycleId: clearing.schedule.previous(cycle.value).id, nextCycleId: clearing.schedule.next(cycle.value).id };
}

function wire(a: Amount): { currency: string; value: string } {
  // Nets carry a sign; amountToJson refuses negatives on purpose, so signed values are written here.
  return a.value < 0n ? { currency: a.currency, value: a.value.toString() } : amountToJson(a);
}

function cycleSummaryJson(cycle: StoredCycle) {
  return {
    cycleId: cycle.cycleId,
    opensAt: cycle.opensAt.toISOString(),
    closesAt: cycle.closesAt.toISOString(),
    closedAt: cycle.closedAt.toISOString(),
    entryCount: cycle.entryCount,
  };
}

function positionsJson(p: CyclePositions) {
  return {
    positions: p.positions.map((x) => ({ participantId: x.participantId, role: x.role, accountId: x.accountId, grossDebit: wire(x.grossDebit), grossCredit: wire(x.grossCredit), net: wire(x.net) })),
    fxAccounts: p.fxAccounts.map((x) => ({ accountId: x.accountId, grossDebit: wire(x.grossDebit), grossCredit: wire(x.grossCredit), net: wire(x.net) })),
  };
}

function instructionJson(i: StoredInstruction) {
  return {
    instructionId: i.instructionId,
    cycleId: i.cycleId,
    participantId: i.participantId,
    role: i.role,
    direction: i.direction,
    amount: amountToJson(i.amount),
    status: i.status,
    settledAt: i.settledAt?.toISOString() ?? null,
    reference: i.reference,
  };
}

function cycleJson(cycle: StoredCycle, instructions: readonly StoredInstruction[]) {
  return { ...cycleSummaryJson(cycle), ...positionsJson(cycle.positions), instructions: instructions.map(instructionJson) };
}

const TAG = 'network clearing';
const READ_ERRORS = [{ status: 401, code: 'UNAUTHENTICATED' }] as const;

export const CLEARING_ROUTE_DOCS: readonly RouteDoc[] = [
  { method: 'get', path: '/network/v1/clearing/cycles', summary: 'Closed clearing cycles, newest first', tag: TAG, security: 'networkOperatorKey', errors: [...READ_ERRORS] },
  {
    method: 'post',
    path: '/network/v1/clearing/cycles/{cycleId}/close',
    summary: 'Close a cycle whose cut-off has passed (cycles close in order; closing again answers the same)',
    tag: TAG,
    security: 'networkOperatorKey',
    errors: [...READ_ERRORS, { status: 403, code: 'FORBIDDEN' }, { status: 409, code: 'CYCLE_NOT_DUE' }, { status: 409, code: 'PREVIOUS_CYCLE_OPEN' }],
  },
  { method: 'get', path: '/network/v1/clearing/cycles/{cycleId}', summary: "A closed cycle: positions, the FX accounts' result, settlement instructions", tag: TAG, security: 'networkOperatorKey', errors: [...READ_ERRORS, { status: 404, code: 'CYCLE_NOT_CLOSED' }] },
  { method: 'get', path: '/network/v1/clearing/cycles/{cycleId}/files/{participantId}', summary: "A participant's clearing file of a closed cycle (CSV)", tag: TAG, security: 'networkOperatorKey', errors: [...READ_ERRORS, { status: 404, code: 'NOT_FOUND' }] },
  {
    method: 'post',
    path: '/network/v1/settlement/instructions/{instructionId}/confirm',
    summary: 'Confirm that a settlement instruction was paid, with the bank reference; books it against the position',
    tag: TAG,
    security: 'networkOperatorKey',
    errors: [...READ_ERRORS, { status: 403, code: 'FORBIDDEN' }, { status: 404, code: 'NOT_FOUND' }, { status: 409, code: 'ALREADY_SETTLED' }],
  },
  {
    method: 'post',
    path: PROTOCOL_ENDPOINTS.networkClearingFile.path,
    summary: "The sender's own clearing file of a closed cycle, a page of lines at a time",
    tag: 'network protocol',
    security: 'signed',
    request: PROTOCOL_ENDPOINTS.networkClearingFile.request,
    response: PROTOCOL_ENDPOINTS.networkClearingFile.response,
  },
];
