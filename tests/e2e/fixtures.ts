import { fixtureFor as siteFixture, type FixtureResponse } from './fixture-site';
import { HOSTILE_FIXTURES } from './hostile-site';
import { linkFixture } from './link-site';

/** Every page the browsers may load: the outlets' articles, the hostile pages and the link pages. */
export function pageFixture(url: string): FixtureResponse | null {
  return siteFixture(url) ?? HOSTILE_FIXTURES.get(url) ?? linkFixture(url) ?? null;
}
