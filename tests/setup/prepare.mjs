#!/usr/bin/env node
// First step of `npm test`: makes a fresh machine ready to run the tests.
// 1. npm dependencies, from the lock file, when node_modules is missing or older than the lock.
// 2. Debian's chromium and firefox-esr, when missing. Only as root (CI and the dev machines run
//    as root); otherwise it prints the command to run.
import { execFileSync } from 'node:child_process';
import { existsSync, statSync } from 'node:fs';

const env = { ...process.env, DEBIAN_FRONTEND: 'noninteractive' };
const run = (command, args) => execFileSync(command, args, { stdio: 'inherit', env });

const installed = 'node_modules/.package-lock.json';
if (!existsSync(installed) || statSync(installed).mtimeMs < statSync('package-lock.json').mtimeMs) {
  console.error('Installing npm dependencies (npm ci)…');
  run('npm', ['ci', '--no-audit', '--no-fund']);
}

const browsers = [
  { path: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium', pkg: 'chromium' },
  { path: process.env.FIREFOX_PATH ?? '/usr/bin/firefox-esr', pkg: 'firefox-esr' },
];
const missing = browsers.filter(({ path }) => !existsSync(path)).map(({ pkg }) => pkg);
if (missing.length > 0) {
  if (process.getuid?.() !== 0) {
    console.error(`Missing browsers: ${missing.join(', ')}. Install them with: sudo apt-get install -y ${missing.join(' ')}`);
    process.exit(1);
  }
  console.error(`Installing ${missing.join(', ')} from Debian…`);
  run('apt-get', ['update']);
  run('apt-get', ['install', '-y', '--no-install-recommends', ...missing]);
}
