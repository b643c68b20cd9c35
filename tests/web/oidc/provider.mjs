// A real OpenID Provider (npm's oidc-provider, OpenID-certified) on loopback for the tests of issue 26.
// Usage: node provider.mjs PORT CONFIG.json
// CONFIG: {"clients": [{client_id, client_secret, redirect_uris, kort?}],
//          "accounts": {"id": {"email": "...", "email_verified": true}}}
// Any password is accepted for a listed account (the provider's development log-in pages).
// A client with "kort": true gets ID tokens that expire after one second.
import { generateKeyPairSync } from 'node:crypto';
import { readFileSync } from 'node:fs';
import Provider from 'oidc-provider';

const [port, configPath] = process.argv.slice(2);
const config = JSON.parse(readFileSync(configPath, 'utf8'));
const short = new Set(config.clients.filter((c) => c.kort).map((c) => c.client_id));
const { privateKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
const jwk = { ...privateKey.export({ format: 'jwk' }), kid: 'test-nyckel', use: 'sig', alg: 'RS256' };

const issuer = `http://127.0.0.1:${port}`;
const provider = new Provider(issuer, {
  clients: config.clients.map(({ kort, ...c }) => ({
    grant_types: ['authorization_code'], response_types: ['code'], ...c,
  })),
  jwks: { keys: [jwk] },
  cookies: { keys: ['fcatlas-test-cookie-key'] },
  claims: { openid: ['sub'], email: ['email', 'email_verified'], profile: ['name'] },
  features: { devInteractions: { enabled: true } },
  pkce: { required: () => true },
  ttl: {
    IdToken: (ctx, token, client) => (short.has(client.clientId) ? 1 : 3600),
    AccessToken: 600, AuthorizationCode: 60, Grant: 600, Interaction: 600, Session: 600,
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
