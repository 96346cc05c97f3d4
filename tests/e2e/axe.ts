import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import type { BrowserContext, Page } from 'playwright-core';

const AXE_SOURCE = readFileSync(createRequire(import.meta.url).resolve('axe-core/axe.min.js'), 'utf8');

export interface AxeViolation {
  id: string;
  impact: string | null;
  help: string;
  targets: string[];
}

/** Runs axe-core over an element (or the document) in the current world and returns its violations, compactly. */
const RUN_AXE = `async (selectorOrNode) => {
  const context = typeof selectorOrNode === 'string' ? document.querySelector(selectorOrNode) ?? document : selectorOrNode;
  const result = await axe.run(context, { resultTypes: ['violations'] });
  return result.violations.map((v) => ({ id: v.id, impact: v.impact, help: v.help, targets: v.nodes.map((n) => String(n.target)) }));
}`;

/** axe-core on an extension page. `evaluate` goes through DevTools, so the page's CSP does not block it. */
export async function axeViolations(page: Page, selector = 'body'): Promise<AxeViolation[]> {
  await page.evaluate(AXE_SOURCE);
  return page.evaluate(`(${RUN_AXE})(${JSON.stringify(selector)})`);
}

/**
 * axe-core inside Elsewhere's own content-script world, over the contents of one of its closed
 * shadow roots. Only the extension's world can open those roots (`chrome.dom.openOrClosedShadowRoot`);
 * DevTools evaluates there by the world's execution context. The roots' `shadowRoot` getter is
 * shimmed in that world only, so axe can walk into them; the page never sees any of this.
 */
export async function axeViolationsInShadow(context: BrowserContext, page: Page, hostSelector: string): Promise<AxeViolation[]> {
  const session = await context.newCDPSession(page);
  const worlds: Array<{ id: number; name: string; auxData?: { type?: string } }> = [];
  session.on('Runtime.executionContextCreated', ({ context: world }) => worlds.push(world));
  await session.send('Runtime.enable');
  const world = worlds.find((candidate) => candidate.auxData?.type === 'isolated' && candidate.name === 'Elsewhere');
  if (!world) throw new Error(`no Elsewhere content-script world; worlds: ${worlds.map((w) => `${w.name}/${w.auxData?.type}`).join(', ')}`);
  const evaluate = async (expression: string): Promise<unknown> => {
    const reply = (await session.send('Runtime.evaluate', { expression, contextId: world.id, awaitPromise: true, returnByValue: true })) as {
      result: { value?: unknown };
      exceptionDetails?: { text: string; exception?: { description?: string } };
    };
    if (reply.exceptionDetails) throw new Error(reply.exceptionDetails.exception?.description ?? reply.exceptionDetails.text);
    return reply.result.value;
  };
  await evaluate(AXE_SOURCE);
  const violations = await evaluate(`(async () => {
    for (const host of document.querySelectorAll(${JSON.stringify(hostSelector)})) {
      const root = chrome.dom.openOrClosedShadowRoot(host);
      Object.defineProperty(host, 'shadowRoot', { get: () => root, configurable: true });
    }
    return (${RUN_AXE})(document.querySelector(${JSON.stringify(hostSelector)}));
  })()`);
  await session.detach();
  return violations as AxeViolation[];
}
