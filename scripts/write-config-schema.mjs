// `npm run config:schema`: writes the configuration file's JSON Schema (generated from the zod schema
// config apply checks files with) to schema/; a test fails while the published file is out of date.
import { writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { CONFIG_JSON_SCHEMA_PATH, configJsonSchema } from '../dist/config-as-code/json-schema.js';

const path = fileURLToPath(new URL(`../${CONFIG_JSON_SCHEMA_PATH}`, import.meta.url));
writeFileSync(path, `${JSON.stringify(configJsonSchema(), null, 2)}\n`);
console.log(`Wrote ${CONFIG_JSON_SCHEMA_PATH}`);
