import 'reflect-metadata';
import { createDataSource } from './data-source';

/** For the TypeORM CLI (`npm run migration:run`); needs DATABASE_URL. `npm start` applies migrations by itself. */
const url = process.env.DATABASE_URL;
if (!url) throw new Error('Set DATABASE_URL to run the TypeORM CLI.');

export default createDataSource({ url });
