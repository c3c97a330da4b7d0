import { rule } from 'graphql-shield';
import { DataContent, ViewerKind } from '../domain/enums';
import { ForbiddenError, NotFoundError } from '../domain/errors';
import { canAccess, isAuthenticated, municipalitiesFor } from '../domain/viewer';
import type { Context } from './context';

/**
 * A plain `false` denies: the shield's fallbackError turns it into UNAUTHENTICATED or FORBIDDEN by who is asking.
 * Rules build no error objects themselves, because `or()` evaluates every branch and most of them fail by design.
 * An anonymous viewer has no municipalities, so it can use no data content.
 */
function canUse(content: DataContent) {
  return rule({ cache: 'contextual' })(
    (_parent, _args, ctx: Context) => municipalitiesFor(ctx.viewer, content).length > 0,
  );
}

/**
 * A filter naming a real municipality outside the viewer's grants for `content` is refused. Unknown codes pass here:
 * they are bad input, which the service reports as such. An anonymous caller gets a plain denial, which the
 * fallbackError turns into UNAUTHENTICATED: `and()` prefers an error object over `false`, so a FORBIDDEN built here
 * would otherwise hide that the caller has not signed in.
 */
function canFilterMunicipality(
  content: DataContent,
  requestedCode: (args: Record<string, unknown>) => unknown,
  dataName: string,
) {
  return rule({ cache: 'strict' })((_parent, args: Record<string, unknown>, ctx: Context) => {
    if (!isAuthenticated(ctx.viewer)) return false;
    const code = requestedCode(args);
    if (typeof code !== 'string' || !ctx.services.municipalities.isKnown(code)) return true;
    return canAccess(ctx.viewer, content, code)
      ? true
      : new ForbiddenError(`Not allowed: you hold no mandate for ${dataName} of municipality ${code}.`);
  });
}

/**
 * Row scope, the second time: the SQL already reads only the viewer's municipalities; this checks the object.
 * Reported as not found so that the object's existence never leaks.
 */
function isInViewerScope(content: DataContent, notFound: () => Error) {
  return rule({ cache: 'no_cache' })((parent: { municipalityCode: string }, _args, ctx: Context) =>
    canAccess(ctx.viewer, content, parent.municipalityCode) ? true : notFound(),
  );
}

/** Any verified caller: reference data such as municipalities, and the viewer's own description. */
export const isAuthenticatedCaller = rule({ cache: 'contextual' })((_parent, _args, ctx: Context) =>
  isAuthenticated(ctx.viewer),
);

/** Kela: integration-service notifications need the mandate for integration-service client data (or an agreement). */
export const canReadIntegrationServices = canUse(DataContent.INTEGRATION_SERVICES);

/** Handlers change notifications under the same data content they read them by. */
export const canHandleIntegrationServices = canUse(DataContent.INTEGRATION_SERVICES);

/** The identity code is the most sensitive field: its own rule, so that it can be narrowed without touching others. */
export const canSeePersonalIdentityCode = canUse(DataContent.INTEGRATION_SERVICES);

export const canFilterRequestedMunicipality = canFilterMunicipality(
  DataContent.INTEGRATION_SERVICES,
  (args) => (args.filter as { municipalityCode?: unknown } | undefined)?.municipalityCode,
  'integration-service data',
);

export const isNotificationInViewerScope = isInViewerScope(
  DataContent.INTEGRATION_SERVICES,
  () => new NotFoundError(),
);

/** Kela: the child home care allowance lists are their own data content under the integration-services mandate. */
export const canReadHomeCareAllowance = canUse(DataContent.INTEGRATION_SERVICES_HOME_CARE_ALLOWANCE);

/** A recipient's identity code on a list: its own rule, like the notification person's. */
export const canSeeRecipientIdentityCode = canUse(DataContent.INTEGRATION_SERVICES_HOME_CARE_ALLOWANCE);

export const canFilterHomeCareAllowanceMunicipality = canFilterMunicipality(
  DataContent.INTEGRATION_SERVICES_HOME_CARE_ALLOWANCE,
  (args) => args.municipalityCode,
  'child home care allowance data',
);

