import { describe } from 'vitest';
import { FirefoxHarness } from './firefox-harness';
import { defineUserStories } from './user-stories';

describe('Firefox (firefox-esr over WebDriver BiDi)', () => {
  defineUserStories(() => FirefoxHarness.launch());
});
