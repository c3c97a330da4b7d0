import 'reflect-metadata';
import { createAuthentication, mintHandlerToken, welfareAreaHandler } from '../auth/authentication';
import { loadConfig } from '../config';
import { recipientMunicipalities } from '../db/reference-data';
import { MANDATE_ISSUE_DATA_CONTENTS } from '../domain/mandate-data-contents';
import { parseCommandLine } from './args';

const USAGE = `Usage: npm run token -- --municipality 905 [--municipality 499 …] [options]
       npm run token -- --welfare-area PO [options]

Mints a development bearer token signed with the local key (only without AUTH_JWKS_URL).
  --municipality CODE  a municipality the mandate covers (repeatable; at least one)
  --welfare-area ID    a recipient of social-care notices (a welfare area's id, HEL or AX): a mandate
                       for SOCIAL_ASSISTANCE_CLIENT_DATA over all its municipalities (instead of --municipality)
  --issue ISSUE        mandate issue (default INTEGRATION_CLIENT_DATA; one of ${[...MANDATE_ISSUE_DATA_CONTENTS.keys()].join(', ')})
  --name NAME          display name (default "Demo Handler")
  --subject ID         opaque user id (default demo-handler)
  --acr URI            level of assurance (default http://ftn.ficora.fi/2017/loa3)
  --expires-in SPAN    lifetime such as 2h or 30m (default 12h)`;

async function main() {
  const { values } = parseCommandLine(USAGE, {
    municipality: { type: 'string', multiple: true },
    'welfare-area': { type: 'string' },
    issue: { type: 'string', default: 'INTEGRATION_CLIENT_DATA' },
    name: { type: 'string', default: 'Demo Handler' },
    subject: { type: 'string', default: 'demo-handler' },
    acr: { type: 'string' },
    'expires-in': { type: 'string', default: '12h' },
  });
  const municipalities = (values.municipality as string[] | undefined) ?? [];
  const welfareArea = values['welfare-area'] as string | undefined;
  const badWelfareArea =
    welfareArea !== undefined &&
    (municipalities.length > 0 || recipientMunicipalities(welfareArea) === undefined);
  if (
    values.help ||
    badWelfareArea ||
    (welfareArea === undefined && municipalities.length === 0) ||
    municipalities.some((m) => !/^\d{3}$/.test(m))
  ) {
    console.error(USAGE);
    process.exit(values.help ? 0 : 2);
  }
  const config = loadConfig();
  const auth = await createAuthentication(config.auth);
  if (!auth.development) {
    console.error('AUTH_JWKS_URL is set: tokens come from the identity gateway, not from this command.');
    process.exit(2);
  }
  const issue = String(values.issue);
  const demo = welfareArea !== undefined ? welfareAreaHandler(welfareArea) : undefined;
  const token = await mintHandlerToken(auth.development, {
    subject: demo && values.subject === 'demo-handler' ? demo.subject : String(values.subject),
    name: demo && values.name === 'Demo Handler' ? demo.name : String(values.name),
    mandates: demo?.mandates ?? municipalities.map((municipality) => ({ municipality, issues: [issue] })),
    ...(values.acr ? { acr: String(values.acr) } : {}),
    expiresIn: String(values['expires-in']),
  });
  // The service would refuse it (e.g. a lifetime over AUTH_MAX_TOKEN_LIFETIME_SECONDS): say so now, not at first use.
  try {
    await auth.verifyToken(token);
  } catch (error) {
    console.error(`The service would refuse this token: ${(error as Error).message}`);
    process.exit(2);
  }
  console.log(token);
}

void main();
