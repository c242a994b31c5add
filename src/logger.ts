// pino, with secrets redacted at the root so no child logger can leak them.
import pino, { type Logger } from 'pino';

export type { Logger };

export const REDACT_PATHS = [
  'secret',
  '*.secret',
  '*.clientSecret',
  '*.password',
  '*.token',
  '*.key',
  '*.authorization',
  '*.Authorization',
  'req.headers.authorization',
  'req.headers.cookie',
  'req.headers["x-hookrelay-key"]',
  'headers.authorization',
  'auth.clientSecret',
  'auth.password',
  'auth.token',
];

export function createLogger(level: string, destination?: pino.DestinationStream): Logger {
  const options: pino.LoggerOptions = {
    level,
    base: { service: 'hookrelay' },
    redact: { paths: REDACT_PATHS, censor: '[redacted]' },
    timestamp: pino.stdTimeFunctions.isoTime,
  };
  return destination === undefined ? pino(options) : pino(options, destination);
}
