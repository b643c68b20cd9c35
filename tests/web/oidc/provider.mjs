// A real OpenID Provider (npm's oidc-provider, OpenID-certified) on loopback for the tests of issue 26.
// Usage: node provider.mjs PORT CONFIG.json
// CONFIG: {"clients": [{client_id, client_secret, redirect_uris, kort?}],
//          "accounts": {"id": {"email": "...", "email_verified": true}}}
// Any password is accepted for a listed account (the provider's development log-in pages).
// With OIDC_TEST_SKEW_S=-5400 the provider's clock is 90 minutes slow: the ID tokens it issues
// (valid one hour by its clock) have expired when they arrive; its cookies still live.
import { generateKeyPairSync } from 'node:crypto';
import { readFileSync } from 'node:fs';
import Provider from 'oidc-provider';

const [port, configPath] = process.argv.slice(2);
const config = JSON.parse(readFileSync(configPath, 'utf8'));
const skew = Number(process.env.OIDC_TEST_SKEW_S || 0) * 1000;
if (skew) {
  const realNow = Date.now;
  Date.now = () => realNow() + skew;
}
const long = skew ? 3 * 3600 : 600;
const { privateKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
const jwk = { ...privateKey.export({ format: 'jwk' }), kid: 'test-nyckel', use: 'sig', alg: 'RS256' };

const issuer = `http://127.0.0.1:${port}`;
const provider = new Provider(issuer, {
  clients: config.clients.map((c) => ({
    grant_types: ['authorization_code'], response_types: ['code'], ...c,
  })),
  jwks: { keys: [jwk] },
  cookies: { keys: ['fcatlas-test-cookie-key'] },
  claims: { openid: ['sub'], email: ['email', 'email_verified'], profile: ['name'] },
  features: { devInteractions: { enabled: true } },
  pkce: { required: () => true },
  ttl: {
    IdToken: 3600, AccessToken: long, AuthorizationCode: 60, Grant: long, Interaction: long, Session: long,
  },
  async findAccount(ctx, id) {
    const account = config.accounts[id];
    if (!account) return undefined;
    return { accountId: id, async claims() { return { sub: id, name: id, ...account }; } };
  },
});
provider.listen(Number(port), '127.0.0.1', () => {
  process.stdout.write(`lyssnar ${issuer}\n`);
});
