import { spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { request, type IncomingHttpHeaders } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cliArgs, ROOT } from './cli-command';
import { publishList } from '../../src/build/publish-list';
import { startListServer, type ListServer } from '../../src/build/serve-list';
import type { ListManifest } from '../../src/core/list/list-manifest';

const TIMEOUT = 60_000;

const scratch = mkdtempSync(join(tmpdir(), 'elsewhere-serve-'));
const listDir = join(scratch, 'list');
let server: ListServer;
let manifest: ListManifest;
const logged: string[] = [];

beforeAll(async () => {
  manifest = (await publishList({ seedsDir: join(ROOT, 'tests/fixtures/seeds-good'), outDir: listDir, skipInvalid: false, cache: false, workers: 0, shards: 2 })).manifest;
  // What must never be served: a file beside the list, one reached through a link, a dot file.
  writeFileSync(join(scratch, 'secret.txt'), 'secret');
  symlinkSync(join(scratch, 'secret.txt'), join(listDir, 'link.txt'));
  writeFileSync(join(listDir, '.list.json.123.tmp'), 'half-written');
  server = await startListServer(listDir, 0, { log: (line) => logged.push(line) });
}, TIMEOUT);
afterAll(async () => {
  await server?.close();
  rmSync(scratch, { recursive: true, force: true });
});

interface Reply {
  status: number;
  headers: IncomingHttpHeaders;
  body: Buffer;
}

/** A raw request: fetch would resolve `..` and refuse some methods before sending. */
function send(path: string, options: { method?: string; headers?: Record<string, string>; port?: number } = {}): Promise<Reply> {
  return new Promise((resolve, reject) => {
    const outgoing = request({ host: '127.0.0.1', port: options.port ?? server.port, path, method: options.method ?? 'GET', headers: options.headers }, (response) => {
      const chunks: Buffer[] = [];
      response.on('data', (chunk: Buffer) => chunks.push(chunk));
      response.on('end', () => resolve({ status: response.statusCode!, headers: response.headers, body: Buffer.concat(chunks) }));
    });
    outgoing.on('error', reject);
    outgoing.end();
  });
}

const sha256 = (bytes: Uint8Array): string => createHash('sha256').update(bytes).digest('hex');

