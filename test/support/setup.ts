import { applyTestAccessLogKey } from './access-log-key';

applyTestAccessLogKey();
