import { readSeedText } from '../../src/build/read-seeds';
import { CoverageIndex } from '../../src/core/index/coverage-index';
import { encodeIndex } from '../../src/core/index/encode';
import { clusterStories } from '../../src/core/story/cluster';

/** One article of a fixture story. */
export interface Entry {
  url: string;
  outlet: string;
  date: string;
  title?: string;
}

function storySeedText(main: Entry, related: Entry[]): string {
  const item = (entry: Entry, indent: string) =>
    [`title: "${entry.title ?? `Story at ${entry.outlet}`}"`, `excerpt: "About it."`, `publishedDateTime: ${entry.date}`, `webUrl: "${entry.url}"`].map((line) => indent + line).join('\n');
  const relatedText = related.map((entry) => `  - ${item(entry, '    ').trimStart()}`).join('\n');
  return `---\n${item(main, '')}\nprovider:\n  name: ${main.outlet}\n  domain: ${new URL(main.url).hostname.replace(/^www\./, '')}\nrelated:\n${relatedText}\n---\n`;
}

/** The index bytes of the given stories, each an article and its related list, as a seed would say. */
export function encodeStories(stories: Array<[Entry, Entry[]]>): Uint8Array {
  const seeds = stories.map(([main, related], position) => {
    const read = readSeedText(storySeedText(main, related));
    if (!read.seed) throw new Error(`fixture seed ${position} is invalid: ${JSON.stringify(read)}`);
    return { source: `seed-${position}.md`, document: read.seed };
  });
  return encodeIndex(clusterStories(seeds));
}

export function indexOf(stories: Array<[Entry, Entry[]]>): CoverageIndex {
  return CoverageIndex.decode(encodeStories(stories));
}

/** A story of one seed file: its own two articles, so each file is one story and nothing merges. */
export function seedText(n: number, title = `Story ${n}`): string {
  return [
    '---',
    `title: "${title}"`,
    'excerpt: "An excerpt."',
    'publishedDateTime: 2024-03-02T08:00:00Z',
    `webUrl: "https://www.outlet-a.example/news/${n}"`,
    'provider:',
    '  name: Outlet A',
    'related:',
    `  - title: "Another view of story ${n}"`,
    '    publishedDateTime: 2024-03-02T09:00:00Z',
    `    webUrl: "https://outlet-b.example/world/${n}.html"`,
    '    provider:',
    '      name: Outlet B',
    '---',
    '',
  ].join('\n');
}
