// Writes a consumer project that installs the packed longshort tarballs offline: a package.json that
// depends on the tarballs, and a package-lock.json that pins every other package to the version and
// integrity the repository's own lock file has (the same packages `npm ci` put in npm's cache). With a
// lock file npm needs no registry metadata, so `npm ci --offline` installs exactly what a user's
// `npm install longshort` would get, from the local tarballs and the cache, with no network.
// The per-platform native packages (packages/longshort-native-*, linked into the repository's
// node_modules, not published from its lock) come as tarballs too, marked `optional`: they are in
// the lock the way npm records a published package's platform-specific optional dependencies, and
// npm installs the one whose os/cpu/libc match this machine and silently skips the others.
import { createHash } from 'node:crypto';
import { readFileSync, writeFileSync } from 'node:fs';
import { basename, join } from 'node:path';

interface LockEntry {
  version?: string;
  resolved?: string;
  integrity?: string;
  link?: boolean;
  dev?: boolean;
  optional?: boolean;
  dependencies?: Record<string, string>;
  optionalDependencies?: Record<string, string>;
  peerDependencies?: Record<string, string>;
  [k: string]: unknown;
}
interface Lock {
  name?: string;
  lockfileVersion: number;
  requires?: boolean;
  packages: Record<string, LockEntry>;
}

/** Where Node's resolution finds `name` when required from the package at `from` (a lock path). */
function resolveIn(packages: Record<string, LockEntry>, from: string, name: string): string | null {
  let dir = from;
  for (;;) {
    const cand = `${dir === '' ? '' : `${dir}/`}node_modules/${name}`;
    if (packages[cand] !== undefined) return cand;
    if (dir === '') return null;
    const cut = dir.lastIndexOf('/node_modules/');
    dir = cut < 0 ? '' : dir.slice(0, cut);
  }
}

export interface Tarball {
  /** Path of the .tgz file npm pack wrote (copied into the consumer folder by the caller). */
  file: string;
  /** The repository's lock path of the package it was packed from, e.g. 'packages/longshort'. */
  workspace: string;
  name: string;
  /**
   * An optional dependency of another tarball (a per-platform native package): locked as npm
   * locks platform packages — not a dependency of the project itself, installed only where its
   * os/cpu/libc fit.
   */
  optional?: boolean;
}

/**
 * Writes package.json and package-lock.json into `dir` for a project depending on `tarballs`
 * (which must already be in `dir`). `repoLock` is the repository's package-lock.json.
 */
export function writeConsumerProject(dir: string, tarballs: readonly Tarball[], repoLock: string, extra: Record<string, unknown> = {}): void {
  const lock = JSON.parse(readFileSync(repoLock, 'utf8')) as Lock;
  const src = lock.packages;
  const out: Record<string, LockEntry> = {};
  const deps: Record<string, string> = {};
  const queue: string[] = [];
  for (const t of tarballs) {
    const ws = src[t.workspace];
    if (ws === undefined) throw new Error(`${t.workspace} is not in ${repoLock}`);
    const spec = `file:${basename(t.file)}`;
    if (t.optional !== true) deps[t.name] = spec;
    const integrity = `sha512-${createHash('sha512').update(readFileSync(join(dir, basename(t.file)))).digest('base64')}`;
    const entry: LockEntry = { ...ws, resolved: spec, integrity };
    delete entry.link;
    if (t.optional === true) entry.optional = true;
    out[`node_modules/${t.name}`] = entry;
    queue.push(t.workspace);
  }
  // the closure of what the packed workspaces need (dependencies and optional dependencies)
  const seen = new Set<string>(queue);
  while (queue.length > 0) {
    const at = queue.shift()!;
    const e = src[at];
    const wanted = { ...e.dependencies, ...e.optionalDependencies };
    for (const name of Object.keys(wanted)) {
      if (tarballs.some((t) => t.name === name)) continue;
      const where = resolveIn(src, at.startsWith('packages/') ? '' : at, name);
      if (where === null) {
        if (e.optionalDependencies?.[name] !== undefined) continue;
        throw new Error(`${at} needs ${name}, which ${repoLock} does not hold`);
      }
      if (seen.has(where)) continue;
      if (src[where].link === true) throw new Error(`${at} needs ${name}, a package of this repository (${src[where].resolved}): pass its packed tarball`);
      seen.add(where);
      const copy: LockEntry = { ...src[where] };
      delete copy.dev;
      delete copy.devOptional;
      // The registry address a lock file normally records (this repository's lock leaves it out):
      // with it and the integrity, npm takes the tarball from its cache without asking for metadata.
      if (copy.resolved === undefined && copy.version !== undefined) {
        const name = where.slice(where.lastIndexOf('node_modules/') + 'node_modules/'.length);
        copy.resolved = `https://registry.npmjs.org/${name}/-/${name.split('/').pop()}-${copy.version}.tgz`;
      }
      out[where] = copy;
      queue.push(where);
    }
  }
  const pkg = { name: 'longshort-consumer', version: '1.0.0', private: true, type: 'module', dependencies: deps, ...extra };
  writeFileSync(join(dir, 'package.json'), JSON.stringify(pkg, null, 2) + '\n');
  const consumerLock: Lock = {
    name: pkg.name,
    lockfileVersion: 3,
    requires: true,
    packages: { '': { name: pkg.name, version: pkg.version, dependencies: deps } as LockEntry, ...out },
  };
  writeFileSync(join(dir, 'package-lock.json'), JSON.stringify(consumerLock, null, 2) + '\n');
}
