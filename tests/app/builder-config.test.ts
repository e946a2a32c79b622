// electron-builder.yml cannot be exercised here (packaging downloads Electron), so it is checked against the JSON
// schema electron-builder ships (app-builder-lib/scheme.json) with a small validator, plus the product's needs:
// the four targets, file associations, `cap` rebuilt for Electron, assets and the built app included.
import { describe, expect, it } from 'vitest';
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { repoRoot } from '../support/require';

const require = createRequire(import.meta.url);
const yaml = require('js-yaml') as { load(text: string): unknown };

type Schema = Record<string, unknown> & {
  $ref?: string; type?: string | string[]; properties?: Record<string, Schema>; additionalProperties?: boolean | Schema;
  items?: Schema | Schema[]; anyOf?: Schema[]; oneOf?: Schema[]; allOf?: Schema[]; enum?: unknown[]; required?: string[];
};

/** Validates `value` against a draft-07 subset (the keywords scheme.json uses); returns the problems found. */
export function validate(root: Schema, value: unknown): string[] {
  const defs = (root.definitions ?? {}) as Record<string, Schema>;
  const resolve = (s: Schema): Schema => (s.$ref ? resolve(defs[s.$ref.replace('#/definitions/', '')]) : s);
  const typeOf = (v: unknown) => (v === null ? 'null' : Array.isArray(v) ? 'array' : Number.isInteger(v) ? 'integer' : typeof v);
  const check = (schema: Schema, v: unknown, path: string): string[] => {
    const s = resolve(schema);
    if (!s) return [`${path}: unresolvable schema`];
    const errs: string[] = [];
    if (s.anyOf || s.oneOf) {
      const options = (s.anyOf ?? s.oneOf)!;
      const results = options.map((o) => check(o, v, path));
      if (!results.some((r) => r.length === 0)) errs.push(`${path}: matches none of ${options.length} alternatives (${results.map((r) => r[0]).join(' | ')})`);
      return errs;
    }
    for (const a of s.allOf ?? []) errs.push(...check(a, v, path));
    if (s.enum && !s.enum.some((e) => e === v)) errs.push(`${path}: ${JSON.stringify(v)} not in ${JSON.stringify(s.enum)}`);
    if (s.type) {
      const types = Array.isArray(s.type) ? s.type : [s.type];
      const t = typeOf(v);
      if (!types.includes(t) && !(t === 'integer' && types.includes('number'))) {
        errs.push(`${path}: expected ${types.join('|')}, got ${t}`);
        return errs;
      }
    }
    if (typeOf(v) === 'object') {
      const o = v as Record<string, unknown>;
      for (const r of s.required ?? []) if (!(r in o)) errs.push(`${path}.${r}: required`);
      for (const [k, val] of Object.entries(o)) {
        if (s.properties?.[k]) errs.push(...check(s.properties[k], val, `${path}.${k}`));
        else if (s.additionalProperties === false) errs.push(`${path}.${k}: unknown key`);
        else if (typeof s.additionalProperties === 'object') errs.push(...check(s.additionalProperties, val, `${path}.${k}`));
      }
    }
    if (Array.isArray(v) && s.items && !Array.isArray(s.items)) v.forEach((x, i) => errs.push(...check(s.items as Schema, x, `${path}[${i}]`)));
    return errs;
  };
  return check(root, value, 'config');
}

const schema = JSON.parse(readFileSync(join(repoRoot, 'node_modules/app-builder-lib/scheme.json'), 'utf8')) as Schema;
const config = yaml.load(readFileSync(join(repoRoot, 'electron-builder.yml'), 'utf8')) as Record<string, any>;

describe('electron-builder.yml', () => {
  it('the validator catches what it should', () => {
    expect(validate(schema, { appId: 'x', linux: { target: ['AppImage'] } })).toEqual([]);
    expect(validate(schema, { appld: 'x' })).toEqual(['config.appld: unknown key']);
    expect(validate(schema, { npmRebuild: 'yes' })[0]).toMatch(/npmRebuild: expected boolean/);
    expect(validate(schema, { fileAssociations: [{ ext: 'pcap', colour: 'red' }] })[0]).toMatch(/fileAssociations/);
  });

  it('is valid against electron-builder’s schema', () => {
    expect(validate(schema, config)).toEqual([]);
  });

  it('builds AppImage and deb, dmg and nsis', () => {
    expect(config.linux.target).toEqual(expect.arrayContaining(['AppImage', 'deb']));
    expect([config.mac.target].flat()).toContain('dmg');
    expect([config.win.target].flat()).toContain('nsis');
  });

  it('associates .pcap and .pcapng files', () => {
    const exts = (config.fileAssociations as { ext: string | string[] }[]).flatMap((f) => [f.ext].flat());
    expect(exts).toEqual(expect.arrayContaining(['pcap', 'pcapng']));
  });

  it('rebuilds native modules (cap) for Electron from source and unpacks them from the asar', () => {
    expect(config.npmRebuild).toBe(true);
    expect(config.buildDependenciesFromSource).toBe(true);
    expect(config.asarUnpack).toContain('**/*.node');
  });

  it('packs the built main process, renderer and assets, and starts from the built main', () => {
    expect(config.files).toEqual(expect.arrayContaining(['dist/electron/**', 'dist/renderer/**', 'assets/**']));
    expect(config.extraMetadata.main).toBe('dist/electron/main.cjs');
  });
});
