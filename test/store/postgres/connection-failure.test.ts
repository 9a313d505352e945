import { describe, expect, it } from '@jest/globals';
import { describeConnectionFailure, scrubPassword } from '../../../src/store/postgres/connection-failure.js';
import type { PostgresConfig } from '../../helpers/postgres.js';

const config: PostgresConfig = {
  kind: 'postgres',
  url: 'postgresql://soc%40admin:p%40ss-S3cret@db.example.com:6432/socbridge',
  tls: 'verify-full',
  caFile: undefined,
  poolSize: 10,
};
const failure = (message: string, code?: string) => Object.assign(new Error(message), code ? { code } : {});

describe('describeConnectionFailure', () => {
  it('names the cause the driver reports, for failures a test server cannot stage', () => {
    expect(describeConnectionFailure(failure('getaddrinfo ENOTFOUND db.example.com', 'ENOTFOUND'), config, 10_000)).toBe(
      'Cannot reach PostgreSQL: the host name db.example.com in DATABASE_URL does not resolve.',
    );
    expect(describeConnectionFailure(failure('timeout exceeded when trying to connect'), config, 10_000)).toBe(
      "Cannot reach PostgreSQL at db.example.com:6432: no answer within 10 s; check the host, the port and the server's firewall rules.",
    );
    expect(describeConnectionFailure(failure('self-signed certificate in certificate chain', 'SELF_SIGNED_CERT_IN_CHAIN'), config, 10_000)).toBe(
      'PostgreSQL at db.example.com:6432 presented a TLS certificate that was not accepted (SELF_SIGNED_CERT_IN_CHAIN); give the certificate authority that signed it in DATABASE_SSL_CA, or check the host name in DATABASE_URL.',
    );
    expect(describeConnectionFailure(failure('no pg_hba.conf entry for host "10.0.0.4", user "soc@admin", database "socbridge", no encryption', '28000'), config, 10_000)).toBe(
      'PostgreSQL at db.example.com:6432 refused user "soc@admin": no pg_hba.conf entry for host "10.0.0.4", user "soc@admin", database "socbridge", no encryption; the server wants TLS, so set DATABASE_SSL=verify-full.',
    );
  });

  it('passes anything else on with where it happened, the password blanked', () => {
    expect(describeConnectionFailure(failure('server said p@ss-S3cret is odd', 'XX000'), config, 10_000)).toBe(
      'Cannot connect to PostgreSQL at db.example.com:6432 as "soc@admin", database "socbridge": server said *** is odd (XX000).',
    );
  });
});

describe('scrubPassword', () => {
  it('blanks the password as written and decoded', () => {
    expect(scrubPassword('p%40ss-S3cret and p@ss-S3cret', config.url)).toBe('*** and ***');
    expect(scrubPassword('nothing to hide', 'postgresql://u@h/db')).toBe('nothing to hide');
  });
});
