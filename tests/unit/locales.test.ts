import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadMessages } from '../component/translate';

const LOCALES = readdirSync('assets/_locales');

function sourceFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) =>
    entry.isDirectory() ? sourceFiles(join(dir, entry.name)) : /\.(ts|tsx)$/.test(entry.name) ? [join(dir, entry.name)] : [],
  );
}

/** Keys the code asks for: t('key'), translate('key'), and __MSG_key__ in the manifest. */
function usedKeys(): Set<string> {
  const keys = new Set<string>();
  for (const file of sourceFiles('src')) {
    for (const match of readFileSync(file, 'utf8').matchAll(/\b(?:t|translate)\(\s*'([A-Za-z0-9_]+)'/g)) keys.add(match[1]!);
  }
  for (const match of readFileSync('manifest.json', 'utf8').matchAll(/__MSG_([A-Za-z0-9_]+)__/g)) keys.add(match[1]!);
  return keys;
}

describe('locales', () => {
  it('ships English and German', () => {
    expect(LOCALES).toEqual(expect.arrayContaining(['en', 'de']));
  });

  it.each(LOCALES)('%s has exactly the keys English has, with the same placeholders', (locale) => {
    const english = loadMessages('en');
    const messages = loadMessages(locale);
    expect(Object.keys(messages).sort()).toEqual(Object.keys(english).sort());
    for (const [key, entry] of Object.entries(english)) {
      const translated = messages[key]!;
      expect(translated.message.trim(), `${locale}:${key}`).not.toBe('');
      expect(Object.keys(translated.placeholders ?? {}).sort(), `${locale}:${key}`).toEqual(Object.keys(entry.placeholders ?? {}).sort());
      for (const name of Object.keys(entry.placeholders ?? {})) {
        expect(translated.message, `${locale}:${key} uses $${name.toUpperCase()}$`).toContain(`$${name.toUpperCase()}$`);
      }
    }
  });

  it('has a message for every key the code and manifest use', () => {
    const english = loadMessages('en');
    const missing = [...usedKeys()].filter((key) => !(key in english));
    expect(missing).toEqual([]);
    expect(usedKeys().size).toBeGreaterThan(10);
  });
});
