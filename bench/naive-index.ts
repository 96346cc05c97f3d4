import { closeSync, openSync, readFileSync, writeSync } from 'node:fs';
import { storyCoverage, type CoverageArticle, type CoverageIndex } from '../src/core/index/coverage-index';
import { lookupKeys } from '../src/core/url/canonical';

/**
 * The baseline the issue names: "a Map built from JSON.parse of a plain index". The plain index is
 * `{"stories": [[article, …], …], "keys": {"canonical key": [story, position], …}}`: each article
 * stored once, not once per address, so it is a leaner (stronger) baseline than one that repeats
 * a story under each of its addresses.
 */
interface NaiveFile {
  stories: CoverageArticle[][];
  keys: Record<string, [number, number]>;
}

/** Writes the plain index in chunks: at 100k stories it is hundreds of megabytes of JSON. */
export function writeNaiveIndex(path: string, index: CoverageIndex): number {
  const fd = openSync(path, 'w');
  let bytes = 0;
  let pending: string[] = [];
  let pendingChars = 0;
  const put = (text: string): void => {
    pending.push(text);
    pendingChars += text.length;
    if (pendingChars > 1 << 20) flush();
  };
  const flush = (): void => {
    bytes += writeSync(fd, pending.join(''));
    pending = [];
    pendingChars = 0;
  };
  const keys: string[] = [];
  put('{"stories":[');
  let story = 0;
  for (let id = 0; id < index.header.articleCount; story++) {
    const members = index.storyArticles(id);
    put(story === 0 ? '[' : ',[');
    members.forEach((member, position) => {
      const { keys: articleKeys, ...article } = index.article(member);
      put((position === 0 ? '' : ',') + JSON.stringify(article));
      for (const key of articleKeys) keys.push(`${JSON.stringify(key)}:[${story},${position}]`);
    });
    put(']');
    id = members[members.length - 1]! + 1;
  }
  put('],"keys":{');
  keys.forEach((entry, i) => put(i === 0 ? entry : `,${entry}`));
  put('}}');
  flush();
  closeSync(fd);
  return bytes;
}

export class NaiveIndex {
  private constructor(
    private readonly stories: CoverageArticle[][],
    private readonly keys: Map<string, [number, number]>,
  ) {}

  static load(path: string): NaiveIndex {
    const file = JSON.parse(readFileSync(path, 'utf8')) as NaiveFile;
    return new NaiveIndex(file.stories, new Map(Object.entries(file.keys)));
  }

  find(key: string): [number, number] | undefined {
    return this.keys.get(key);
  }

  match(url: string): [number, number] | undefined {
    for (const key of lookupKeys(url)) {
      const found = this.keys.get(key);
      if (found) return found;
    }
    return undefined;
  }

  /** The same answer CoverageIndex.coverage gives (other outlets, same outlet, count, first report). */
  coverage(url: string): object | null {
    const found = this.match(url);
    if (!found) return null;
    return storyCoverage(this.stories[found[0]]!, found[1]);
  }
}
