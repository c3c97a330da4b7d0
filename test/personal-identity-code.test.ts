import { describe, expect, it } from 'vitest';
import {
  dateOfBirthOf,
  fictivePersonalIdentityCode,
  isFictivePersonalIdentityCode,
  isValidPersonalIdentityCode,
} from '../src/domain/personal-identity-code';

/** The check character as the population register defines it, written out here independently of the product. */
function withCheckCharacter(datePart: string, sign: string, individualNumber: string): string {
  const check = '0123456789ABCDEFHJKLMNPRSTUVWXY'[Number(`${datePart}${individualNumber}`) % 31];
  return `${datePart}${sign}${individualNumber}${check}`;
}

describe('isValidPersonalIdentityCode', () => {
  it('accepts the register’s published examples', () => {
    expect(isValidPersonalIdentityCode('131052-308T')).toBe(true);
    expect(isValidPersonalIdentityCode('010594Y9032')).toBe(true);
  });

  it.each([
    ['+', '1885-01-01', '010185'],
    ['-', '1990-01-10', '100190'],
    ['Y', '1990-01-10', '100190'],
    ['X', '1990-01-10', '100190'],
    ['W', '1990-01-10', '100190'],
    ['V', '1990-01-10', '100190'],
    ['U', '1990-01-10', '100190'],
    ['A', '2005-03-15', '150305'],
    ['B', '2005-03-15', '150305'],
    ['C', '2005-03-15', '150305'],
    ['D', '2005-03-15', '150305'],
    ['E', '2005-03-15', '150305'],
    ['F', '2005-03-15', '150305'],
  ])('accepts the century sign %s and reads the birth date %s from it', (sign, dateOfBirth, datePart) => {
    const code = withCheckCharacter(datePart, sign, '950');
    expect(isValidPersonalIdentityCode(code)).toBe(true);
    expect(dateOfBirthOf(code)).toBe(dateOfBirth);
  });

  it('tells persons apart by the century sign: 100190-999P and 100190Y999P are two valid codes', () => {
    expect(isValidPersonalIdentityCode('100190-999P')).toBe(true);
    expect(isValidPersonalIdentityCode('100190Y999P')).toBe(true);
    expect('100190-999P').not.toBe('100190Y999P');
    expect(dateOfBirthOf('100190-999P')).toBe('1990-01-10');
    expect(dateOfBirthOf('100190Y999P')).toBe('1990-01-10');
  });

  it('rejects a wrong check character', () => {
    expect(isValidPersonalIdentityCode('131052-308U')).toBe(false);
    expect(isValidPersonalIdentityCode('100190-999R')).toBe(false);
    expect(dateOfBirthOf('100190-999R')).toBeUndefined();
  });

  it('rejects impossible dates even with a matching check character', () => {
    const thirtyFirstOfFebruary = withCheckCharacter('310290', '-', '950');
    expect(isValidPersonalIdentityCode(thirtyFirstOfFebruary)).toBe(false);
    expect(dateOfBirthOf(thirtyFirstOfFebruary)).toBeUndefined();
    expect(isValidPersonalIdentityCode(withCheckCharacter('010090', '-', '950'))).toBe(false);
    expect(isValidPersonalIdentityCode(withCheckCharacter('011390', '-', '950'))).toBe(false);
  });

  it('knows leap years: 29.2.2000 exists, 29.2.1900 does not', () => {
    expect(isValidPersonalIdentityCode(withCheckCharacter('290200', 'A', '920'))).toBe(true);
    expect(dateOfBirthOf(withCheckCharacter('290200', 'A', '920'))).toBe('2000-02-29');
    expect(isValidPersonalIdentityCode(withCheckCharacter('290200', '-', '920'))).toBe(false);
  });

  it.each(['Z', 'G', 'T', '*', ' ', '/'])('rejects the unknown century sign %j', (sign) => {
    expect(isValidPersonalIdentityCode(withCheckCharacter('100190', sign, '999'))).toBe(false);
  });

  it('rejects codes of the wrong shape', () => {
    for (const code of ['', '100190-999', '100190-999PP', '10019-0999P', ' 100190-999P', '100190-99AP']) {
      expect(isValidPersonalIdentityCode(code), code).toBe(false);
    }
  });
});

describe('fictivePersonalIdentityCode', () => {
  it('always gives valid temporary codes (individual number 900–999) that encode the birth date', () => {
    const day = 86_400_000;
    const failures: string[] = [];
    let checked = 0;
    for (let time = Date.UTC(1850, 0, 1); time <= Date.UTC(2026, 11, 31); time += 37 * day) {
      const dateOfBirth = new Date(time).toISOString().slice(0, 10);
      for (const variant of [0, 1, 2, 5, 6, 7, 99, 100, 599, 600, 1234, 99_999]) {
        const code = fictivePersonalIdentityCode(dateOfBirth, variant);
        const individualNumber = Number(code.slice(7, 10));
        if (
          !isValidPersonalIdentityCode(code) ||
          !isFictivePersonalIdentityCode(code) ||
          individualNumber < 900 ||
          individualNumber > 999 ||
          dateOfBirthOf(code) !== dateOfBirth
        ) {
          failures.push(`${dateOfBirth} variant ${variant}: ${code} (reads as ${dateOfBirthOf(code)})`);
        }
        checked += 1;
      }
    }
    expect(failures).toEqual([]);
    expect(checked).toBeGreaterThan(20_000);
  });

  it('handles month ends and leap days', () => {
    for (const dateOfBirth of ['1996-02-29', '2000-02-29', '2024-02-29', '1999-12-31', '2001-01-01']) {
      const code = fictivePersonalIdentityCode(dateOfBirth, 3);
      expect(isValidPersonalIdentityCode(code), code).toBe(true);
      expect(dateOfBirthOf(code)).toBe(dateOfBirth);
    }
  });

  it('gives different persons born the same day different codes', () => {
    const codes1900s = new Set(
      Array.from({ length: 600 }, (_, v) => fictivePersonalIdentityCode('1985-06-15', v)),
    );
    expect(codes1900s.size).toBe(600);
    const codes2000s = new Set(
      Array.from({ length: 600 }, (_, v) => fictivePersonalIdentityCode('2015-06-15', v)),
    );
    expect(codes2000s.size).toBe(600);
    const codes1800s = new Set(
      Array.from({ length: 100 }, (_, v) => fictivePersonalIdentityCode('1885-06-15', v)),
    );
    expect(codes1800s.size).toBe(100);
  });

  it('uses every century sign of the century across variants', () => {
    const signsOf = (dateOfBirth: string) =>
      new Set(Array.from({ length: 12 }, (_, v) => fictivePersonalIdentityCode(dateOfBirth, v)[6]));
    expect([...signsOf('1885-06-15')].sort()).toEqual(['+']);
    expect([...signsOf('1985-06-15')].sort()).toEqual(['-', 'U', 'V', 'W', 'X', 'Y']);
    expect([...signsOf('2015-06-15')].sort()).toEqual(['A', 'B', 'C', 'D', 'E', 'F']);
  });
});

describe('isFictivePersonalIdentityCode', () => {
  it('tells temporary codes from codes issued to real people', () => {
    expect(isFictivePersonalIdentityCode('100190-999P')).toBe(true);
    expect(isFictivePersonalIdentityCode(withCheckCharacter('100190', '-', '900'))).toBe(true);
    expect(isFictivePersonalIdentityCode(withCheckCharacter('100190', '-', '899'))).toBe(false);
    expect(isFictivePersonalIdentityCode('131052-308T')).toBe(false);
  });
});
