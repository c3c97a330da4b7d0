/**
 * Notification ids per municipality whose data they are (the access log's one entry per organisation); when there are
 * no rows, an empty entry for each of `whenNone` (a search or download that found nothing still happened there).
 */
export function idsByMunicipality(
  rows: readonly { id: string; municipalityCode: string }[],
  whenNone: readonly string[],
): Map<string, string[]> {
  const byMunicipality = new Map<string, string[]>();
  for (const row of rows) {
    const ids = byMunicipality.get(row.municipalityCode);
    if (ids) ids.push(row.id);
    else byMunicipality.set(row.municipalityCode, [row.id]);
  }
  if (byMunicipality.size === 0) for (const code of whenNone) byMunicipality.set(code, []);
  return byMunicipality;
}
