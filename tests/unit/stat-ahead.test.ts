/** Stat-ing the last build's files on two threads at once (issue 4): the same answers statSync gives. */
import { mkdtempSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { StringColumn } from '../../src/build/columns';
import { StatAhead, STAT_AHEAD_MIN_FILES } from '../../src/build/stat-ahead';

const scratch = mkdtempSync(join(tmpdir(), 'elsewhere-stat-ahead-'));
afterAll(() => rmSync(scratch, { recursive: true, force: true }));

describe('StatAhead', () => {
  it('gives every file its size and modification time, and -1 for one that is gone', () => {
    // Enough files that both threads claim some; names of every width, one not ASCII.
    const paths = Array.from({ length: 1200 }, (_unused, i) => join(scratch, i === 7 ? 'é-7.md' : `${'x'.repeat(i % 13)}${i}.md`));
    paths.forEach((path, i) => writeFileSync(path, 'y'.repeat(i % 97)));
    const gone = join(scratch, 'gone.md');
    const listed = [...paths.slice(0, 600), gone, ...paths.slice(600)];
    const stats = StatAhead.start(StringColumn.of(listed), 1)!.finish();
    const expected = listed.map((path) => (path === gone ? [-1, -1] : [statSync(path).size, statSync(path).mtimeMs]));
    expect(listed.map((_path, i) => [stats.sizes[i], stats.mtimes[i]])).toEqual(expected);
  });

  it('does not start a thread for fewer files than pay for one', () => {
    expect(StatAhead.start(StringColumn.of([join(scratch, 'a.md')]))).toBeNull();
    expect(STAT_AHEAD_MIN_FILES).toBeGreaterThan(1);
  });
});
