import { Prng } from '../src/build/generate-corpus';
import type { Article, Story } from '../src/core/story/types';

/**
 * Stories made directly in memory, for index-level figures at sizes where writing and parsing
 * seed files would take longer than the benchmark should (a million stories is ~3.5 GB of seeds
 * and ten minutes of YAML). Addresses are already canonical (`https://host/path`, no `www.`, no
 * query, no trailing slash), so each key is the address minus its scheme, with no canonicaliser
 * run at build time, while lookups still go through the real canonicaliser. Sizes follow the seed
 * corpus: 2–13 articles a story, skewed small; about half have an AMP address.
 */
const HOSTS = 6000;
const SECTIONS = ['news', 'world', 'tech', 'business', 'science', 'politics', 'sport', 'culture'];
const WORDS = ['market', 'storm', 'election', 'court', 'vaccine', 'rocket', 'climate', 'budget', 'merger', 'strike', 'summit', 'chip', 'cloud', 'river'];
const TLDS = ['com', 'net', 'org', 'co.uk', 'de', 'fr', 'io', 'news'];

export function syntheticStories(count: number, seed: number): Story[] {
  const random = new Prng(seed);
  const hosts = Array.from({ length: HOSTS }, (_unused, i) => `${random.pick(['', 'edition.', 'news.'])}outlet${i.toString(36)}.${random.pick(TLDS)}`);
  const start = Date.UTC(2015, 0, 1);
  const stories: Story[] = [];
  let serial = 0;
  for (let s = 0; s < count; s++) {
    const size = 2 + Math.floor(12 * random.next() ** 2);
    const time = start + random.int(0, 3650 * 24) * 3600 * 1000;
    const topic = `${random.pick(WORDS)}-${random.pick(WORDS)}`;
    const articles: Article[] = [];
    for (let a = 0; a < size; a++) {
      const host = random.pick(hosts);
      const path = `/${random.pick(SECTIONS)}/${topic}-${(serial++).toString(36)}`;
      const keys = [`${host}${path}`];
      if (random.chance(0.5)) keys.push(`${host}/amp${path}`);
      articles.push({
        url: `https://${host}${path}`,
        title: `Officials ${random.pick(WORDS)} ${topic.replace('-', ' ')} plan`,
        excerpt: `The ${random.pick(WORDS)} ${random.pick(WORDS)} drew ${random.pick(WORDS)} and ${random.pick(WORDS)} reactions across the region on ${topic.replace('-', ' ')}.`,
        outlet: `Outlet ${host.split('.')[0]}`,
        outletDomain: host.replace(/^(edition|news)\./, ''),
        publishedAt: time + random.int(-72, 72) * 3600 * 1000,
        keys: keys.sort(),
      });
    }
    articles.sort((x, y) => x.publishedAt! - y.publishedAt! || (x.url < y.url ? -1 : 1));
    stories.push({ articles });
  }
  return stories.sort((x, y) => x.articles[0]!.publishedAt! - y.articles[0]!.publishedAt!);
}
