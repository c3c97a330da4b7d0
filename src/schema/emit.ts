import 'reflect-metadata';
import fs from 'node:fs';
import path from 'node:path';
import { buildGraphQLSchema, printSortedSchema } from './build-schema';

/** `npm run schema`: writes src/schema/schema.graphql from the code. */
const target = path.join(__dirname, 'schema.graphql');
fs.writeFileSync(target, printSortedSchema(buildGraphQLSchema()));
console.log(`wrote ${path.relative(process.cwd(), target)}`);
