/** The tests run the CLI as `npm run cli` does: cli-command.ts must say what package.json says. */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { CLI_SCRIPT, ROOT } from './cli-command';

describe('the CLI command the tests run', () => {
  it("is package.json's cli script", () => {
    const scripts = (JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as { scripts: Record<string, string> }).scripts;
    expect(scripts.cli).toBe(CLI_SCRIPT);
  });
});
