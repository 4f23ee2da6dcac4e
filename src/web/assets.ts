/**
 * The console's browser code and styles, built from `client/` by esbuild the
 * first time an asset is asked for and kept in memory (ADR 12): nothing is
 * written to disk, nothing comes from another host, and a fresh clone needs
 * no build step beyond `npm install`.
 */
import { createHash } from 'node:crypto';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';

/** The consoles, each one bundle (`/assets/web/<name>.js`). */
export const CONSOLE_ENTRIES = ['wallet', 'pos', 'acquirer', 'network'] as const;
export type ConsoleEntry = (typeof CONSOLE_ENTRIES)[number];
/** Where assets are served from. */
export const ASSET_PATH_PREFIX = '/assets/web/';
/** Largest the whole build may be, in bytes: a check that a dependency did not balloon the console. */
export const ASSETS_BYTES_MAX = 1024 * 1024;

export interface Asset {
  readonly body: ArrayBuffer;
  readonly contentType: string;
  /** Strong validator: the SHA-256 of the body. */
  readonly etag: string;
  /** Chunk names carry their hash, so they never change under the same name. */
  readonly immutable: boolean;
}

const CLIENT_DIR = fileURLToPath(new URL('./client/', import.meta.url));

const CONTENT_TYPES: Readonly<Record<string, string>> = {
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.svg': 'image/svg+xml',
};

async function buildAssets(): Promise<ReadonlyMap<string, Asset>> {
  const result = await build({
    absWorkingDir: CLIENT_DIR,
    entryPoints: [...CONSOLE_ENTRIES.map((name) => ({ in: `${name}.ts`, out: name })), { in: 'console.css', out: 'console' }],
    bundle: true,
    splitting: true,
    format: 'esm',
    // bigint literals and `??` are used as written; every browser of the last years runs ES2022.
    target: 'es2022',
    platform: 'browser',
    minify: true,
    sourcemap: false,
    legalComments: 'none',
    charset: 'utf8',
    write: false,
    outdir: '/out',
    entryNames: '[name]',
    chunkNames: 'chunk-[hash]',
    logLevel: 'silent',
  });
  const assets = new Map<string, Asset>();
  let totalBytes = 0;
  for (const file of result.outputFiles) {
    const name = file.path.slice(file.path.lastIndexOf('/') + 1);
    const extension = name.slice(name.lastIndexOf('.'));
    const contentType = CONTENT_TYPES[extension];
    if (contentType === undefined) throw new Error(`assertion failed: esbuild wrote an unexpected ${name}`);
    totalBytes += file.contents.byteLength;
    assets.set(name, { body: file.contents.slice().buffer, contentType, etag: `"${createHash('sha256').update(file.contents).digest('base64url')}"`, immutable: name.startsWith('chunk-') });
  }
  assets.set('icon.svg', svgAsset(ICON_SVG));
  if (totalBytes > ASSETS_BYTES_MAX) throw new Error(`the console's assets are ${totalBytes} bytes, more than ASSETS_BYTES_MAX (${ASSETS_BYTES_MAX})`);
  return assets;
}

function svgAsset(text: string): Asset {
  const bytes = new TextEncoder().encode(text);
  return { body: bytes.slice().buffer, contentType: CONTENT_TYPES['.svg']!, etag: `"${createHash('sha256').update(bytes).digest('base64url')}"`, immutable: false };
}

/** The mark in the browser tab: a bridge's arch. */
const ICON_SVG =
  '<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 32 32"><rect width="32" height="32" rx="6" fill="#0b5394"/><path d="M4 22h24M7 22c2-8 16-8 18 0M10 22v-4M16 22v-6M22 22v-4" stroke="#fff" stroke-width="2.5" fill="none" stroke-linecap="round"/></svg>';

let built: Promise<ReadonlyMap<string, Asset>> | undefined;

/** Every asset by file name; built once per process (the build takes a fraction of a second). */
export function consoleAssets(): Promise<ReadonlyMap<string, Asset>> {
  built ??= buildAssets().catch((error: unknown) => {
    // A failed build is retried on the next request rather than cached as failed.
    built = undefined;
    throw error;
  });
  return built;
}
