import { deriveAccessLogKey, setProcessAccessLogKey } from '../../src/db/access-log-key';

import { TEST_ACCESS_LOG_KEY } from './test-key';

export { TEST_ACCESS_LOG_KEY };

export const testAccessLogKey = deriveAccessLogKey(Buffer.from(TEST_ACCESS_LOG_KEY, 'hex'));

/** Every data source a test creates gets the key, as openDatabase gives the service's. */
export function applyTestAccessLogKey(): void {
  setProcessAccessLogKey(testAccessLogKey);
}
