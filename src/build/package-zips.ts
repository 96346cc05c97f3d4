/** Packs dist/<browser>/ into dist/elsewhere-<browser>.zip, the files the stores take. */
import { readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { zipSync, type Zippable } from 'fflate';
import { BROWSER_TARGETS } from './manifest';

function collect(dir: string, root = dir, files: Zippable = {}): Zippable {
  for (const name of readdirSync(dir).sort()) {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) collect(path, root, files);
    // A fixed timestamp keeps the archives byte-for-byte reproducible.
    else files[relative(root, path).split('\\').join('/')] = [readFileSync(path), { mtime: new Date('2020-01-01T00:00:00Z') }];
  }
  return files;
}

for (const target of BROWSER_TARGETS) {
  const zip = zipSync(collect(join('dist', target)), { level: 9 });
  writeFileSync(join('dist', `elsewhere-${target}.zip`), zip);
  process.stdout.write(`dist/elsewhere-${target}.zip: ${zip.length} bytes\n`);
}
