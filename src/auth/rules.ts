import { rule } from 'graphql-shield';
import { DataContent } from '../domain/enums';
import { ForbiddenError, NotFoundError } from '../domain/errors';
import type { Context } from '../http/context';
import { canAccess, isAuthenticated, municipalitiesFor } from './viewer';

/**
 * A plain `false` denies: the shield's fallbackError turns it into UNAUTHENTICATED or FORBIDDEN by who is asking.
 * Rules build no error objects themselves, because `or()` evaluates every branch and most of them fail by design.
 */
function requireViewer(ctx: Context): boolean {
  return isAuthenticated(ctx.viewer);
}

function canUse(ctx: Context, content: DataContent): boolean {
  return isAuthenticated(ctx.viewer) && municipalitiesFor(ctx.viewer, content).length > 0;
}

/** Any verified caller: reference data such as municipalities, and the viewer's own description. */
export const isAuthenticatedCaller = rule({ cache: 'contextual' })((_parent, _args, ctx: Context) =>
  requireViewer(ctx),
);

/** Kela: integration-service notifications need the mandate for integration-service client data (or an agreement). */
export const canReadIntegrationServices = rule({ cache: 'contextual' })((_parent, _args, ctx: Context) =>
  canUse(ctx, DataContent.INTEGRATION_SERVICES),
);

/** Handlers change notifications under the same data content they read them by. */
export const canHandleIntegrationServices = rule({ cache: 'contextual' })((_parent, _args, ctx: Context) =>
  canUse(ctx, DataContent.INTEGRATION_SERVICES),
);

/** The identity code is the most sensitive field: its own rule, so that it can be narrowed without touching others. */
export const canSeePersonalIdentityCode = rule({ cache: 'contextual' })((_parent, _args, ctx: Context) =>
  canUse(ctx, DataContent.INTEGRATION_SERVICES),
);

/**
 * A filter naming a real municipality outside the viewer's mandates is refused. Unknown codes pass here:
 * they are bad input, which the service reports as such.
 */
export const canFilterRequestedMunicipality = rule({ cache: 'strict' })(
  (_parent, args: { filter?: { municipalityCode?: string | null } }, ctx: Context) => {
    const code = args.filter?.municipalityCode;
    if (code == null || !ctx.services.municipalities.isKnown(code)) return true;
    return canAccess(ctx.viewer, DataContent.INTEGRATION_SERVICES, code)
      ? true
      : new ForbiddenError(
          `Not allowed: you hold no mandate for integration-service data of municipality ${code}.`,
        );
  },
);

/**
 * Row scope, the second time: the SQL already reads only the viewer's municipalities; this checks the object.
 * Reported as not found so that a notification's existence never leaks.
 */
export const isNotificationInViewerScope = rule({ cache: 'no_cache' })(
  (parent: { municipalityCode: string }, _args, ctx: Context) =>
    canAccess(ctx.viewer, DataContent.INTEGRATION_SERVICES, parent.municipalityCode)
      ? true
      : new NotFoundError(),
);

/** Kela: the child home care allowance lists are their own data content under the integration-services mandate. */
export const canReadHomeCareAllowance = rule({ cache: 'contextual' })((_parent, _args, ctx: Context) =>
  canUse(ctx, DataContent.INTEGRATION_SERVICES_HOME_CARE_ALLOWANCE),
);

/** As for notifications: naming a real municipality outside the viewer's grants is refused; unknown codes are bad input. */
export const canFilterHomeCareAllowanceMunicipality = rule({ cache: 'strict' })(
  (_parent, args: { municipalityCode?: string | null }, ctx: Context) => {
    const code = args.municipalityCode;
    if (code == null || !ctx.services.municipalities.isKnown(code)) return true;
    return canAccess(ctx.viewer, DataContent.INTEGRATION_SERVICES_HOME_CARE_ALLOWANCE, code)
      ? true
      : new ForbiddenError(
          `Not allowed: you hold no mandate for child home care allowance data of municipality ${code}.`,
        );
  },
);

/** Row scope of lists, the second time; reported as not found so that a list's existence never leaks. */
export const isHomeCareAllowanceListInViewerScope = rule({ cache: 'no_cache' })(
  (parent: { municipalityCode: string }, _args, ctx: Context) =>
    canAccess(ctx.viewer, DataContent.INTEGRATION_SERVICES_HOME_CARE_ALLOWANCE, parent.municipalityCode)
      ? true
      : new NotFoundError('List'),
);

/** Kela's onboarding rules: the organisation's data protection or security officer reviews the use of the data. */
export const canReviewAccessLog = rule({ cache: 'contextual' })((_parent, _args, ctx: Context) =>
  canUse(ctx, DataContent.ACCESS_LOG),
);
