import { InitialSchema1795740000000 } from './1795740000000-InitialSchema';

/** Migration classes in order; classes rather than globs so that every runner loads the same code. */
export const migrations = [InitialSchema1795740000000];
