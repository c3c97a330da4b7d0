/** Kela: a child home care allowance list can be viewed and downloaded for 24 months; then it disappears. */
const LIST_RETENTION_MONTHS = 24;

/** generatedAt plus 24 calendar months (UTC); the 29th–31st fall back to the month's last day where it is shorter. */
export function listExpiresAt(generatedAt: Date): Date {
  const expires = new Date(generatedAt);
  const day = expires.getUTCDate();
  expires.setUTCDate(1);
  expires.setUTCMonth(expires.getUTCMonth() + LIST_RETENTION_MONTHS);
  const lastDay = new Date(Date.UTC(expires.getUTCFullYear(), expires.getUTCMonth() + 1, 0)).getUTCDate();
  expires.setUTCDate(Math.min(day, lastDay));
  return expires;
}
