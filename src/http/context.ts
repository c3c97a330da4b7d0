import type { Viewer } from '../auth/viewer';
import type { Loaders } from '../loaders';
import type { Services } from '../services';

/** Built once per request. An anonymous caller is a viewer value too, never a missing field. */
export interface Context {
  viewer: Viewer;
  /** The request's moment: every rule and computed field of one request sees the same time. */
  now: Date;
  loaders: Loaders;
  services: Services;
}
