/**
 * The all-in-one deployment: the three institutions in one process, each with
 * its own databases, over signed HTTP on one port. See README.md.
 */
export { startDari, RESOLVE_INTERVAL_MS, WALLET_CODE_PREFIX, ACQUIRER_MERCHANT_ID_PREFIX, type Dari, type DariOptions } from './compose.ts';
export { seedDemo, writeDemoCredentials, DEMO_CNY_KRW_RATE, type DemoCredentials, type DemoShopCredentials } from './seed.ts';
export { DEMO_SHOPS, GAROSU_ATELIER, HANBIT_DUTY_FREE, type DemoShop } from './demo-shops.ts';
export { apiClient, ApiCallError, type ApiAnswer, type ApiClient } from './http-client.ts';
export { PARTICIPANTS, loadOrCreateSecrets, readOperatorKeys, type DariSecrets } from './secrets.ts';
export { walkStory, readBalances, formatStep, formatAmount, type Balances, type StoryStep } from './story.ts';
export { simulate, checkSimulateOptions, SIMULATE_DAYS_MAX, SIMULATE_MERCHANTS_MAX, SIMULATE_TOURISTS_MAX, type DaySummary, type SimulateOptions, type SimulationSummary } from './simulate.ts';
export { simulateCommand, SIMULATE_USAGE } from './simulate-command.ts';
export { formatSummaryTable, renderSummaryHtml } from './simulate-report.ts';
export { reconcileCommand, formatReconciliation, RECONCILE_EXIT, RECONCILE_USAGE } from './reconcile-command.ts';
