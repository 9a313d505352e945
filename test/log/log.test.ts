import { describe, expect, it } from '@jest/globals';
import { Writable } from 'node:stream';
import { createLogger } from '../../src/log.js';

function capture() {
  const lines: Record<string, unknown>[] = [];
  const destination = new Writable({
    write(chunk: Buffer, _encoding, done) {
      lines.push(JSON.parse(chunk.toString()) as Record<string, unknown>);
      done();
    },
  });
  return { lines, logger: createLogger({ level: 'info', destination }) };
}

describe('logger', () => {
  it('redacts secrets wherever they appear in a logged object', () => {
    const { lines, logger } = capture();
    logger.info({ config: { clientSecret: 's3cret', botPassword: 'pw' }, token: 'eyJ.abc', headers: { authorization: 'Bearer eyJ.abc' } }, 'x');
    const text = JSON.stringify(lines[0]);
    expect(text).not.toContain('s3cret');
    expect(text).not.toContain('pw"');
    expect(text).not.toContain('eyJ.abc');
    expect(text).toContain('[redacted]');
  });

  it('logs errors without their request, response or bearer tokens', () => {
    const { lines, logger } = capture();
    const error = Object.assign(new Error('401 for Bearer eyJhbGciOi.secret.part'), {
      statusCode: 401,
      request: { headers: { authorization: 'Bearer eyJhbGciOi.secret.part' } },
      response: { body: 'alert payload' },
    });
    logger.error({ err: error }, 'failed');
    const err = lines[0]?.err as Record<string, unknown>;
    expect(err).toMatchObject({ type: 'Error', statusCode: 401, message: '401 for Bearer [redacted]' });
    expect(err).not.toHaveProperty('request');
    expect(err).not.toHaveProperty('response');
    expect(JSON.stringify(lines[0])).not.toContain('secret.part');
  });
});
