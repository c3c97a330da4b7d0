import type { DataSource } from 'typeorm';
import { BadUserInputError } from '../domain/errors';
import { recipientOf, type SocialCareRecipient } from '../domain/social-care';
import { requireMunicipalityCodeFormat } from '../domain/validation';
import { Municipality } from '../entities/municipality.entity';

/** Municipalities are reference data that change once a year: read once, served from memory. */
export class MunicipalityService {
  private byCode = new Map<string, Municipality>();

  constructor(private readonly dataSource: DataSource) {}

  async refresh(): Promise<void> {
    const all = await this.dataSource.getRepository(Municipality).find({ order: { code: 'ASC' } });
    this.byCode = new Map(all.map((m) => [m.code, m]));
  }

  list(): Municipality[] {
    return [...this.byCode.values()];
  }

  isKnown(code: string): boolean {
    return this.byCode.has(code);
  }

  /** A municipality code given as an argument: three digits, and a municipality's; else BAD_USER_INPUT. */
  requireKnown(argumentName: string, code: string): string {
    const known = requireMunicipalityCodeFormat(argumentName, code);
    if (!this.isKnown(known)) {
      throw new BadUserInputError(argumentName, `no municipality has the code ${known}.`);
    }
    return known;
  }

  get(code: string): Municipality | undefined {
    return this.byCode.get(code);
  }

  /** The recipient of a municipality's social-care notices (welfare area, HEL or AX); undefined for an unknown code. */
  recipientOf(code: string): SocialCareRecipient | undefined {
    const municipality = this.byCode.get(code);
    return municipality ? recipientOf(municipality) : undefined;
  }

  /** The municipality codes of a recipient of social-care notices; empty for an unknown recipient id. */
  municipalitiesOfRecipient(recipientId: string): string[] {
    return this.list()
      .filter((municipality) => recipientOf(municipality).id === recipientId)
      .map((municipality) => municipality.code);
  }
}
