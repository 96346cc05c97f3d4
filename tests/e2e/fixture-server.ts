import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { createServer, type Server } from 'node:https';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { FIXTURE_REPORT_PATH } from './fixture-site';
import { pageFixture } from './fixtures';
import { isBrowserOwnRequest } from './harness';

/**
 * Chromium's own sign-in and updater checks. Every host name reaches this server, so they do too;
 * they are the browser's, never the extension's (Playwright's harness turns them off by flags).
 */
const BROWSER_SERVICE_HOSTS = new Set(['accounts.google.com', 'update.googleapis.com']);

/**
 * Fixture pages from a real local HTTPS server that every host name resolves to, rather than from
 * DevTools request interception: some browser features (prerendering) turn themselves off under
 * interception. Anything that is not a fixture page is logged in `strayRequests` and refused.
 */
/** What a fixture page posts about itself: a rising `seq`, and `timeOrigin` when several pages may report from one address. */
interface FixtureReport {
  seq: number;
  timeOrigin?: number;
}

export class FixtureServer {
  readonly strayRequests: string[] = [];
  /** Every fixture page served, in order. */
  readonly served: string[] = [];
  /** The latest report each page posted to FIXTURE_REPORT_PATH, by the page's address. */
  readonly reports = new Map<string, FixtureReport>();

  private constructor(private readonly server: Server) {}

  /** `dir` receives a throwaway self-signed certificate; the browser is told to accept it. */
  static async start(dir: string): Promise<FixtureServer> {
    const key = join(dir, 'fixture-key.pem');
    const cert = join(dir, 'fixture-cert.pem');
    execFileSync('openssl', ['req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes', '-days', '1', '-subj', '/CN=elsewhere-fixtures', '-keyout', key, '-out', cert], { stdio: 'ignore' });
    const server = createServer({ key: readFileSync(key), cert: readFileSync(cert) });
    const fixtures = new FixtureServer(server);
    server.on('request', (request: IncomingMessage, response: ServerResponse) => fixtures.answer(request, response));
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    return fixtures;
  }

  /** Chromium flags that send every host name to this server and accept its certificate. */
  chromiumArgs(): string[] {
    return [`--host-resolver-rules=MAP * 127.0.0.1:${(this.server.address() as AddressInfo).port}`, '--ignore-certificate-errors'];
  }

  private answer(request: IncomingMessage, response: ServerResponse): void {
    const url = `https://${request.headers.host ?? ''}${request.url ?? '/'}`;
    if (request.method === 'POST' && request.url === FIXTURE_REPORT_PATH) {
      let body = '';
      request.setEncoding('utf8').on('data', (chunk: string) => (body += chunk));
      request.on('end', () => {
        // Reports can overtake each other on separate connections; keep the newest: the latest page
        // at that address (a report may say when its page began, `timeOrigin`), then its highest `seq`.
        const report = JSON.parse(body) as FixtureReport;
        const page = request.headers.referer ?? '';
        const kept = this.reports.get(page);
        const began = (reported: FixtureReport | undefined) => reported?.timeOrigin ?? 0;
        if (!kept || began(report) > began(kept) || (began(report) === began(kept) && report.seq > kept.seq)) this.reports.set(page, report);
        response.writeHead(204).end();
      });
      return;
    }
    const fixture = pageFixture(url);
    if (fixture) {
      this.served.push(url);
      response.writeHead(fixture.status, { 'content-type': 'text/html; charset=utf-8', ...fixture.headers }).end(fixture.body);
      return;
    }
    if (isBrowserOwnRequest(url) || BROWSER_SERVICE_HOSTS.has(new URL(url).hostname)) {
      // No content rather than 404, which Chromium would log as a page error for a missing favicon.
      response.writeHead(204).end();
      return;
    }
    this.strayRequests.push(url);
    response.writeHead(404).end();
  }

  close(): Promise<void> {
    return new Promise((resolve) => this.server.close(() => resolve()));
  }
}
