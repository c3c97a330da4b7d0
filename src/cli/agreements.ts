import 'reflect-metadata';
import type { DataContent } from '../domain/enums';
import { type Agreement, AgreementError } from '../services/agreement.service';
import type { OrganisationAgreement } from '../services/organisation-agreement.service';
import { parseCommandLine } from './args';
import { type OpenCommand, runCommand } from './run-command';

const USAGE = `Usage: npm run agreements -- add|list|end [options]

  add   [--client-id ID] --organisation NAME --business-id 1234567-8 --legal-basis TEXT
        --data-content INTEGRATION_SERVICES [--data-content …] --municipality 905 [--municipality …]
        --valid-from YYYY-MM-DD [--valid-to YYYY-MM-DD]
        With --client-id: a partner agreement (the client system's own access).
        Without: an organisation agreement (persons' mandates from that organisation open these municipalities'
        data contents; serving processes take it up within ORGANISATION_AGREEMENT_REFRESH_SECONDS, 10 s by default).
  list  [--client-id ID]       (both kinds; with --client-id only that client's partner agreements)
  end   --id AGREEMENT_ID      (either kind: a partner agreement on the client's next request, an organisation
                                agreement within ORGANISATION_AGREEMENT_REFRESH_SECONDS)`;

/** One line of `list`: which kind of agreement, then its terms. */
type AgreementRow = (Agreement & { kind: 'partner' }) | (OrganisationAgreement & { kind: 'organisation' });

async function main(open: OpenCommand): Promise<number> {
  const { values, positionals } = parseCommandLine(USAGE, {
    'client-id': { type: 'string' },
    organisation: { type: 'string' },
    'business-id': { type: 'string' },
    'legal-basis': { type: 'string' },
    'data-content': { type: 'string', multiple: true },
    municipality: { type: 'string', multiple: true },
    'valid-from': { type: 'string' },
    'valid-to': { type: 'string' },
    id: { type: 'string' },
  });
  const [command] = positionals;
  if (values.help || !command || !['add', 'list', 'end'].includes(command) || positionals.length !== 1) {
    console.error(USAGE);
    return values.help ? 0 : 2;
  }
  const text = (name: keyof typeof values) =>
    typeof values[name] === 'string' ? (values[name] as string) : '';
  const { agreements, organisationAgreements } = (await open()).services;
  try {
    if (command === 'add') {
      const terms = {
        organisationName: text('organisation'),
        businessId: text('business-id'),
        legalBasis: text('legal-basis'),
        dataContents: ((values['data-content'] as string[] | undefined) ?? []) as DataContent[],
        municipalityCodes: (values.municipality as string[] | undefined) ?? [],
        validFrom: text('valid-from'),
        validTo: text('valid-to') || null,
      };
      if (values['client-id'] === undefined) {
        const created = await organisationAgreements.add(terms);
        console.log(`Added organisation agreement ${created.id} for ${created.organisationName}.`);
      } else {
        const created = await agreements.add({ clientId: text('client-id'), ...terms });
        console.log(`Added agreement ${created.id} for client ${created.clientId}.`);
      }
    } else if (command === 'end') {
      const endedOrganisation = await organisationAgreements.end(text('id'), new Date());
      if (endedOrganisation) {
        console.log(
          `Ended organisation agreement ${endedOrganisation.id} of ${endedOrganisation.organisationName}.`,
        );
      } else {
        const ended = await agreements.end(text('id'), new Date());
        console.log(`Ended agreement ${ended.id} of client ${ended.clientId}.`);
      }
    } else {
      const clientId = text('client-id') || undefined;
      const rows: AgreementRow[] = (await agreements.list(clientId)).map((a) => ({ ...a, kind: 'partner' }));
      if (clientId === undefined) {
        rows.push(
          ...(await organisationAgreements.list()).map((a) => ({ ...a, kind: 'organisation' as const })),
        );
      }
      for (const a of rows) {
        const state = a.endedAt
          ? `ended ${a.endedAt.toISOString()}`
          : `${a.validFrom} – ${a.validTo ?? 'open'}`;
        console.log(
          `${a.id}  ${a.kind.padEnd(12)}  ${a.kind === 'partner' ? a.clientId : '-'}  ` +
            `${a.organisationName} (${a.businessId})  ${a.dataContents.join(',')}  ` +
            `${a.municipalityCodes.join(',')}  ${state}`,
        );
      }
    }
    return 0;
  } catch (error) {
    if (error instanceof AgreementError) {
      console.error(error.message);
      return 2;
    }
    throw error;
  }
}

runCommand(main);
