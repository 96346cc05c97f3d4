import { fileURLToPath } from 'node:url';

/** The repository root: the CLI runs from there, as `npm run cli` does. */
export const ROOT = fileURLToPath(new URL('../..', import.meta.url));

/** package.json's `cli` script: node, then the launcher that runs the CLI's bundle (cli-command.test.ts holds them equal). */
export const CLI_SCRIPT = 'node src/build/cli-launch.mjs';

/** The executable and leading arguments of `npm run cli`, for spawn(): tests add the CLI's own arguments after these. */
export const CLI_COMMAND = [process.execPath, ...CLI_SCRIPT.split(' ').slice(1)] as const;

/** spawn() arguments for the CLI with `args`. */
export function cliArgs(args: readonly string[]): string[] {
  return [...CLI_COMMAND.slice(1), ...args];
}
