import { fixtureFor as siteFixture, type FixtureResponse } from './fixture-site';
import { HOSTILE_FIXTURES } from './hostile-site';

/** Every page the browsers may load: the outlets' articles and the hostile pages. */
export function pageFixture(url: string): FixtureResponse | null {
  return siteFixture(url) ?? HOSTILE_FIXTURES.get(url) ?? null;
}
