import { FinnishSSN } from 'finnish-ssn';

/** Check characters indexed by (DDMMYYNNN mod 31). */
const CHECK_CHARACTERS = '0123456789ABCDEFHJKLMNPRSTUVWXY';

/** Century signs by century; the 2023 reform added Y X W V U (1900s) and B C D E F (2000s). */
const CENTURY_SIGNS: Record<number, readonly string[]> = {
  1800: ['+'],
  1900: ['-', 'Y', 'X', 'W', 'V', 'U'],
  2000: ['A', 'B', 'C', 'D', 'E', 'F'],
};

const SHAPE = /^(\d{2})(\d{2})(\d{2})([-+ABCDEFYXWVU])(\d{3})([0-9A-Y])$/;

/**
 * Validates a Finnish personal identity code (henkilötunnus): shape, century sign (2023 signs included),
 * a real calendar date and the check character. Delegates the arithmetic to finnish-ssn.
 */
export function isValidPersonalIdentityCode(code: string): boolean {
  return SHAPE.test(code) && FinnishSSN.validate(code);
}

/** Temporary individual numbers 900–999 are never issued to real people: all our data uses them. */
export function isFictivePersonalIdentityCode(code: string): boolean {
  const match = SHAPE.exec(code);
  return match !== null && Number(match[5]) >= 900;
}

export function checkCharacter(datePart: string, individualNumber: string): string {
  return CHECK_CHARACTERS[Number(`${datePart}${individualNumber}`) % 31] as string;
}

/**
 * Makes a fictive identity code (individual number 900–999) for a birth date. finnish-ssn's own generator
 * never uses that range, hence this one. `variant` picks among the century's signs and individual numbers.
 */
export function fictivePersonalIdentityCode(dateOfBirth: string, variant: number): string {
  const [year, month, day] = dateOfBirth.split('-').map(Number) as [number, number, number];
  const century = Math.floor(year / 100) * 100;
  const signs = CENTURY_SIGNS[century];
  if (!signs) throw new RangeError(`No century sign for ${year}`);
  const sign = signs[variant % signs.length] as string;
  const individualNumber = String(900 + (Math.floor(variant / signs.length) % 100)).padStart(3, '0');
  const datePart = `${String(day).padStart(2, '0')}${String(month).padStart(2, '0')}${String(year % 100).padStart(2, '0')}`;
  return `${datePart}${sign}${individualNumber}${checkCharacter(datePart, individualNumber)}`;
}

/** The birth date an identity code encodes, as YYYY-MM-DD; undefined when the code is not valid. */
export function dateOfBirthOf(code: string): string | undefined {
  const match = SHAPE.exec(code);
  if (!match || !isValidPersonalIdentityCode(code)) return undefined;
  const [, day, month, year, sign] = match;
  const century = Object.entries(CENTURY_SIGNS).find(([, signs]) => signs.includes(sign as string))?.[0];
  return `${Number(century) + Number(year)}-${month}-${day}`;
}
