/**
 * Settings read from the environment, each with its default. Read once at
 * start; nothing else in dari reads `process.env`.
 */
import { resolve } from 'node:path';

export interface DariConfig {
  /** Where the embedded databases live, one file per institution. */
  readonly dataDir: string;
  readonly port: number;
}

export const PORT_DEFAULT = 3000;

export function readConfig(env: NodeJS.ProcessEnv = process.env): DariConfig {
  const port = env.PORT === undefined || env.PORT === '' ? PORT_DEFAULT : Number(env.PORT);
  if (!Number.isInteger(port) || port < 0 || port > 65_535) {
    throw new ConfigError(`PORT must be an integer from 0 to 65535, got ${JSON.stringify(env.PORT)}`);
  }
  return { dataDir: resolve(env.DARI_DATA_DIR || './data'), port };
}

export class ConfigError extends Error {
  override name = 'ConfigError';
}
