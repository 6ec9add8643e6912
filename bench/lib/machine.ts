/**
 * The machine a run happened on, and how busy it was with work that was not the benchmark's.
 */
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { availableParallelism, cpus, loadavg, release, totalmem } from 'node:os';

export interface MachineInfo {
  cpuModel: string;
  /** `nproc`: the CPUs this process may use. */
  cores: number;
  memoryGiB: number;
  os: string;
  node: string;
}

function osName(): string {
  try {
    const line = readFileSync('/etc/os-release', 'utf8')
      .split('\n')
      .find((l) => l.startsWith('PRETTY_NAME='));
    const name = line ? line.slice('PRETTY_NAME='.length).replace(/^"|"$/g, '') : process.platform;
    return `${name}, kernel ${release()}`;
  } catch {
    return `${process.platform} ${release()}`;
  }
}

function cpuModel(): string {
  try {
    const line = readFileSync('/proc/cpuinfo', 'utf8')
      .split('\n')
      .find((l) => l.startsWith('model name'));
    if (line) {
      return line.slice(line.indexOf(':') + 1).trim();
    }
  } catch {
    // not Linux
  }
  return cpus()[0]?.model ?? 'unknown';
}

export function machineInfo(): MachineInfo {
  let cores = availableParallelism();
  try {
    cores = Number(execFileSync('nproc', { encoding: 'utf8' }).trim()) || cores;
  } catch {
    // keep availableParallelism()
  }
  return {
    cpuModel: cpuModel(),
    cores,
    memoryGiB: totalmem() / 2 ** 30,
    os: osName(),
    node: process.version,
  };
}

export function formatLoad(l: number[] = loadavg()): string {
  return l.map((x) => x.toFixed(2)).join(' / ');
}

/** Clock ticks per second of /proc times (USER_HZ); 100 on every Linux this runs on. */
const HZ = 100;

interface CpuSample {
  at: number;
  /** Busy ticks of the whole machine (all CPUs), from /proc/stat. */
  busy: number;
  /** Ticks of this process and of its children that have exited and been waited for (and theirs), /proc/self/stat. */
  own: number;
}

function sample(): CpuSample | undefined {
  try {
    const stat = readFileSync('/proc/stat', 'utf8');
    const cpu = stat.split('\n')[0].trim().split(/\s+/).slice(1).map(Number);
    // user nice system idle iowait irq softirq steal ...
    const busy = cpu[0] + cpu[1] + cpu[2] + cpu[5] + cpu[6] + (cpu[7] ?? 0);
    const self = readFileSync('/proc/self/stat', 'utf8');
    const f = self.slice(self.lastIndexOf(')') + 2).split(' ');
    // utime(11) stime(12) cutime(13) cstime(14), counted after "pid (comm) "
    const own = Number(f[11]) + Number(f[12]) + Number(f[13]) + Number(f[14]);
    return { at: performance.now(), busy, own };
  } catch {
    return undefined;
  }
}

export interface CpuReport {
  seconds: number;
  /** Average CPUs busy with this benchmark (this process and its exited children: servers, PostgreSQL, tesseract). */
  benchCpus: number;
  /** Average CPUs busy with everything else on the machine (other users' tests, builds). */
  otherCpus: number;
  loadStart: string;
  loadEnd: string;
}

/**
 * Measures how much CPU other processes used while a benchmark ran: machine-wide busy time (/proc/stat) minus this
 * process tree's. Children only count once they have exited and been reaped, so stop every child (server, database)
 * before `stop()`. Linux only; undefined elsewhere.
 */
export class CpuMeter {
  private readonly start = sample();
  private readonly loadStart = formatLoad();

  stop(): CpuReport | undefined {
    const end = sample();
    if (!this.start || !end) {
      return undefined;
    }
    const seconds = (end.at - this.start.at) / 1000;
    const busy = (end.busy - this.start.busy) / HZ;
    const own = (end.own - this.start.own) / HZ;
    return {
      seconds,
      benchCpus: own / seconds,
      otherCpus: Math.max(0, busy - own) / seconds,
      loadStart: this.loadStart,
      loadEnd: formatLoad(),
    };
  }
}

export function describeCpu(report: CpuReport | undefined, cores: number): string {
  if (!report) {
    return 'CPU use not measured (no /proc)';
  }
  return (
    `${report.seconds.toFixed(0)} s; the benchmark used ${report.benchCpus.toFixed(2)} of ${cores} CPUs on average, ` +
    `other processes ${report.otherCpus.toFixed(2)}; load average (1/5/15 min) ${report.loadStart} at start, ` +
    `${report.loadEnd} at end`
  );
}
