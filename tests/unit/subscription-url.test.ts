import { describe, expect, it } from 'vitest';
import { checkSubscriptionUrl } from '../../src/core/list/subscription-url';

describe('checkSubscriptionUrl', () => {
  it.each([
    ['https://lists.example/news/list.json', 'https://lists.example/news/list.json'],
    ['  https://lists.example/list.json#top ', 'https://lists.example/list.json'],
    ['http://127.0.0.1:8080/list.json', 'http://127.0.0.1:8080/list.json'],
    ['http://localhost:8080/list.json', 'http://localhost:8080/list.json'],
    ['http://[::1]:8080/list.json', 'http://[::1]:8080/list.json'],
  ])('accepts %s', (text, url) => {
    expect(checkSubscriptionUrl(text)).toEqual({ url });
  });

  it.each([
    ['http://lists.example/list.json', 'listUrlNotHttps'],
    ['http://127.0.0.2.example/list.json', 'listUrlNotHttps'],
    ['ftp://lists.example/list.json', 'listUrlInvalid'],
    ['javascript:alert(1)', 'listUrlInvalid'],
    ['lists.example/list.json', 'listUrlInvalid'],
    ['', 'listUrlInvalid'],
    ['https://user:secret@lists.example/list.json', 'listUrlInvalid'],
    [`https://lists.example/${'a'.repeat(2100)}`, 'listUrlInvalid'],
  ])('refuses %s', (text, problem) => {
    expect(checkSubscriptionUrl(text)).toEqual({ problem });
  });
});
