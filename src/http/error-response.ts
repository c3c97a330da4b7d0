import type express from 'express';
import { localizeError } from '../i18n/error-messages';
import { negotiateLanguage } from '../i18n/language';

/** `extensions` of an error answered outside GraphQL: the stable code, and what else the case names. */
export interface ErrorExtensions {
  code: string;
  [name: string]: unknown;
}

/**
 * A coded JSON error outside the GraphQL pipeline (downloads, limits, unknown paths, unreadable bodies), shaped like a
 * GraphQL error response and in the caller's language (Accept-Language).
 */
export function sendError(
  req: express.Request,
  res: express.Response,
  status: number,
  message: string,
  extensions: ErrorExtensions,
): void {
  const language = negotiateLanguage(req.headers['accept-language']);
  res.status(status).json({ errors: [localizeError({ message, extensions }, language)] });
}
