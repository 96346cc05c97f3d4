/** Match patterns as the browser applies them to content scripts (src/shared/match-pattern.ts). */
import { describe, expect, it } from 'vitest';
import { matchesPattern } from '../../src/shared/match-pattern';

const matches = (url: string, pattern: string) => matchesPattern(new URL(url), pattern);

describe('matchesPattern', () => {
  it('matches a host and its subdomains under *.host, on either scheme', () => {
    expect(matches('https://www.cnet.com/news/a/', '*://*.cnet.com/*')).toBe(true);
    expect(matches('http://cnet.com/', '*://*.cnet.com/*')).toBe(true);
    expect(matches('https://edition.news.cnet.com/x?y=1', '*://*.cnet.com/*')).toBe(true);
  });

  it('does not match a host that only ends like it, another host, or a host in the path', () => {
    expect(matches('https://notcnet.com/', '*://*.cnet.com/*')).toBe(false);
    expect(matches('https://cnet.com.evil.example/', '*://*.cnet.com/*')).toBe(false);
    expect(matches('https://www-cnet-com.cdn.ampproject.org/c/s/www.cnet.com/news/a/', '*://*.cnet.com/*')).toBe(false);
  });

  it('matches an exact host only as itself, and a given scheme only', () => {
    expect(matches('https://news.example/a', 'https://news.example/*')).toBe(true);
    expect(matches('https://www.news.example/a', 'https://news.example/*')).toBe(false);
    expect(matches('http://news.example/a', 'https://news.example/*')).toBe(false);
  });

  it('matches every web page under *://*/* and <all_urls>, and nothing but web pages', () => {
    for (const pattern of ['*://*/*', '<all_urls>']) {
      expect(matches('https://anything.example/x', pattern)).toBe(true);
      expect(matches('chrome-extension://abc/popup.html', pattern)).toBe(false);
      expect(matches('file:///tmp/a.html', pattern)).toBe(false);
      expect(matches('about:blank', pattern)).toBe(false);
    }
  });

  it('matches the path and query against the path glob', () => {
    expect(matches('https://news.example/world/a?x=1', 'https://news.example/world/*')).toBe(true);
    expect(matches('https://news.example/sport/a', 'https://news.example/world/*')).toBe(false);
    expect(matches('https://news.example/a.b', 'https://news.example/a.b')).toBe(true);
    expect(matches('https://news.example/aXb', 'https://news.example/a.b')).toBe(false);
  });

  it('matches nothing with a malformed pattern', () => {
    for (const pattern of ['', 'cnet.com', '*://*.cnet.com', 'ftp://*/*', 'https://*cnet.com/*']) expect(matches('https://www.cnet.com/', pattern)).toBe(false);
  });
});
