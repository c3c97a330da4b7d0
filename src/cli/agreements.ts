import 'reflect-metadata';
import type { DataContent } from '../domain/enums';
import { AgreementError } from '../services/agreement.service';
import { parseCommandLine } from './args';
import { type OpenCommand, runCommand } from './run-command';

const USAGE = `Usage: npm run agreements -- add|list|end [options]

  add   --client-id ID --organisation NAME --business-id 1234567-8 --legal-basis TEXT
        --data-content INTEGRATION_SERVICES [--data-content …] --municipality 905 [--municipality …]
        --valid-from YYYY-MM-DD [--valid-to YYYY-MM-DD]
  list  [--client-id ID]
  end   --id AGREEMENT_ID      (takes effect on the client's next request)`;

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
  const { agreements } = (await open()).services;
  try {
    if (command === 'add') {
      const created = await agreements.add({
        clientId: text('client-id'),
        organisationName: text('organisation'),
        businessId: text('business-id'),
        legalBasis: text('legal-basis'),
        dataContents: ((values['data-content'] as string[] | undefined) ?? []) as DataContent[],
        municipalityCodes: (values.municipality as string[] | undefined) ?? [],
        validFrom: text('valid-from'),
        validTo: text('valid-to') || null,
      });
      console.log(`Added agreement ${created.id} for client ${created.clientId}.`);
    } else if (command === 'end') {
      const ended = await agreements.end(text('id'), new Date());
      console.log(`Ended agreement ${ended.id} of client ${ended.clientId}.`);
    } else {
      for (const a of await agreements.list(text('client-id') || undefined)) {
        const state = a.endedAt
          ? `ended ${a.endedAt.toISOString()}`
          : `${a.validFrom} – ${a.validTo ?? 'open'}`;
        console.log(
          `${a.id}  ${a.clientId}  ${a.organisationName} (${a.businessId})  ${a.dataContents.join(',')}  ` +
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
