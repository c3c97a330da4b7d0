import type { DataSource } from 'typeorm';
import { BadUserInputError } from '../domain/errors';
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
}
