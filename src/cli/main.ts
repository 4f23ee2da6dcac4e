/**
 * `dari <area> <command>`: the operator's command line. Each area (ledger
 * now; settlement, reconciliation and the simulator later) adds its commands
 * here. Returns the exit code: 0 success, 1 a finding (e.g. a ledger that does
 * not verify), 2 bad usage.
 */
import { SIMULATE_USAGE, simulateCommand } from '../all-in-one/index.ts';
import { ledgerCommand, LEDGER_USAGE } from '../ledger/index.ts';

const USAGE = `usage: dari <command>

${LEDGER_USAGE}
${SIMULATE_USAGE}
`;

export async function main(argv: readonly string[], out: (line: string) => void = console.log): Promise<number> {
  const [area, ...rest] = argv;
  switch (area) {
    case 'ledger':
      return ledgerCommand(rest, out);
    case 'simulate':
      return simulateCommand(rest, out);
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
