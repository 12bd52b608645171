// A real OpenID provider on loopback for the single sign-on tests:
//   node oidc-provider.mjs PORT CLIENT_ID CLIENT_SECRET REDIRECT_URI
//
// The npm package oidc-provider (a certified OpenID Connect implementation) with its
// development sign-in pages: any account name signs in, with any password. Each account
// has the claims below; `groups` is what the portal maps to its roles. It prints
// "listening" once it accepts connections, and talks to nobody but its clients.

import Provider from 'oidc-provider';

const [portArg, clientId, clientSecret, redirectUri] = process.argv.slice(2);
if (!portArg || !clientId || !clientSecret || !redirectUri) {
  console.error('usage: node oidc-provider.mjs PORT CLIENT_ID CLIENT_SECRET REDIRECT_URI');
  process.exit(2);
}
const port = Number(portArg);

// The campus directory: who is in which group, and their affiliation.
const GROUPS = {
  'it.alice': ['it-staff'],
  'it.vera': ['it-helpdesk'],
  'student.sam': ['students'],
};
const AFFILIATION = { 'it.alice': 'staff', 'it.vera': 'staff', 'student.sam': 'student', 'guest.gus': 'guest' };

const provider = new Provider(`http://127.0.0.1:${port}`, {
  clients: [{
    client_id: clientId,
    client_secret: clientSecret,
    redirect_uris: [redirectUri],
    grant_types: ['authorization_code'],
    response_types: ['code'],
    token_endpoint_auth_method: 'client_secret_basic',
  }],
  pkce: { required: () => true },
  claims: {
    openid: ['sub'],
    profile: ['name', 'preferred_username', 'groups', 'affiliation'],
    email: ['email', 'email_verified'],
  },
  // The claims of the scopes asked for go into the ID token too.
  conformIdTokenClaims: false,
  features: { devInteractions: { enabled: true } },
  cookies: { keys: ['a key for a test provider only'] },
  async findAccount(ctx, id) {
    return {
      accountId: id,
      async claims() {
        return {
          sub: id,
          name: id,
          preferred_username: id,
          email: `${id}@example.edu`,
          email_verified: true,
          groups: GROUPS[id] ?? [],
          affiliation: AFFILIATION[id] ?? 'guest',
        };
      },
    };
  },
});
provider.proxy = false;
provider.listen(port, '127.0.0.1', () => console.log('listening'));
