import type { HomeCareAllowanceList } from '../entities/home-care-allowance-list.entity';
import type { Municipality } from '../entities/municipality.entity';
import { Language } from '../i18n/language';

/** The formats of every download: CSV for machines, an Excel workbook for people. */
export type DownloadFormat = 'csv' | 'xlsx';

/** The download routes, in one place for the router and for the GraphQL `downloadPath` fields. */
export const downloadPaths = {
  homeCareAllowanceList: (id: string, format: DownloadFormat = 'csv') =>
    `/downloads/home-care-allowance-lists/${id}.${format}`,
  notifications: '/downloads/notifications.csv',
  notification: (id: string, format: DownloadFormat = 'csv') => `/downloads/notifications/${id}.${format}`,
  socialCareNotices: '/downloads/social-care-notices.csv',
  socialCareNotice: (id: string, format: DownloadFormat = 'csv') =>
    `/downloads/social-care-notices/${id}.${format}`,
};

/** The municipality's name in the language: Swedish for sv where it has one, otherwise Finnish. */
export function municipalityName(
  municipality: Pick<Municipality, 'nameFi' | 'nameSv'>,
  language: Language,
): string {
  return language === Language.SV && municipality.nameSv ? municipality.nameSv : municipality.nameFi;
}

/** ASCII for file systems and mail gateways that mangle others: 'Vöyri' → 'voyri'. */
function slug(text: string): string {
  return text
    .normalize('NFD')
    .replace(/\p{Diacritic}/gu, '')
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, '-')
    .replace(/^-|-$/g, '');
}

/** `946-voyri`, or `946-vora` in Swedish. */
const municipalityPart = (code: string, municipality: Municipality | undefined, language: Language) =>
  `${code}-${municipality ? slug(municipalityName(municipality, language)) : ''}`;

/** File names: the municipality's name in the download's language (Finnish by default), the format's extension. */
export const downloadFileName = {
  homeCareAllowanceList: (
    list: HomeCareAllowanceList,
    municipality: Municipality | undefined,
    language: Language = Language.FI,
    format: DownloadFormat = 'csv',
  ) =>
    `home-care-allowance_${municipalityPart(list.municipalityCode, municipality, language)}_${list.monthStart.slice(0, 7)}.${format}`,
  notifications: (
    status: string,
    municipality: Municipality | undefined,
    day: string,
    language: Language = Language.FI,
    format: DownloadFormat = 'csv',
  ) =>
    `immigrant-notifications_${municipality ? `${municipalityPart(municipality.code, municipality, language)}_` : ''}${status.toLowerCase()}_${day}.${format}`,
  notification: (id: string, format: DownloadFormat = 'csv') => `immigrant-notification_${id}.${format}`,
  /** `social-care-notices_po_2026-11-02.csv`, or with a municipality `social-care-notices_905-vaasa_2026-11-02.csv`. */
  socialCareNotices: (
    scope: { municipality?: Municipality | undefined; recipientId?: string | undefined },
    day: string,
    language: Language = Language.FI,
    format: DownloadFormat = 'csv',
  ) =>
    `social-care-notices_${
      scope.municipality
        ? `${municipalityPart(scope.municipality.code, scope.municipality, language)}_`
        : scope.recipientId
          ? `${slug(scope.recipientId)}_`
          : ''
    }${day}.${format}`,
  socialCareNotice: (id: string, format: DownloadFormat = 'csv') => `social-care-notice_${id}.${format}`,
};
