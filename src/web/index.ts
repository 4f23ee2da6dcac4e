/**
 * The web console: a root page and one console per role (wallet app,
 * merchant POS, acquirer back office, network operations), served by the
 * same server from its own memory, in Korean, Chinese and English. See
 * README.md and ADR 12.
 */
export { mountWebConsole, WEB_ROUTE_DOCS, CONTENT_SECURITY_POLICY, isLoopbackRequest, type WebConsoleOptions, type DemoKey } from './routes.ts';
export { consoleAssets, CONSOLE_ENTRIES, ASSET_PATH_PREFIX, ASSETS_BYTES_MAX, type ConsoleEntry } from './assets.ts';
export { CONSOLES, type ShopLink } from './pages.ts';
export { translate, type MessageKey } from './i18n.ts';
export { formatMoney, parseMoneyInput, type WireAmount } from './money-format.ts';
