import { NOTIFICATION_COLUMN_LABELS, type Translations } from './labels';
import { Language } from './language';

/** Downloads are Finnish unless the caller asks otherwise: Kela's content is Finnish (issue 12). */
export const DOWNLOAD_DEFAULT_LANGUAGE = Language.FI;

/** The header row of the downloads, one label per column in each language. */
export const DOWNLOAD_COLUMN_LABELS = {
  rowNumber: { FI: 'Rivinumero', SV: 'Radnummer', EN: 'Row number' },
  id: { FI: 'Ilmoituksen tunnus', SV: 'Anmälans id', EN: 'Notification ID' },
  status: { FI: 'Tila', SV: 'Status', EN: 'Status' },
  municipalityCode: { FI: 'Kuntanumero', SV: 'Kommunnummer', EN: 'Municipality code' },
  municipality: { FI: 'Kunta', SV: 'Kommun', EN: 'Municipality' },
  createdAt: { FI: 'Luotu', SV: 'Skapad', EN: 'Created' },
  // The same words as the lists' column in `labels`: Kela's "Under behandling".
  pendingDays: NOTIFICATION_COLUMN_LABELS.pendingDays,
  removalDue: { FI: 'Poistuu', SV: 'Tas bort', EN: 'Removed at' },
  personalIdentityCode: { FI: 'Henkilötunnus', SV: 'Personbeteckning', EN: 'Personal identity code' },
  lastName: { FI: 'Sukunimi', SV: 'Efternamn', EN: 'Last name' },
  firstNames: { FI: 'Etunimet', SV: 'Förnamn', EN: 'First names' },
  dateOfBirth: { FI: 'Syntymäaika', SV: 'Födelsedatum', EN: 'Date of birth' },
  nativeLanguage: { FI: 'Äidinkieli', SV: 'Modersmål', EN: 'Native language' },
  citizenship: { FI: 'Kansalaisuus', SV: 'Medborgarskap', EN: 'Citizenship' },
  street: { FI: 'Lähiosoite', SV: 'Gatuadress', EN: 'Street address' },
  postalCode: { FI: 'Postinumero', SV: 'Postnummer', EN: 'Postal code' },
  postOffice: { FI: 'Postitoimipaikka', SV: 'Postanstalt', EN: 'Post office' },
  phoneNumber: { FI: 'Puhelinnumero', SV: 'Telefonnummer', EN: 'Phone number' },
  firstResidencePermitStart: {
    FI: 'Ensimmäinen oleskelulupa alkaen',
    SV: 'Första uppehållstillstånd från',
    EN: 'First residence permit from',
  },
  euEeaCitizen: { FI: 'EU/ETA-kansalainen', SV: 'EU/EES-medborgare', EN: 'EU/EEA citizen' },
  criteria: { FI: 'Ilmoitusperuste', SV: 'Grund för anmälan', EN: 'Criteria met' },
  residenceBasis: { FI: 'Oleskeluperuste', SV: 'Uppehållsgrund', EN: 'Residence basis' },
  additionalInfo: { FI: 'Lisätiedot', SV: 'Tilläggsuppgifter', EN: 'Additional information' },
  allowanceStartDate: { FI: 'Kotihoidon tuki alkaen', SV: 'Stöd för hemvård från', EN: 'Allowance from' },
  childrenCount: { FI: 'Lasten määrä', SV: 'Antal barn', EN: 'Number of children' },
  // Not the notifications' words: each header names one column, whichever the file.
  noticeId: { FI: 'Sosiaalihuollon ilmoituksen tunnus', SV: 'Socialvårdsanmälans id', EN: 'Notice ID' },
  socialCareNoticeKind: { FI: 'Ilmoituksen laji', SV: 'Typ av anmälan', EN: 'Kind of notice' },
  recipient: { FI: 'Vastaanottaja', SV: 'Mottagare', EN: 'Recipient' },
  receivedAt: { FI: 'Saapunut', SV: 'Inkommen', EN: 'Received' },
  decisionOn: {
    FI: 'Perustoimeentulotukipäätös',
    SV: 'Beslut om grundläggande utkomststöd',
    EN: 'Basic income support decision',
  },
  visibleFrom: { FI: 'Näkyvissä alkaen', SV: 'Synlig från', EN: 'Visible from' },
  supportMonths: { FI: 'Tukikuukaudet', SV: 'Stödmånader', EN: 'Months of support' },
} as const satisfies Record<string, Translations>;

export type DownloadColumn = keyof typeof DOWNLOAD_COLUMN_LABELS;

/** A yes/no cell (a boolean of the data) in words, as a handler reads it. */
export const YES_NO: Readonly<Record<'yes' | 'no', Translations>> = {
  yes: { FI: 'Kyllä', SV: 'Ja', EN: 'Yes' },
  no: { FI: 'Ei', SV: 'Nej', EN: 'No' },
};

/** The worksheet of each workbook (Excel allows at most 31 characters). */
export const DOWNLOAD_SHEET_NAMES = {
  notifications: { FI: 'Ilmoitukset', SV: 'Anmälningar', EN: 'Notifications' },
  homeCareAllowanceList: { FI: 'Kotihoidon tuki', SV: 'Stöd för hemvård', EN: 'Home care allowance' },
  socialCareNotices: {
    FI: 'Sosiaalihuollon ilmoitukset',
    SV: 'Socialvårdsanmälningar',
    EN: 'Social-care notices',
  },
} as const satisfies Record<string, Translations>;
