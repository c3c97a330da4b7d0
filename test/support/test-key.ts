/**
 * The tests' ACCESS_LOG_KEY (hex, 32 bytes), in the environment of every test and of the commands they start
 * (vitest.config.mts): the template database's log and person keys are keyed with it.
 */
export const TEST_ACCESS_LOG_KEY = '6b656c6d752074657374206163636573732d6c6f67206b657920303132333435';
