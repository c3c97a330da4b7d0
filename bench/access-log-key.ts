import { randomBytes } from 'node:crypto';
import { deriveAccessLogKey, setProcessAccessLogKey } from '../src/db/access-log-key';

// One ACCESS_LOG_KEY per benchmark run, for its scratch databases: the servers it starts inherit it in the environment.
process.env.ACCESS_LOG_KEY ??= randomBytes(32).toString('hex');
setProcessAccessLogKey(deriveAccessLogKey(Buffer.from(process.env.ACCESS_LOG_KEY, 'hex')));
