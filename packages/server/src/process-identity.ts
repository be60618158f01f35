import { readFileSync } from 'node:fs';

/**
 * What tells one process from a later one that got the same pid: the boot it runs in and its start time. Read from
 * Linux's /proc (`/proc/sys/kernel/random/boot_id`; field 22 of `/proc/<pid>/stat`, clock ticks since boot); both are
 * absent where there is no /proc, and then only the pid is compared.
 */
export interface ProcessIdentity {
  boot?: string;
  started?: string;
}

function bootId(): string | undefined {
  try {
    return readFileSync('/proc/sys/kernel/random/boot_id', 'utf8').trim() || undefined;
  } catch {
    return undefined;
  }
}

function startTicks(pid: number): string | undefined {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    // "pid (comm) state ppid ...": comm may hold spaces and parentheses, so fields are counted after the last ')'.
    // Field 3 (state) is the first after it, so field 22 (starttime) is the 20th.
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    const ticks = fields[19];
    return ticks && /^\d+$/.test(ticks) ? ticks : undefined;
  } catch {
    return undefined;
  }
}

/** The identity of a running process (empty where /proc cannot tell). */
export function processIdentity(pid: number): ProcessIdentity {
  const boot = bootId();
  const started = startTicks(pid);
  return { ...(boot ? { boot } : {}), ...(started ? { started } : {}) };
}

/**
 * False when the process recorded as `recorded` is provably not the one now running under its pid: the machine has
 * rebooted since, or the pid's process started at another time (the pid was reused). True when it is, or cannot tell.
 */
export function isSameProcess(pid: number, recorded: ProcessIdentity): boolean {
  const now = processIdentity(pid);
  if (recorded.boot && now.boot && recorded.boot !== now.boot) return false;
  if (recorded.started && now.started && recorded.started !== now.started) return false;
  return true;
}
