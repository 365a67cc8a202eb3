#!/usr/bin/env node
// `npm run dist [-- --target <name>]... [--no-installers] [--no-sdk]`: builds the desktop
// bundle, one single executable per target into dist/<target>/, the SDK tarball, then runs
// every packaging/installers/*.mjs (sorted by name) with the built targets.
import { readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { parseArgs } from 'node:util';
import { bundleDesktop } from './desktop/bundle.mjs';
import { loadReport } from './desktop/load-report.mjs';
import { koffiBinary, nodeBinary, readRuntimes, TARGETS } from './runtimes.mjs';
import { buildStamp, injectSea, seaBlob } from './sea.mjs';
import { packSdk } from './sdk.mjs';
import { buildServiceWrapper, buildWindowsLauncher, LAUNCHER, SERVICE_WRAPPER } from './windows/launcher.mjs';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const distDir = join(root, 'dist');
const cache = join(distDir, '.cache');

const { values } = parseArgs({
  options: {
    target: { type: 'string', multiple: true },
    'no-installers': { type: 'boolean' },
    'no-sdk': { type: 'boolean' },
  },
});
const wanted = values.target ?? Object.keys(TARGETS);
for (const t of wanted) if (!TARGETS[t]) throw new Error(`unknown target ${t} (known: ${Object.keys(TARGETS).join(', ')})`);

const version = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')).version;
const connectorVersion = /CONNECTOR_VERSION = '([^']+)'/.exec(readFileSync(join(root, 'packages/connector/src/version.ts'), 'utf8'))?.[1];
if (connectorVersion !== version) throw new Error(`package.json version ${version} differs from CONNECTOR_VERSION ${connectorVersion}`);
const runtimes = readRuntimes(root);
const koffiInstalled = JSON.parse(readFileSync(join(root, 'node_modules/koffi/package.json'), 'utf8')).version;
if (koffiInstalled !== runtimes.koffi.version) throw new Error(`koffi ${koffiInstalled} is installed but runtimes.json pins ${runtimes.koffi.version}`);

const log = (line) => process.stdout.write(`dist: ${line}\n`);
const mib = (bytes) => `${(bytes / 1048576).toFixed(1)} MiB`;

// 1. The desktop bundle, and what each command of it evaluates.
const bundle = join(distDir, 'bundle', 't1c.cjs');
const metafile = await bundleDesktop({ outfile: bundle });
writeFileSync(join(distDir, 'bundle', 'meta.json'), JSON.stringify(metafile));
const report = loadReport(metafile);
const stamp = buildStamp(root, readFileSync(bundle));
writeFileSync(join(distDir, 'bundle', 'load-report.json'), `${JSON.stringify(report, null, 2)}\n`);
for (const [name, bytes] of Object.entries(report)) log(`bundle ${name}: ${bytes} bytes`);

// 2. One single executable per target. The blob comes from the same Node version's Linux x64 binary.
const generator = nodeBinary(root, cache, 'linux-x64');
const targets = [];
for (const name of wanted) {
  const { os, arch, exe } = TARGETS[name];
  const dir = join(distDir, name);
  const executable = join(dir, exe);
  const blob = seaBlob({ generator, main: bundle, koffiNode: koffiBinary(root, cache, name), workDir: join(distDir, '.work', name) });
  injectSea({ root, runtime: nodeBinary(root, cache, name), blob, executable, os, target: name });
  // What this executable was made from, so tests can tell a stale build (kept out of dist/<target>/, which installers ship).
  writeFileSync(join(distDir, '.work', name, 'build.sha256'), stamp);
  // Windows: the windowless launcher the Run value and the Start menu use (packaging/windows/t1cw.c),
  // and the Registry's service wrapper (packaging/windows/t1csvc.c).
  if (os === 'win32') {
    log(`${name}: ${buildWindowsLauncher(join(dir, LAUNCHER))} ${statSync(join(dir, LAUNCHER)).size} bytes`);
    log(`${name}: ${buildServiceWrapper(join(dir, SERVICE_WRAPPER))} ${statSync(join(dir, SERVICE_WRAPPER)).size} bytes`);
  }
  targets.push({ name, os, arch, dir, executable });
  log(`${name}: ${executable} ${mib(statSync(executable).size)}`);
}

// 3. The SDK for web applications: `npm pack` of packages/sdk after its build.
if (!values['no-sdk']) {
  const tgz = await packSdk({ root, distDir, version });
  log(`sdk: ${tgz} ${statSync(tgz).size} bytes`);
}

// 4. Installers, each from its own packaging/installers/<name>.mjs.
if (!values['no-installers']) {
  const dir = join(root, 'packaging', 'installers');
  let scripts = [];
  try {
    scripts = readdirSync(dir).filter((f) => f.endsWith('.mjs')).sort();
  } catch (error) {
    if (error.code !== 'ENOENT') throw error;
  }
  for (const script of scripts) {
    const { build } = await import(pathToFileURL(join(dir, script)).href);
    log(`installer ${script}`);
    await build({ root, distDir, version, targets });
  }
}
