import { InitialSchema1795740000000 } from './1795740000000-InitialSchema';
import { HomeCareAllowanceLists1795750000000 } from './1795750000000-HomeCareAllowanceLists';
import { BenefitFacts1795760000000 } from './1795760000000-BenefitFacts';
import { PartnerAgreements1795770000000 } from './1795770000000-PartnerAgreements';
import { AccessLog1795780000000 } from './1795780000000-AccessLog';
import { PersonPostalCodeIndex1795790000000 } from './1795790000000-PersonPostalCodeIndex';
import { KeyedAccessLog1795800000000 } from './1795800000000-KeyedAccessLog';
import { RateLimitHits1795805000000 } from './1795805000000-RateLimitHits';
import { PersonKeyOnPerson1795810000000 } from './1795810000000-PersonKeyOnPerson';
import { HomeCareAllowancePhoneNumber1795820000000 } from './1795820000000-HomeCareAllowancePhoneNumber';
import { OrganisationAgreements1795825000000 } from './1795825000000-OrganisationAgreements';
import { NotificationCriteria1795830000000 } from './1795830000000-NotificationCriteria';
import { SocialCareNotices1795840000000 } from './1795840000000-SocialCareNotices';
import { UnemploymentMonths1795850000000 } from './1795850000000-UnemploymentMonths';
import { Webhooks1795860000000 } from './1795860000000-Webhooks';
import { NotificationChangeEvents1795870000000 } from './1795870000000-NotificationChangeEvents';

/** Migration classes in order; classes rather than globs so that every runner loads the same code. */
export const migrations = [
  InitialSchema1795740000000,
  HomeCareAllowanceLists1795750000000,
  BenefitFacts1795760000000,
  PartnerAgreements1795770000000,
  AccessLog1795780000000,
  PersonPostalCodeIndex1795790000000,
  KeyedAccessLog1795800000000,
  RateLimitHits1795805000000,
  PersonKeyOnPerson1795810000000,
  HomeCareAllowancePhoneNumber1795820000000,
  OrganisationAgreements1795825000000,
  NotificationCriteria1795830000000,
  SocialCareNotices1795840000000,
  UnemploymentMonths1795850000000,
  Webhooks1795860000000,
  NotificationChangeEvents1795870000000,
];
