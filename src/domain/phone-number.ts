import { type PhoneNumber, parsePhoneNumberFromString } from 'libphonenumber-js/max';

/**
 * Phone numbers of the persons Kela delivers. Numbers without a country code are Finnish. The `max` metadata checks
 * each country's number patterns, not only lengths.
 */
function parse(value: string): PhoneNumber | undefined {
  // `extract: false`: the whole text must be the number, so that nothing else (a formula, a link) rides along.
  const number = parsePhoneNumberFromString(value, { defaultCountry: 'FI', extract: false });
  return number?.isValid() ? number : undefined;
}

/** Whether the text is one valid phone number, e.g. `+358 40 123 4567`, `040 123 4567` or `+46 70 123 45 67`. */
export function isValidPhoneNumber(value: string): boolean {
  return parse(value) !== undefined;
}

/**
 * The number as a Finnish handler dials it, for spreadsheets: `040 1234567`, or `00 46 70 123 45 67` abroad. It starts
 * with a digit and holds spaces, so Excel keeps it as text: never a formula (as `+358…` would be) nor a number losing
 * its leading zero. Undefined for text that is not a valid number (rows stored before the import checked them).
 */
export function phoneNumberForSpreadsheet(value: string): string | undefined {
  return parse(value)?.format('IDD', { fromCountry: 'FI' });
}
