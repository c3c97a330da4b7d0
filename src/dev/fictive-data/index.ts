export * from './generate';
export * from './load';
export * from './reference';
export * from './social-care';
