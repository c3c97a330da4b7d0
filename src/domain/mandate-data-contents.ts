import { DataContent } from './enums';

/**
 * Which data contents each Suomi.fi mandate issue (valtuusasia) opens. The one place this mapping lives.
 * Kela: "Review of client data in integration services" shows both integration-service data contents.
 * A Map, not an object literal: issue names come from tokens, and `constructor` or `__proto__` must be unknown issues
 * like any other, not members inherited from Object.prototype.
 */
export const MANDATE_ISSUE_DATA_CONTENTS: ReadonlyMap<string, readonly DataContent[]> = new Map([
  [
    'INTEGRATION_CLIENT_DATA',
    [DataContent.INTEGRATION_SERVICES, DataContent.INTEGRATION_SERVICES_HOME_CARE_ALLOWANCE],
  ],
  ['SOCIAL_ASSISTANCE_CLIENT_DATA', [DataContent.SOCIAL_ASSISTANCE]],
  /** For the organisation's data protection or security officer: reviewing who used the data. */
  ['ACCESS_LOG_REVIEW', [DataContent.ACCESS_LOG]],
]);

/** Suomi.fi levels of assurance accepted for persons: substantial or high. */
export const STRONG_AUTHENTICATION_ACRS: ReadonlySet<string> = new Set([
  'http://ftn.ficora.fi/2017/loa2',
  'http://ftn.ficora.fi/2017/loa3',
  'http://eidas.europa.eu/LoA/substantial',
  'http://eidas.europa.eu/LoA/high',
]);
