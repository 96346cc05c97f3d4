import { readFileSync } from 'node:fs';
import type { Translate } from '../../src/ui/i18n';

interface MessageEntry {
  message: string;
  placeholders?: Record<string, { content: string }>;
}

export function loadMessages(locale: string): Record<string, MessageEntry> {
  return JSON.parse(readFileSync(`assets/_locales/${locale}/messages.json`, 'utf8')) as Record<string, MessageEntry>;
}

/** The messages.json semantics of chrome.i18n.getMessage: named placeholders that point at $1…$9. */
export function translatorFor(locale: string): Translate {
  const messages = loadMessages(locale);
  return (key, substitutions = []) => {
    const entry = messages[key];
    if (!entry) throw new Error(`no message "${key}" in ${locale}`);
    return entry.message.replace(/\$([A-Za-z0-9_]+)\$/g, (_match, name: string) => {
      const content = entry.placeholders?.[name.toLowerCase()]?.content ?? '';
      return content.replace(/\$(\d)/g, (_m, index: string) => String(substitutions[Number(index) - 1] ?? ''));
    });
  };
}
