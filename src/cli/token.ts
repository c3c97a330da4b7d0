import 'reflect-metadata';
import { createAuthentication, mintHandlerToken, mintPartnerToken } from '../auth/authentication';
import { loadConfig } from '../config';
import { referenceMunicipalities } from '../db/reference-data';
import { finnishDate } from '../domain/clock';
import { MANDATE_ISSUE_DATA_CONTENTS } from '../domain/mandate-data-contents';
import { parseCommandLine } from './args';
import { type OpenCommand, runCommand } from './run-command';

const ISSUES = [...MANDATE_ISSUE_DATA_CONTENTS.keys()];

const USAGE = `Usage: npm run -s token -- --municipality 905 [--municipality 499 …] [--issue ISSUE …] [options]
       npm run -s token -- --client-id ID [--expires-in SPAN]

Mints a development bearer token signed with the local key (only without AUTH_JWKS_URL). Use npm's -s in scripts:
TOKEN=$(npm run -s token -- --municipality 905) keeps npm's own lines out of the token.

A person (a handler with Suomi.fi mandates):
  --municipality CODE  a municipality the mandates cover (repeatable; at least one; three-digit codes of the 308)
  --issue ISSUE        a mandate issue (repeatable; default INTEGRATION_CLIENT_DATA; one of ${ISSUES.join(', ')});
                       every issue is granted in every municipality given
  --name NAME          display name (default "Demo Handler")
  --subject ID         opaque user id (default demo-handler)
  --acr URI            level of assurance (default http://ftn.ficora.fi/2017/loa3)
A partner system:
  --client-id ID       the client of an agreement in force, registered with npm run agreements (its rights come
                       from the agreement, not from the token)
Both:
  --expires-in SPAN    lifetime: a number and s, m, h or d, e.g. 30m or 2h (default 12h, at most
                       AUTH_MAX_TOKEN_LIFETIME_SECONDS)`;

/** What jose's expiry accepts, narrowed to the plain forms the usage names. */
const LIFETIME = /^[1-9]\d*[smhd]$/;

function refuse(problem: string): never {
  console.error(`${problem}\n\n${USAGE}`);
  process.exit(2);
}

async function main(open: OpenCommand): Promise<number> {
  const { values, positionals } = parseCommandLine(USAGE, {
    municipality: { type: 'string', multiple: true },
    issue: { type: 'string', multiple: true },
    name: { type: 'string' },
    subject: { type: 'string' },
    acr: { type: 'string' },
    'client-id': { type: 'string' },
    'expires-in': { type: 'string', default: '12h' },
  });
  if (positionals.length > 0) refuse(`Unexpected argument: ${positionals[0]}`);
  const municipalities = values.municipality ?? [];
  const issues = values.issue ?? ['INTEGRATION_CLIENT_DATA'];
  const clientId = values['client-id'];
  const expiresIn = String(values['expires-in']);
  if (!LIFETIME.test(expiresIn)) {
    refuse(
      `--expires-in: ${JSON.stringify(expiresIn)} is not a lifetime; give a number and s, m, h or d, e.g. 2h.`,
    );
  }
  if (clientId !== undefined) {
    const personOnly = (['municipality', 'issue', 'name', 'subject', 'acr'] as const).filter(
      (name) => values[name] !== undefined,
    );
    if (personOnly.length > 0) {
      refuse(
        `--client-id: a partner system's rights come from its agreement; --${personOnly[0]} belongs to a person's token.`,
      );
    }
    if (!clientId.trim()) refuse('--client-id: give the client id of an agreement.');
  } else {
    if (municipalities.length === 0)
      refuse('Give --municipality (a person) or --client-id (a partner system).');
    const known = new Set(referenceMunicipalities().map((m) => m.code));
    const unknown = municipalities.find((code) => !known.has(code));
    if (unknown !== undefined) {
      refuse(`--municipality: ${JSON.stringify(unknown)} is not the code of any of the 308 municipalities.`);
    }
    const unknownIssue = issues.find((issue) => !MANDATE_ISSUE_DATA_CONTENTS.has(issue));
    if (unknownIssue !== undefined) {
      refuse(`--issue: ${JSON.stringify(unknownIssue)} is not a mandate issue; one of ${ISSUES.join(', ')}.`);
    }
  }

  const auth = await createAuthentication(loadConfig().auth);
  if (!auth.development) {
    console.error('AUTH_JWKS_URL is set: tokens come from the identity gateway, not from this command.');
    return 2;
  }
  let token: string;
  if (clientId !== undefined) {
    // A token the service would answer with FORBIDDEN everywhere helps nobody: the agreement must exist first.
    const { services } = await open();
    const agreements = await services.agreements.inForce(clientId, finnishDate(new Date()));
    if (agreements.length === 0) {
      console.error(
        `--client-id: client ${JSON.stringify(clientId)} has no agreement in force; register one first with ` +
          'npm run agreements -- add --client-id … (see npm run agreements -- --help).',
      );
      return 2;
    }
    token = await mintPartnerToken(auth.development, { clientId, expiresIn });
  } else {
    token = await mintHandlerToken(auth.development, {
      subject: values.subject ?? 'demo-handler',
      name: values.name ?? 'Demo Handler',
      mandates: municipalities.map((municipality) => ({ municipality, issues })),
      ...(values.acr ? { acr: values.acr } : {}),
      expiresIn,
    });
  }
  // The service would refuse it (e.g. a lifetime over AUTH_MAX_TOKEN_LIFETIME_SECONDS): say so now, not at first use.
  try {
    await auth.verifyToken(token);
  } catch (error) {
    console.error(`The service would refuse this token: ${(error as Error).message}`);
    return 2;
  }
  if (process.stdout.isTTY) {
    // A person at a terminal gets the header to paste; a script capturing the output gets the token alone.
    console.log(`Authorization: Bearer ${token}\n`);
    console.error('In a script: TOKEN=$(npm run -s token -- …) gives the token alone.');
  } else {
    console.log(token);
  }
  return 0;
}

runCommand(main, { failureCode: 1 });
