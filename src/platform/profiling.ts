/**
 * What the benchmarks measure about the process itself: a CPU profile through
 * the inspector, and the peak resident memory.
 */
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { Session } from 'node:inspector';
import { join } from 'node:path';

/** Profiles this thread until `stop`, which writes `<dir>/<name>.cpuprofile` and answers its path; without a folder, does nothing. */
export async function startCpuProfile(dir: string | null | undefined, name: string): Promise<{ stop(): Promise<string | null> }> {
  if (dir === undefined || dir === null) return { stop: async () => null };
  const session = new Session();
  session.connect();
  const post = (method: string, params?: object): Promise<unknown> =>
    new Promise((resolve, reject) => session.post(method, params ?? {}, (error, result) => (error ? reject(error) : resolve(result))));
  await post('Profiler.enable');
  await post('Profiler.start');
  return {
    async stop() {
      const { profile } = (await post('Profiler.stop')) as { profile: unknown };
      session.disconnect();
      mkdirSync(dir, { recursive: true });
      const path = join(dir, `${name}.cpuprofile`);
      writeFileSync(path, JSON.stringify(profile));
      return path;
    },
  };
}

/**
 * This process's peak resident memory, in MiB. On Linux from `VmHWM`:
 * `resourceUsage().maxRSS` keeps a parent's peak across the exec that
 * started a child, so a child benchmark would report its seeder's memory.
 */
export function peakResidentMiB(): number {
  const status = '/proc/self/status';
  const match = existsSync(status) ? /^VmHWM:\s+(\d+) kB$/m.exec(readFileSync(status, 'utf8')) : null;
  return match === null ? process.resourceUsage().maxRSS / 1024 : Number(match[1]) / 1024;
}
