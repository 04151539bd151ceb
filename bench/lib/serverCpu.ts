import { spawnSync } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';

// CPU time of the local stack's servers (`npm run services:up`), read from /proc: their share is
// most of what an application costs. They are shared by everyone on the machine, so read their
// columns on a quiet machine. Linux only; elsewhere (or not found) a server is left out.

const SERVERS = { ferretdb: /\/ferretdb\b/, temporal: /\btemporal server start-dev\b/, kafka: /\bkafka\.Kafka\b/ } as const;
export type Server = keyof typeof SERVERS;

const ticksPerSecond = (): number => {
  const answer = spawnSync('getconf', ['CLK_TCK'], { encoding: 'utf8' });
  const value = Number(answer.stdout?.trim());
  return Number.isFinite(value) && value > 0 ? value : 100;
};

/** Finds the servers once; the returned function reads each one's CPU time so far (user + system, µs). */
export function serverCpu(): () => Map<Server, number> {
  const pids = new Map<Server, number>();
  let entries: string[] = [];
  try {
    entries = readdirSync('/proc').filter((name) => /^\d+$/.test(name));
  } catch {
    return () => new Map();
  }
  for (const pid of entries) {
    let command: string;
    try {
      command = readFileSync(`/proc/${pid}/cmdline`, 'utf8').replaceAll('\0', ' ');
    } catch {
      continue; // gone meanwhile, or not ours to read
    }
    for (const [server, pattern] of Object.entries(SERVERS) as [Server, RegExp][]) {
      if (!pids.has(server) && pattern.test(command)) pids.set(server, Number(pid));
    }
  }
  const microsPerTick = 1_000_000 / ticksPerSecond();
  return () => {
    const cpu = new Map<Server, number>();
    for (const [server, pid] of pids) {
      try {
        // Fields after the command name, which is in parentheses and may hold spaces: utime and stime are the 12th and 13th.
        const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]?.split(' ') ?? [];
        cpu.set(server, (Number(fields[11]) + Number(fields[12])) * microsPerTick);
      } catch {
        // restarted or stopped: its column stays empty from here on
      }
    }
    return cpu;
  };
}
