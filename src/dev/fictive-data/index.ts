export * from './generate';
export * from './load';
export * from './reference';
