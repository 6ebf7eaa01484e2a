// A real OpenID Provider (panva's certified oidc-provider) for Rundbord's tests, on loopback.
//
// Configured by the test through the environment variable OIDC_TEST_CONFIG (JSON):
//   {"clients": [{client_id, client_secret, redirect_uris, post_logout_redirect_uris, tamper?}],
//    "users":   [{"login": "tove", "password": "…", "claims": {"sub": "…", "preferred_username": "…", …}}]}
// It listens on a free port of 127.0.0.1 and prints one line: {"issuer": "http://127.0.0.1:PORT"}.
//
// `tamper` ("nonce" | "audience" | "expired") makes the token endpoint answer that client with an
// ID token whose claim is wrong, signed with this provider's own key: everything else about the
// flow (state, PKCE, the code, the signature) is real, so only the relying party's claim checks
// stand between that token and a login.
import { createServer } from 'node:http';
import { randomBytes } from 'node:crypto';

import * as jose from 'jose';
import Provider from 'oidc-provider';

const config = JSON.parse(process.env.OIDC_TEST_CONFIG || '{}');
const users = config.users || [];
const tampering = new Map();
const clients = (config.clients || []).map(({ tamper, ...client }) => {
  if (tamper) tampering.set(client.client_id, tamper);
  return client;
});

const { privateKey } = await jose.generateKeyPair('RS256', { extractable: true });
const signingKey = { ...(await jose.exportJWK(privateKey)), kid: 'test-op-1', alg: 'RS256', use: 'sig' };

const server = createServer();
await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve));
const issuer = `http://127.0.0.1:${server.address().port}`;

const provider = new Provider(issuer, {
  clients,
  jwks: { keys: [signingKey] },
  cookies: { keys: [randomBytes(32).toString('hex')] },
  // Rundbord must send PKCE; a flow without it fails here, as it would at a strict provider.
  pkce: { required: () => true },
  claims: {
    openid: ['sub'],
    profile: ['name', 'preferred_username', 'upn'],
    email: ['email'],
  },
  features: {
    devInteractions: { enabled: false },
    rpInitiatedLogout: { enabled: true },
  },
  async findAccount(ctx, sub) {
    const user = users.find((u) => u.claims.sub === sub);
    if (!user) return undefined;
    return { accountId: sub, async claims() { return { ...user.claims }; } };
  },
  async renderError(ctx, out) {
    ctx.type = 'html';
    ctx.body = `<!doctype html><title>Error</title><h1>${esc(out.error)}</h1><p>${esc(out.error_description || '')}</p>`;
  },
});

function esc(text) {
  return String(text).replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}

async function readForm(req) {
  const chunks = [];
  for await (const chunk of req) chunks.push(chunk);
  return new URLSearchParams(Buffer.concat(chunks).toString('utf8'));
}

function loginPage(uid, message = '', login = '') {
  return `<!doctype html><html lang="en"><head><meta charset="utf-8"><title>Test municipality sign-in</title></head>
<body><main><h1>Test municipality sign-in</h1>${message ? `<p role="alert">${esc(message)}</p>` : ''}
<form method="post" action="/interaction/${esc(uid)}/login">
<label for="login">Username</label><input id="login" name="login" value="${esc(login)}" autocomplete="username">
<label for="password">Password</label><input id="password" name="password" type="password" autocomplete="current-password">
<button type="submit">Sign in</button></form></main></body></html>`;
}

// Our own interactions: a login form checked against the configured users, and consent granted
// at once (a municipality's administrator consents for the whole organisation).
provider.use(async (ctx, next) => {
  const match = ctx.path.match(/^\/interaction\/([^/]+)(\/login)?$/);
  if (!match) return next();
  const details = await provider.interactionDetails(ctx.req, ctx.res);
  if (match[2] && ctx.method === 'POST') {
    const form = await readForm(ctx.req);
    const user = users.find((u) => u.login === form.get('login') && u.password === form.get('password'));
    if (!user) {
      ctx.type = 'html';
      ctx.status = 400;
      ctx.body = loginPage(details.uid, 'Wrong username or password.', form.get('login') || '');
      return undefined;
    }
    ctx.respond = false;
    return provider.interactionFinished(ctx.req, ctx.res, { login: { accountId: user.claims.sub } }, { mergeWithLastSubmission: false });
  }
  if (details.prompt.name === 'login') {
    ctx.type = 'html';
    ctx.body = loginPage(details.uid);
    return undefined;
  }
  const grant = details.grantId
    ? await provider.Grant.find(details.grantId)
    : new provider.Grant({ accountId: details.session.accountId, clientId: details.params.client_id });
  const missing = details.prompt.details;
  if (missing.missingOIDCScope) grant.addOIDCScope(missing.missingOIDCScope.join(' '));
  if (missing.missingOIDCClaims) grant.addOIDCClaims(missing.missingOIDCClaims);
  ctx.respond = false;
  return provider.interactionFinished(ctx.req, ctx.res, { consent: { grantId: await grant.save() } }, { mergeWithLastSubmission: true });
});

// The token endpoint's answer, for a client marked `tamper`, carries a wrong ID token.
provider.use(async (ctx, next) => {
  await next();
  const clientId = ctx.oidc?.client?.clientId;
  const how = clientId && tampering.get(clientId);
  if (ctx.path !== '/token' || ctx.status !== 200 || !how || !ctx.body?.id_token) return;
  const claims = jose.decodeJwt(ctx.body.id_token);
  const now = Math.floor(Date.now() / 1000);
  if (how === 'nonce') claims.nonce = 'not-the-nonce-that-was-sent';
  if (how === 'audience') { claims.aud = 'another-application'; delete claims.azp; }
  if (how === 'audience-list') { claims.aud = ['another-application']; claims.azp = clientId; }
  if (how === 'expired') { claims.iat = now - 7200; claims.exp = now - 3600; }
  if (how === 'signature') {
    const { privateKey: stranger } = await jose.generateKeyPair('RS256');
    ctx.body = { ...ctx.body, id_token: await new jose.SignJWT(claims).setProtectedHeader({ alg: 'RS256', kid: signingKey.kid }).sign(stranger) };
    return;
  }
  ctx.body = { ...ctx.body, id_token: await new jose.SignJWT(claims).setProtectedHeader({ alg: 'RS256', kid: signingKey.kid }).sign(privateKey) };
});

server.on('request', provider.callback());
process.stdout.write(`${JSON.stringify({ issuer })}\n`);

for (const signal of ['SIGTERM', 'SIGINT']) {
  process.on(signal, () => server.close(() => process.exit(0)));
}
