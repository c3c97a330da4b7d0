import { useTestAccessLogKey } from './access-log-key';

useTestAccessLogKey();
