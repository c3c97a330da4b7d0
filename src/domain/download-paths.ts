import type { HomeCareAllowanceList } from '../entities/home-care-allowance-list.entity';
import type { Municipality } from '../entities/municipality.entity';

/** The download routes, in one place for the router and for the GraphQL `downloadPath` fields. */
export const downloadPaths = {
  homeCareAllowanceList: (id: string) => `/downloads/home-care-allowance-lists/${id}.csv`,
  notifications: '/downloads/notifications.csv',
  notification: (id: string) => `/downloads/notifications/${id}.csv`,
};

/** ASCII for file systems and mail gateways that mangle others: 'Vöyri' → 'voyri'. */
function slug(text: string): string {
  return text
    .normalize('NFD')
    .replace(/\p{Diacritic}/gu, '')
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, '-')
    .replace(/^-|-$/g, '');
}

export const downloadFileName = {
  homeCareAllowanceList: (list: HomeCareAllowanceList, municipality: Municipality | undefined) =>
    `home-care-allowance_${list.municipalityCode}-${slug(municipality?.nameFi ?? '')}_${list.monthStart.slice(0, 7)}.csv`,
  notifications: (status: string, municipality: Municipality | undefined, day: string) =>
    `immigrant-notifications_${municipality ? `${municipality.code}-${slug(municipality.nameFi)}_` : ''}${status.toLowerCase()}_${day}.csv`,
  notification: (id: string) => `immigrant-notification_${id}.csv`,
};