describe('startListServer', () => {
  it('listens on 127.0.0.1 and gives the address of list.json', { timeout: TIMEOUT }, () => {
    expect(server.url).toBe(`http://127.0.0.1:${server.port}/list.json`);
    expect(server.port).toBeGreaterThan(0);
  });

  it('serves list.json with validators, no-cache and CORS for any origin', { timeout: TIMEOUT }, async () => {
    const reply = await send('/list.json', { headers: { Origin: 'chrome-extension://abc' } });
    const file = readFileSync(join(listDir, 'list.json'));
    expect(reply.status).toBe(200);
    expect(reply.body.equals(file)).toBe(true);
    expect(reply.headers).toMatchObject({
      'content-type': 'application/json',
      'content-length': String(file.byteLength),
      'cache-control': 'no-cache',
      etag: `"${sha256(file)}"`,
      'access-control-allow-origin': '*',
      'access-control-expose-headers': 'ETag, Last-Modified',
    });
    expect(Date.parse(reply.headers['last-modified']!)).not.toBeNaN();
  });

  it('serves shards as immutable binaries whose ETag is their hash', { timeout: TIMEOUT }, async () => {
    expect(manifest.shards.length).toBeGreaterThan(0);
    for (const shard of manifest.shards) {
      const reply = await send(`/${shard.file}`);
      expect(reply.status).toBe(200);
      expect(sha256(reply.body)).toBe(shard.sha256);
      expect(reply.headers).toMatchObject({
        'content-type': 'application/octet-stream',
        'cache-control': 'public, max-age=31536000, immutable',
        etag: `"${shard.sha256}"`,
        'access-control-allow-origin': '*',
      });
    }
  });

  it('answers 304 to a matching If-None-Match, and 200 to another tag', { timeout: TIMEOUT }, async () => {
    const { headers } = await send('/list.json');
    const etag = headers.etag!;
    for (const condition of [etag, `W/${etag}`, `"other", ${etag}`, '*']) {
      const reply = await send('/list.json', { headers: { 'If-None-Match': condition } });
      expect(reply.status, condition).toBe(304);
      expect(reply.body.byteLength).toBe(0);
      expect(reply.headers).toMatchObject({ etag, 'access-control-allow-origin': '*', 'cache-control': 'no-cache' });
    }
    expect((await send('/list.json', { headers: { 'If-None-Match': '"stale"' } })).status).toBe(200);
  });

  it('answers 304 to If-Modified-Since at or after the last change, unless If-None-Match disagrees', { timeout: TIMEOUT }, async () => {
    const shard = `/${manifest.shards[0]!.file}`;
    const lastModified = (await send(shard)).headers['last-modified']!;
    expect((await send(shard, { headers: { 'If-Modified-Since': lastModified } })).status).toBe(304);
    expect((await send(shard, { headers: { 'If-Modified-Since': new Date(Date.parse(lastModified) + 60_000).toUTCString() } })).status).toBe(304);
    expect((await send(shard, { headers: { 'If-Modified-Since': new Date(Date.parse(lastModified) - 1000).toUTCString() } })).status).toBe(200);
    expect((await send(shard, { headers: { 'If-Modified-Since': 'not a date' } })).status).toBe(200);
    // If-None-Match wins when both are sent.
    expect((await send(shard, { headers: { 'If-Modified-Since': lastModified, 'If-None-Match': '"stale"' } })).status).toBe(200);
  });

  it('answers CORS preflights with 204 and the methods and headers a conditional fetch needs', { timeout: TIMEOUT }, async () => {
    const reply = await send('/list.json', { method: 'OPTIONS', headers: { Origin: 'moz-extension://abc', 'Access-Control-Request-Method': 'GET', 'Access-Control-Request-Headers': 'if-none-match' } });
    expect(reply.status).toBe(204);
    expect(reply.headers).toMatchObject({
      'access-control-allow-origin': '*',
      'access-control-allow-methods': 'GET, HEAD',
      'access-control-allow-headers': 'If-None-Match, If-Modified-Since',
      'access-control-max-age': '600',
    });
  });

  it('answers HEAD with the headers of GET and no body', { timeout: TIMEOUT }, async () => {
    const get = await send('/list.json');
    const head = await send('/list.json', { method: 'HEAD' });
    expect(head.status).toBe(200);
    expect(head.body.byteLength).toBe(0);
    expect(head.headers['content-length']).toBe(String(get.body.byteLength));
    expect(head.headers.etag).toBe(get.headers.etag);
  });

  it('refuses other methods with 405', { timeout: TIMEOUT }, async () => {
    for (const method of ['POST', 'PUT', 'DELETE', 'PATCH']) {
      const reply = await send('/list.json', { method });
      expect(reply.status, method).toBe(405);
      expect(reply.headers.allow).toBe('GET, HEAD, OPTIONS');
    }
  });

  it('answers 404 for missing files, folders and dot files', { timeout: TIMEOUT }, async () => {
    for (const path of ['/missing.json', '/', '/shards', '/shards/', `/shards/${'0'.repeat(64)}.bin`, '/.list.json.123.tmp', '/shards/%00.bin']) {
      const reply = await send(path);
      expect(reply.status, path).toBe(404);
      expect(reply.headers['access-control-allow-origin']).toBe('*');
    }
  });

  it('never serves anything outside its folder', { timeout: TIMEOUT }, async () => {
    const attempts = ['/../secret.txt', '/%2e%2e/secret.txt', '/%2e%2e%2fsecret.txt', '/shards/..%2f..%2fsecret.txt', '/..%5csecret.txt', '/shards/../../secret.txt', '//../secret.txt', '/link.txt', '/../package.json', '/%2E%2E/%2E%2E/package.json', `/${'%2e%2e/'.repeat(8)}etc/passwd`, '/%ff'];
    for (const path of attempts) {
      const reply = await send(path);
      expect(reply.status, path).toBe(404);
      expect(reply.body.toString()).not.toContain('secret');
    }
  });

  it('logs one line per request', { timeout: TIMEOUT }, async () => {
    logged.length = 0;
    await send('/list.json');
    await send('/nope');
    expect(logged).toEqual(['GET /list.json 200', 'GET /nope 404']);
  });
});

describe('npm run cli -- serve', () => {
  it('prints the address of list.json, serves it, logs each request and runs until killed', { timeout: TIMEOUT }, async () => {
    const child = spawn(process.execPath, cliArgs(['serve', listDir, '--port', '0']), { cwd: ROOT, env: { ...process.env, NO_COLOR: '1' } });
    try {
      let stderr = '';
      child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
      const url = await new Promise<string>((resolve, reject) => {
        let stdout = '';
        child.stdout.on('data', (chunk: Buffer) => {
          stdout += chunk.toString();
          if (stdout.includes('\n')) resolve(stdout.trim());
        });
        child.once('exit', (code) => reject(new Error(`serve exited (${code}): ${stderr}`)));
      });
      expect(url).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/list\.json$/);
      const response = await fetch(url);
      expect(response.status).toBe(200);
      expect(await response.json()).toEqual(JSON.parse(readFileSync(join(listDir, 'list.json'), 'utf8')));
      await new Promise((resolve) => setTimeout(resolve, 100));
      expect(stderr).toContain('GET /list.json 200');
      expect(child.exitCode).toBeNull();
    } finally {
      child.kill('SIGTERM');
    }
  });

  it('refuses a folder that does not exist', { timeout: TIMEOUT }, async () => {
    const child = spawn(process.execPath, cliArgs(['serve', join(scratch, 'nowhere')]), { cwd: ROOT });
    let stderr = '';
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    const code = await new Promise((resolve) => child.once('exit', resolve));
    expect(code).not.toBe(0);
    expect(stderr).toMatch(/^elsewhere: .*nowhere/);
  });
});

describe('a second folder', () => {
  it('serves only its own list', { timeout: TIMEOUT }, async () => {
    const other = join(scratch, 'other');
    mkdirSync(other);
    writeFileSync(join(other, 'list.json'), '{}');
    const second = await startListServer(other, 0);
    try {
      expect((await send('/list.json', { port: second.port })).body.toString()).toBe('{}');
      expect((await send(`/${manifest.shards[0]!.file}`, { port: second.port })).status).toBe(404);
    } finally {
      await second.close();
    }
  });
});
