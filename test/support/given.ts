import { randomUUID } from 'node:crypto';
import type { DataSource } from 'typeorm';
import {
  NotificationCriterion,
  NotificationKind,
  NotificationStatus,
  ResidenceBasis,
} from '../../src/domain/enums';
import { fictivePersonalIdentityCode } from '../../src/domain/personal-identity-code';
import type { TestClock } from './app';

const DAY_MS = 86_400_000;

export interface NotificationFixture {
  municipalityCode?: string;
  status?: NotificationStatus;
  /** Age at the clock's current time; or give createdAt. */
  ageDays?: number;
  createdAt?: Date;
  postalCode?: string;
  postOffice?: string;
  firstNames?: string;
  lastName?: string;
  dateOfBirth?: string;
  additionalInfo?: string | null;
  /** As stored, unchecked (rows imported before numbers were validated); a valid Finnish mobile by default. */
  phoneNumber?: string | null;
  /** The weekly run's criteria; basic income support by default, as most of Kela's notifications. */
  criteria?: NotificationCriterion[];
  residenceBasis?: ResidenceBasis | null;
}

export interface GivenNotification {
  id: string;
  personId: string;
  personalIdentityCode: string;
  createdAt: Date;
}

/** Fixture factories: rows written straight to the database, as Kela's run would have left them. */
export class Given {
  private serial = 0;

  constructor(
    private readonly dataSource: DataSource,
    private readonly clock: TestClock,
  ) {}

  async notification(fixture: NotificationFixture = {}): Promise<GivenNotification> {
    this.serial += 1;
    const now = this.clock.now();
    const createdAt = fixture.createdAt ?? new Date(now.getTime() - (fixture.ageDays ?? 1) * DAY_MS);
    const status = fixture.status ?? NotificationStatus.NEW;
    const dateOfBirth =
      fixture.dateOfBirth ??
      `19${String(70 + (this.serial % 30)).padStart(2, '0')}-0${1 + (this.serial % 9)}-15`;
    const personalIdentityCode = fictivePersonalIdentityCode(dateOfBirth, this.serial);
    const [person]: { id: string }[] = await this.dataSource.query(
      `INSERT INTO person (personal_identity_code, first_names, last_name, date_of_birth, native_language, citizenship,
                           street, postal_code, post_office, phone_number, first_residence_permit_start, eu_eea_citizen)
       VALUES ($1, $2, $3, $4, 'ar', 'SYR', 'Kauppapuistikko 1', $5, $6, $7, '2025-01-01', false)
       RETURNING id`,
      [
        personalIdentityCode,
        fixture.firstNames ?? 'Test',
        fixture.lastName ?? `Person ${this.serial}`,
        dateOfBirth,
        fixture.postalCode ?? '65100',
        fixture.postOffice ?? 'VAASA',
        fixture.phoneNumber === undefined ? '+358 40 1234567' : fixture.phoneNumber,
      ],
    );
    const personId = (person as { id: string }).id;
    const id = randomUUID();
    await this.dataSource.query(
      `INSERT INTO notification (id, source_id, kind, status, person_id, municipality_code, additional_info, created_at,
                                 processing_started_at, updated_at, criteria, residence_basis)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $8, $10, $11)`,
      [
        id,
        `test-${id}`,
        NotificationKind.IMMIGRANT,
        status,
        personId,
        fixture.municipalityCode ?? '905',
        fixture.additionalInfo ?? null,
        createdAt,
        status === NotificationStatus.IN_PROCESSING ? createdAt : null,
        fixture.criteria ?? [NotificationCriterion.BASIC_INCOME_SUPPORT_TWO_MONTHS],
        fixture.residenceBasis === undefined
          ? ResidenceBasis.RESIDENCE_PERMIT_UNDER_THREE_YEARS
          : fixture.residenceBasis,
      ],
    );
    return { id, personId, personalIdentityCode, createdAt };
  }

  async notifications(count: number, fixture: NotificationFixture = {}): Promise<GivenNotification[]> {
    const created: GivenNotification[] = [];
    for (let i = 0; i < count; i += 1) created.push(await this.notification({ ageDays: i % 20, ...fixture }));
    return created;
  }
}
