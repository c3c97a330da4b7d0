import { Field, ObjectType } from 'type-graphql';
import { AgeSignal } from '../../domain/age-signal';
import {
  DataContent,
  NoticeVisibility,
  NotificationChange,
  NotificationCriterion,
  NotificationKind,
  NotificationStatus,
  ResidenceBasis,
  SocialCareNoticeKind,
  ViewerKind,
} from '../../domain/enums';
import { ERROR_MESSAGES, errorMessage, type LocalizedErrorCode } from '../../i18n/error-messages';
import {
  AGE_SIGNAL_LABELS,
  DATA_CONTENT_LABELS,
  NOTICE_VISIBILITY_LABELS,
  NOTIFICATION_ACTION_LABELS,
  NOTIFICATION_CHANGE_LABELS,
  NOTIFICATION_COLUMN_LABELS,
  NOTIFICATION_CRITERION_LABELS,
  NOTIFICATION_KIND_LABELS,
  NOTIFICATION_STATUS_LABELS,
  RESIDENCE_BASIS_LABELS,
  SOCIAL_CARE_NOTICE_KIND_LABELS,
  type Translations,
  VIEWER_KIND_LABELS,
} from '../../i18n/labels';
import { Language } from '../../i18n/language';

@ObjectType({ simpleResolvers: true, description: 'A notification status and its display label.' })
export class NotificationStatusLabel {
  @Field(() => NotificationStatus, { description: 'The value as the API uses it.' })
  value!: NotificationStatus;

  @Field(() => String, {
    description: 'What a user reads, e.g. Käsittelyssä / Under behandling / In processing.',
  })
  label!: string;
}

@ObjectType({
  simpleResolvers: true,
  description: "A subscription event's change and its display label.",
})
export class NotificationChangeLabel {
  @Field(() => NotificationChange, { description: 'The value as the API uses it.' })
  value!: NotificationChange;

  @Field(() => String, {
    description: 'What a user reads, e.g. Siirretty käsittelyyn / Flyttad till behandling.',
  })
  label!: string;
}

@ObjectType({ simpleResolvers: true, description: 'An age signal and its display label.' })
export class AgeSignalLabel {
  @Field(() => AgeSignal, { description: 'The value as the API uses it.' })
  value!: AgeSignal;

  @Field(() => String, { description: 'What a user reads, e.g. Keltainen / Gul / Yellow.' })
  label!: string;
}

@ObjectType({ simpleResolvers: true, description: 'A notification kind and its display label.' })
export class NotificationKindLabel {
  @Field(() => NotificationKind, { description: 'The value as the API uses it.' })
  value!: NotificationKind;

  @Field(() => String, { description: 'What a user reads, e.g. Ilmoitus maahanmuuttajasta.' })
  label!: string;
}

@ObjectType({ simpleResolvers: true, description: 'A notification criterion and its display label.' })
export class NotificationCriterionLabel {
  @Field(() => NotificationCriterion, { description: 'The value as the API uses it.' })
  value!: NotificationCriterion;

  @Field(() => String, {
    description: 'What a user reads, e.g. Grundläggande utkomststöd två månader i följd.',
  })
  label!: string;
}

@ObjectType({ simpleResolvers: true, description: 'A residence basis and its display label.' })
export class ResidenceBasisLabel {
  @Field(() => ResidenceBasis, { description: 'The value as the API uses it.' })
  value!: ResidenceBasis;

  @Field(() => String, { description: 'What a user reads, e.g. EU/ETA-kansalainen / EU/EES-medborgare.' })
  label!: string;
}

@ObjectType({ simpleResolvers: true, description: 'A social-care notice kind and its display label.' })
export class SocialCareNoticeKindLabel {
  @Field(() => SocialCareNoticeKind, { description: 'The value as the API uses it.' })
  value!: SocialCareNoticeKind;

  @Field(() => String, { description: 'What a user reads, e.g. Kiireellinen hakemus.' })
  label!: string;
}

@ObjectType({
  simpleResolvers: true,
  description: "A social-care notice's visibility rule and its display label.",
})
export class NoticeVisibilityLabel {
  @Field(() => NoticeVisibility, { description: 'The value as the API uses it.' })
  value!: NoticeVisibility;

  @Field(() => String, { description: 'What a user reads, e.g. Samana päivänä.' })
  label!: string;
}

@ObjectType({ simpleResolvers: true, description: 'A data content and its display label.' })
export class DataContentLabel {
  @Field(() => DataContent, { description: 'The value as the API uses it.' })
  value!: DataContent;

  @Field(() => String, {
    description:
      'What a user reads: the name Kelmu shows, e.g. Kotoutumispalvelut / Integrationstjänster / Integration services.',
  })
  label!: string;
}

@ObjectType({ simpleResolvers: true, description: 'A viewer kind and its display label.' })
export class ViewerKindLabel {
  @Field(() => ViewerKind, { description: 'The value as the API uses it.' })
  value!: ViewerKind;

  @Field(() => String, { description: 'What a user reads.' })
  label!: string;
}

@ObjectType({
  simpleResolvers: true,
  description: 'An error code (`extensions.code`) and the message a user reads for it.',
})
export class ErrorCodeLabel {
  @Field(() => String, { description: 'The stable code, e.g. NOT_FOUND.' })
  code!: string;

  @Field(() => String, { description: 'The message shown for it in the chosen language.' })
  message!: string;
}

