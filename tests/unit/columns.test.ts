/** The string column of the build caches' manifests (issue 4). */
import { describe, expect, it } from 'vitest';
import { StringColumn } from '../../src/build/columns';

describe('StringColumn.equals', () => {
  it('holds for the same strings in order, and for nothing else', () => {
    const column = StringColumn.of(['ab', '', 'cé', 'd']);
    expect(column.equals(['ab', '', 'cé', 'd'])).toBe(true);
    // The same text cut elsewhere, another order, one string more or fewer, one character changed.
    for (const other of [['a', 'b', 'cé', 'd'], ['abcé', '', '', 'd'], ['d', 'cé', '', 'ab'], ['ab', '', 'cé'], ['ab', '', 'cé', 'd', ''], ['ab', '', 'ce', 'd']]) expect(column.equals(other)).toBe(false);
    expect(StringColumn.of([]).equals([])).toBe(true);
  });
});
