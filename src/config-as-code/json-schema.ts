import { z } from 'zod/v4';
import { ConfigFileSchema } from './file-schema.js';

/** Where the repository publishes the configuration file's JSON Schema (editors validate with it). */
export const CONFIG_JSON_SCHEMA_PATH = 'schema/soc-bridge-config.schema.json';

/** The configuration file's JSON Schema, generated from the schema `config apply` checks files with. */
export function configJsonSchema(): Record<string, unknown> {
  return { ...z.toJSONSchema(ConfigFileSchema), title: 'SOC Bridge configuration file' };
}