@ObjectType({
  simpleResolvers: true,
  description: 'Column headers of the notification lists, each named after the Notification field it shows.',
})
export class NotificationColumnLabels {
  @Field(() => String, {
    description:
      'Header of the pendingDays column (days since created), e.g. Vireillä / Under behandling / Pending.',
  })
  pendingDays!: string;
}

@ObjectType({
  simpleResolvers: true,
  description: 'Button texts of the three state changes, each named after its mutation.',
})
export class NotificationActionLabels {
  @Field(() => String, {
    description: 'The moveToProcessing button, e.g. Överför till Anmälningar under behandling.',
  })
  moveToProcessing!: string;

  @Field(() => String, { description: 'The returnToNew button, e.g. För till Nya anmälningar.' })
  returnToNew!: string;

  @Field(() => String, { description: 'The transferToMunicipality button, e.g. Överför till annan kommun.' })
  transferToMunicipality!: string;
}

@ObjectType({
  simpleResolvers: true,
  description:
    'Display labels of the enumerated values and messages of the error codes in one language, for pickers, column headers and error notices.',
})
export class Labels {
  @Field(() => Language, { description: 'The language of these labels.' })
  language!: Language;

  @Field(() => [NotificationStatusLabel], { description: 'Every notification status.' })
  notificationStatuses!: NotificationStatusLabel[];

  @Field(() => [NotificationChangeLabel], {
    description: 'Every change a subscription reports (notificationsChanged).',
  })
  notificationChanges!: NotificationChangeLabel[];

  @Field(() => [AgeSignalLabel], { description: 'Every age signal, GREEN to RED.' })
  ageSignals!: AgeSignalLabel[];

  @Field(() => [NotificationKindLabel], { description: 'Every notification kind.' })
  notificationKinds!: NotificationKindLabel[];

  @Field(() => [NotificationCriterionLabel], { description: "Every criterion of Kela's weekly run." })
  notificationCriteria!: NotificationCriterionLabel[];

  @Field(() => [ResidenceBasisLabel], { description: 'Every residence basis.' })
  residenceBases!: ResidenceBasisLabel[];

  @Field(() => [SocialCareNoticeKindLabel], { description: 'Every social-care notice kind.' })
  socialCareNoticeKinds!: SocialCareNoticeKindLabel[];

  @Field(() => [NoticeVisibilityLabel], { description: "Every social-care notice's visibility rule." })
  noticeVisibilities!: NoticeVisibilityLabel[];

  @Field(() => [DataContentLabel], { description: 'Every data content.' })
  dataContents!: DataContentLabel[];

  @Field(() => [ViewerKindLabel], { description: 'Every viewer kind.' })
  viewerKinds!: ViewerKindLabel[];

  @Field(() => [ErrorCodeLabel], { description: 'Every error code the service answers with.' })
  errorCodes!: ErrorCodeLabel[];

  @Field(() => NotificationColumnLabels, { description: 'Column headers of the notification lists.' })
  notificationColumns!: NotificationColumnLabels;

  @Field(() => NotificationActionLabels, {
    description: 'Button texts of the state changes of a notification.',
  })
  notificationActions!: NotificationActionLabels;
}

/** Each key's text in one language: the object types above take the keys of the i18n tables as field names. */
function textsIn<K extends string>(
  texts: Readonly<Record<K, Translations>>,
  language: Language,
): Record<K, string> {
  return Object.fromEntries((Object.keys(texts) as K[]).map((key) => [key, texts[key][language]])) as Record<
    K,
    string
  >;
}

function valueLabels<V extends string>(labels: Readonly<Record<V, Translations>>, language: Language) {
  return (Object.keys(labels) as V[]).map((value) => ({ value, label: labels[value][language] }));
}

/** The whole vocabulary in one language, in the enums' declaration order. */
function vocabulary(language: Language): Labels {
  return {
    language,
    notificationStatuses: valueLabels(NOTIFICATION_STATUS_LABELS, language),
    notificationChanges: valueLabels(NOTIFICATION_CHANGE_LABELS, language),
    ageSignals: valueLabels(AGE_SIGNAL_LABELS, language),
    notificationKinds: valueLabels(NOTIFICATION_KIND_LABELS, language),
    notificationCriteria: valueLabels(NOTIFICATION_CRITERION_LABELS, language),
    residenceBases: valueLabels(RESIDENCE_BASIS_LABELS, language),
    socialCareNoticeKinds: valueLabels(SOCIAL_CARE_NOTICE_KIND_LABELS, language),
    noticeVisibilities: valueLabels(NOTICE_VISIBILITY_LABELS, language),
    dataContents: valueLabels(DATA_CONTENT_LABELS, language),
    viewerKinds: valueLabels(VIEWER_KIND_LABELS, language),
    errorCodes: (Object.keys(ERROR_MESSAGES) as LocalizedErrorCode[]).map((code) => ({
      code,
      message: errorMessage(code, language),
    })),
    notificationColumns: textsIn(NOTIFICATION_COLUMN_LABELS, language),
    notificationActions: textsIn(NOTIFICATION_ACTION_LABELS, language),
  };
}

/** Built once: the query is public and the texts never change while the service runs. */
const LABELS = new Map(Object.values(Language).map((language) => [language, vocabulary(language)] as const));

export function labelsIn(language: Language): Labels {
  return LABELS.get(language) ?? vocabulary(language);
}
