/**
 * `dari <area> <command>`: the operator's command line. Each area (the
 * ledger, the simulator, reconciliation) adds its commands here. Returns the
 * exit code: 0 success, 1 a finding (e.g. a ledger that does not verify, a
 * reconciliation difference), 2 bad usage, 3 a command that could not run.
 */
import { RECONCILE_USAGE, reconcileCommand, SIMULATE_USAGE, simulateCommand } from '../all-in-one/index.ts';
import { ledgerCommand, LEDGER_USAGE } from '../ledger/index.ts';

const USAGE = `usage: dari <command>

${LEDGER_USAGE}
${SIMULATE_USAGE}
${RECONCILE_USAGE}
`;

export async function main(argv: readonly string[], out: (line: string) => void = console.log): Promise<number> {
  const [area, ...rest] = argv;
  switch (area) {
    case 'ledger':
      return ledgerCommand(rest, out);
    case 'simulate':
      return simulateCommand(rest, out);
    case 'reconcile':
      return reconcileCommand(rest, out);
    case undefined:
    case 'help':
    case '--help':
    case '-h':
      out(USAGE);
      return area === undefined ? 2 : 0;
    default:
      out(`dari: unknown command "${area}"\n\n${USAGE}`);
      return 2;
  }
}
