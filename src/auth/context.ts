import type { WithheldGrant } from '../domain/organisation-agreement';
import type { Viewer } from '../domain/viewer';
import type { Language } from '../i18n/language';
import type { Loaders } from '../loaders';
import type { RequestScope } from '../logger';
import type { Services } from '../services';
import type { Agreement } from '../services/agreement.service';

/** Built once per request. An anonymous caller is a viewer value too, never a missing field. */
export interface Context {
  viewer: Viewer;
  /** A partner system's agreements in force today, which its grants come from; empty for persons. */
  agreements: readonly Agreement[];
  /** A person's grants that are not in force (no organisation agreement), so that `viewer` can say why. */
  withheldGrants: readonly WithheldGrant[];
  /** Request id and operation name, for log lines written while serving this request. */
  scope: RequestScope;
  /** The request's moment: every rule and computed field of one request sees the same time. */
  now: Date;
  /** Labels and messages follow it unless a field's `language` argument says otherwise (Accept-Language). */
  language: Language;
  loaders: Loaders;
  services: Services;
}
