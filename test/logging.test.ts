import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { logger } from '../src/logger';
import { NotificationsDocument } from './generated/graphql';
import { startTestApp, type TestApp } from './support/app';

let app: TestApp;
beforeAll(async () => {
  app = await startTestApp();
});
afterAll(async () => {
  await app?.close();
});

describe('log lines of a request', () => {
  it('name the request id the client sent when a fault is logged, and the client gets INTERNAL only', async () => {
    const token = await app.tokens.handler(['905']);
    const errors = vi.spyOn(logger, 'error');
    await app.dataSource.query('ALTER TABLE notification RENAME TO notification_away');
    try {
      const response = await app.request(NotificationsDocument, { filter: { status: 'NEW' } }, token, {
        'x-request-id': 'trace-4711',
      });
      expect(response.errors?.[0]?.extensions?.code).toBe('INTERNAL');
      expect(response.errors?.[0]?.message).not.toMatch(/notification/);
    } finally {
      await app.dataSource.query('ALTER TABLE notification_away RENAME TO notification');
    }
    const logged = errors.mock.calls.map(([fields]) => fields as { requestId?: string; err?: unknown });
    errors.mockRestore();
    expect(logged.length).toBeGreaterThan(0);
    for (const fields of logged) expect(fields.requestId).toBe('trace-4711');
  });
});
