import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';

/** A process of the launch chain: its id, parent, group, and its start (pid reuse gives another start). */
interface ProcessInfo {
  pid: number;
  ppid: number;
  pgid: number;
  start: string;
  name: string;
}

/** One process from /proc (Linux), or undefined when it is gone. */
function procInfo(pid: number): ProcessInfo | undefined {
  let stat: string;
  try {
    stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  } catch {
    return undefined;
  }
  // pid (comm) state ppid pgrp session tty tpgid flags minflt cminflt majflt cmajflt utime stime cutime cstime priority nice threads itrealvalue starttime
  const close = stat.lastIndexOf(')');
  const fields = stat.slice(close + 2).split(' ');
  return { pid, ppid: Number(fields[1]), pgid: Number(fields[2]), start: fields[19] ?? '', name: stat.slice(stat.indexOf('(') + 1, close) };
}

/** Every process from `ps` (macOS, BSD), once; start times are not compared there. */
function psTable(): Map<number, ProcessInfo> {
  const table = new Map<number, ProcessInfo>();
  const out = execFileSync('ps', ['-A', '-o', 'pid=,ppid=,pgid=,comm='], { encoding: 'utf8' });
  for (const line of out.split('\n')) {
    const [pid, ppid, pgid, ...name] = line.trim().split(/\s+/);
    if (pid) table.set(Number(pid), { pid: Number(pid), ppid: Number(ppid), pgid: Number(pgid), start: '', name: name.join(' ') });
  }
  return table;
}

/**
 * The processes that launched this one within its process group (pnpm, sh, tsx, a supervisor …), nearest first.
 * A terminal puts a command's processes in one group; the shell above it is outside and is not watched, so a
 * command started with `nohup … &` outlives its terminal as it should.
 */
export function launchChain(): ProcessInfo[] {
  const linux = process.platform === 'linux';
  const table = linux ? undefined : psTable();
  const info = (pid: number) => (linux ? procInfo(pid) : table?.get(pid));
  const self = info(process.pid);
  if (!self) return [];
  const chain: ProcessInfo[] = [];
  for (let p = info(self.ppid); p && p.pid > 1 && p.pgid === self.pgid; p = info(p.ppid)) chain.push(p);
  return chain;
}

function isGone(link: ProcessInfo): boolean {
  if (process.platform === 'linux') return procInfo(link.pid)?.start !== link.start;
  try {
    process.kill(link.pid, 0);
    return false;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'ESRCH';
  }
}

/**
 * Calls `onGone` once when a process of the launch chain ends: a signal sent to the top `pnpm` only (`kill PID`,
 * a container stop, a CI timeout) ends pnpm at once without passing it on, and the work learns of it here within
 * `intervalMs`. Returns a function that stops watching. The timer does not keep the process alive. Windows has no
 * process groups: nothing is watched there.
 */
export function watchLauncher(onGone: (launcher: { pid: number; name: string }) => void, options: { intervalMs?: number } = {}): () => void {
  if (process.platform === 'win32') return () => {};
  const chain = launchChain();
  if (chain.length === 0) return () => {};
  const timer = setInterval(() => {
    const gone = chain.find(isGone);
    if (!gone) return;
    clearInterval(timer);
    // A signal that reached this process already (a terminal's Ctrl-C to the group) is handled first: signals are
    // read in the event loop's poll phase, immediates run right after it.
    setImmediate(() => onGone({ pid: gone.pid, name: gone.name }));
  }, options.intervalMs ?? 500);
  timer.unref();
  return () => clearInterval(timer);
}
