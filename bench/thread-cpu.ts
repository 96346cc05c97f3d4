/**
 * CPU time per thread of one cold build (issue 4, figure 8): the main thread, the two build
 * workers, V8's helper threads (garbage collection, compilation) and libuv's pool. Linux only:
 * it samples /proc/PID/task/TID/stat every 250 ms while `bench/child.ts build` runs in a child,
 * keeping each thread's last figure, since a worker's thread is gone once the build closes it.
 *
 *   npx tsx bench/thread-cpu.ts [CORPUS] [SCRATCH]   # defaults: bench/tmp/corpus-100000, bench/tmp/thread-cpu
 */
import { spawn } from 'node:child_process';
import { readdirSync, readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';

const [corpus = 'bench/tmp/corpus-100000', scratch = 'bench/tmp/thread-cpu'] = process.argv.slice(2);
rmSync(scratch, { recursive: true, force: true });
const child = spawn(process.execPath, ['--import', 'tsx', 'bench/child.ts', 'build', corpus, join(scratch, 'out'), join(scratch, 'cache'), '2'], { stdio: ['ignore', 'pipe', 'inherit'] });
let output = '';
child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()));
/** Per thread: its CPU time in clock ticks (utime + stime), as last sampled. */
const ticks = new Map<number, number>();
const sample = (): void => {
  let tids: string[];
  try {
    tids = readdirSync(`/proc/${child.pid}/task`);
  } catch {
    return; // exited
  }
  for (const tid of tids) {
    try {
      const stat = readFileSync(`/proc/${child.pid}/task/${tid}/stat`, 'utf8');
      // Fields after the command's closing parenthesis: utime and stime are the 12th and 13th.
      const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
      ticks.set(Number(tid), Number(fields[11]) + Number(fields[12]));
    } catch {
      // The thread ended between the listing and the read.
    }
  }
};
const timer = setInterval(sample, 250);
child.on('exit', () => {
  clearInterval(timer);
  const build = JSON.parse(output) as { ms: number; cpuMs: number };
  // Linux's USER_HZ is 100 on every architecture node runs on.
  const ms = [...ticks].map(([tid, count]) => [tid, count * 10] as const).sort((a, b) => b[1] - a[1]);
  console.log(`cold build ${Math.round(build.ms)} ms, ${Math.round(build.cpuMs)} ms of CPU (process.cpuUsage)`);
  for (const [tid, cpu] of ms) if (cpu > 0) console.log(`${tid === child.pid ? 'main thread' : `thread ${tid}`}: ${cpu} ms`);
  console.log(`sum of the last samples: ${ms.reduce((sum, [, cpu]) => sum + cpu, 0)} ms`);
});