export const isHomeCareAllowanceListInViewerScope = isInViewerScope(
  DataContent.INTEGRATION_SERVICES_HOME_CARE_ALLOWANCE,
  () => new NotFoundError('List'),
);

/** Kela's onboarding rules: the organisation's data protection or security officer reviews the use of the data. */
export const canReviewAccessLog = canUse(DataContent.ACCESS_LOG);

/** Kela: social-care notices need the mandate for income support and social services client data (or an agreement). */
export const canReadSocialAssistance = canUse(DataContent.SOCIAL_ASSISTANCE);

/** The welfare area's handlers transfer notices under the data content they read them by. */
export const canHandleSocialAssistance = canUse(DataContent.SOCIAL_ASSISTANCE);

/** A social-care notice's person's identity code: its own rule, like the notification person's. */
export const canSeeSocialCarePersonalIdentityCode = canUse(DataContent.SOCIAL_ASSISTANCE);

/**
 * The social-care filter's municipality or recipient outside the viewer's SOCIAL_ASSISTANCE scope is refused (a
 * recipient when the viewer sees none of its municipalities). Unknown codes and ids pass: the service reports them
 * as bad input.
 */
export const canFilterSocialCareScope = rule({ cache: 'strict' })(
  (_parent, args: Record<string, unknown>, ctx: Context) => {
    if (!isAuthenticated(ctx.viewer)) return false;
    const filter = (args.filter ?? {}) as { municipalityCode?: unknown; recipientId?: unknown };
    const content = DataContent.SOCIAL_ASSISTANCE;
    const code = filter.municipalityCode;
    if (
      typeof code === 'string' &&
      ctx.services.municipalities.isKnown(code) &&
      !canAccess(ctx.viewer, content, code)
    )
      return new ForbiddenError(
        `Not allowed: you hold no mandate for social-care notices of municipality ${code}.`,
      );
    const recipient = filter.recipientId;
    if (typeof recipient === 'string') {
      const codes = ctx.services.municipalities.municipalitiesOfRecipient(recipient);
      if (codes.length > 0 && !codes.some((c) => canAccess(ctx.viewer, content, c)))
        return new ForbiddenError(
          `Not allowed: you hold no mandate for social-care notices of ${recipient}.`,
        );
    }
    return true;
  },
);

/**
 * Row scope of a social-care notice, the second time: in the viewer's municipalities and visible already (the SQL
 * checks both first). Reported as not found so that the notice's existence never leaks.
 */
export const isSocialCareNoticeInViewerScope = rule({ cache: 'no_cache' })(
  (parent: { municipalityCode: string; visibleFrom: Date }, _args, ctx: Context) =>
    canAccess(ctx.viewer, DataContent.SOCIAL_ASSISTANCE, parent.municipalityCode) &&
    parent.visibleFrom.getTime() <= ctx.now.getTime()
      ? true
      : new NotFoundError('Social-care notice'),
);

/**
 * A subscription names one municipality, which must be in the viewer's integration-service scope: a viewer whose
 * mandate lacks it gets nothing. An unknown code is bad input, which the service reports.
 */
export const canSubscribeToMunicipality = canFilterMunicipality(
  DataContent.INTEGRATION_SERVICES,
  (args) => args.municipalityCode,
  'integration-service data',
);

/** Webhooks (issue 14) are registered for partner systems' agreements: only a partner system has deliveries. */
export const isPartnerSystem = rule({ cache: 'contextual' })(
  (_parent, _args, ctx: Context) =>
    isAuthenticated(ctx.viewer) && ctx.viewer.kind === ViewerKind.PARTNER_SYSTEM,
);

/** Row scope, the second time: the SQL reads only the client's own endpoints' deliveries; this checks the row. */
export const isOwnWebhookDelivery = rule({ cache: 'no_cache' })(
  (parent: { clientId: string }, _args, ctx: Context) =>
    isAuthenticated(ctx.viewer) &&
    ctx.viewer.kind === ViewerKind.PARTNER_SYSTEM &&
    parent.clientId === ctx.viewer.id
      ? true
      : new NotFoundError(),
);
