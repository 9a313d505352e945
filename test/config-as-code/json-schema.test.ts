import { describe, expect, it } from '@jest/globals';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { readConfigFile } from '../../src/config-as-code/file-text.js';
import { CONFIG_JSON_SCHEMA_PATH, configJsonSchema } from '../../src/config-as-code/json-schema.js';
import { projectRoot } from '../../src/paths.js';

describe('the configuration file schema', () => {
  it('is published up to date (npm run config:schema rewrites it)', () => {
    const published = JSON.parse(readFileSync(join(projectRoot, CONFIG_JSON_SCHEMA_PATH), 'utf8')) as unknown;
    expect(published).toEqual(configJsonSchema());
  });

  it('describes every section and refuses keys it does not know, as apply does', () => {
    const schema = configJsonSchema() as { properties: Record<string, { items?: { additionalProperties?: boolean; properties?: object } }>; additionalProperties: boolean };
    expect(Object.keys(schema.properties)).toEqual(['$schema', 'version', 'tenants', 'roles', 'links', 'rules']);
    expect(schema.additionalProperties).toBe(false);
    expect(schema.properties.rules?.items?.additionalProperties).toBe(false);
    expect(Object.keys(schema.properties.rules?.items?.properties ?? {})).toEqual(['id', 'name', 'tenants', 'except', 'severity', 'groups', 'source', 'detection', 'category', 'title', 'to', 'mode', 'include', 'group', 'notify', 'enabled', 'escalate', 'escalate-to']);
  });

  it('accepts the README example', () => {
    const readme = readFileSync(join(projectRoot, 'README.md'), 'utf8');
    const section = readme.slice(readme.indexOf('## Configuration as code'));
    const example = /```yaml\n([\s\S]*?)```/.exec(section)?.[1];
    expect(example).toBeDefined();
    const file = readConfigFile(example ?? '', 'README.md');
    expect(file.content.rules?.map((r) => r.name)).toEqual(['Contoso high', 'Servers to the SIEM']);
    expect(file.lineOf(['rules', 1, 'groups'])).toBe((example ?? '').split('\n').findIndex((l) => l.includes('groups: Servers')) + 1);
  });
});
