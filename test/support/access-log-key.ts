import { deriveAccessLogKey, setProcessAccessLogKey } from '../../src/db/access-log-key';

/** The tests' ACCESS_LOG_KEY (hex, 32 bytes): the template database's log and person keys are keyed with it. */
export const TEST_ACCESS_LOG_KEY = '6b656c6d752074657374206163636573732d6c6f67206b657920303132333435';

export const testAccessLogKey = deriveAccessLogKey(Buffer.from(TEST_ACCESS_LOG_KEY, 'hex'));

/** Every data source a test creates gets the key, as openDatabase gives the service's. */
export function applyTestAccessLogKey(): void {
  setProcessAccessLogKey(testAccessLogKey);
}
