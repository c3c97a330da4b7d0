import type { EntityManager } from 'typeorm';

/**
 * Persons exist only for their notifications and social-care notices; once none is left, their data goes too.
 * Shared by the changes that remove a notification and the purges.
 */
export async function deleteOrphanPersons(manager: EntityManager, personIds: string[]): Promise<void> {
  if (personIds.length === 0) return;
  await manager.query(
    `DELETE FROM person p
      WHERE p.id = ANY($1::uuid[])
        AND NOT EXISTS (SELECT 1 FROM notification n WHERE n.person_id = p.id)
        AND NOT EXISTS (SELECT 1 FROM social_care_notice s WHERE s.person_id = p.id)`,
    [personIds],
  );
}
