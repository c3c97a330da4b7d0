import type { OpenAPIV3_1 } from 'openapi-types';
import { AgeSignal } from '../../domain/age-signal';
import { NotificationOrder, NotificationStatus, SocialCareNoticeKind } from '../../domain/enums';
import { ErrorCode } from '../../domain/errors';

/**
 * The downloads described as OpenAPI 3.1, served at /downloads/openapi.json, for partners who generate clients or
 * import the routes into their API tools. `test/downloads-openapi.test.ts` checks it against the router's routes and
 * the OpenAPI 3.1 schema, so it cannot drift from what is served.
 */

type Operation = OpenAPIV3_1.OperationObject;
type Parameter = OpenAPIV3_1.ParameterObject;

const XLSX = 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet';

const language: Parameter = {
  name: 'lang',
  in: 'query',
  description:
    'Language of the headers, values and file name: fi, sv or en. Without it Accept-Language decides, and Finnish when that names none of them.',
  schema: { type: 'string', enum: ['fi', 'sv', 'en'] },
};

const id: Parameter = {
  name: 'id',
  in: 'path',
  required: true,
  description: 'The id the GraphQL API gives (its `downloadPath` names this route).',
  schema: { type: 'string', format: 'uuid' },
};

/** The filters both list downloads take, as their GraphQL filters do. */
const placeAndPersonFilter: Parameter[] = [
  {
    name: 'municipalityCode',
    in: 'query',
    description: 'One municipality (three digits); without it every municipality you may see.',
    schema: { type: 'string', pattern: '^[0-9]{3}$' },
  },
  {
    name: 'postalCode',
    in: 'query',
    description: 'Only persons whose address has this postal code.',
    schema: { type: 'string', pattern: '^[0-9]{5}$' },
  },
  {
    name: 'personalIdentityCode',
    in: 'query',
    description: 'Only this person (a search by person, recorded in the access log as such).',
    schema: { type: 'string' },
  },
];

const listFilter: Parameter[] = [
  {
    name: 'status',
    in: 'query',
    description: 'Which list (default NEW).',
    schema: { type: 'string', enum: Object.values(NotificationStatus), default: NotificationStatus.NEW },
  },
  ...placeAndPersonFilter,
  {
    name: 'ageSignal',
    in: 'query',
    description: 'Only notifications with this queue-age signal today.',
    schema: { type: 'string', enum: Object.values(AgeSignal) },
  },
  {
    name: 'orderBy',
    in: 'query',
    description: 'Row order, as the GraphQL list (default NEWEST_FIRST).',
    schema: {
      type: 'string',
      enum: Object.values(NotificationOrder),
      default: NotificationOrder.NEWEST_FIRST,
    },
  },
];

const socialCareFilter: Parameter[] = [
  {
    name: 'kinds',
    in: 'query',
    description: `Only these kinds, comma-separated: ${Object.values(SocialCareNoticeKind).join(', ')}.`,
    schema: { type: 'string' },
  },
  {
    name: 'recipientId',
    in: 'query',
    description: 'Only the municipalities of this recipient: a welfare area (e.g. PO), HEL or AX.',
    schema: { type: 'string' },
  },
  ...placeAndPersonFilter,
];

const errorResponse = (description: string): OpenAPIV3_1.ResponseObject => ({
  description,
  content: { 'application/json': { schema: { $ref: '#/components/schemas/Errors' } } },
});

const errors: OpenAPIV3_1.ResponsesObject = {
  '400': errorResponse('BAD_USER_INPUT: a parameter is invalid; the message names it.'),
  '401': errorResponse('UNAUTHENTICATED: no bearer token, or one the service refuses.'),
  '403': errorResponse(
    'FORBIDDEN: no mandate or agreement in force covers this data (or authentication was not strong enough).',
  ),
  '404': errorResponse(
    'NOT_FOUND: no such object, or one you may not see (its existence is never revealed).',
  ),
  '429': errorResponse('RATE_LIMITED: over the per-minute budget; see Retry-After.'),
  '503': errorResponse('SERVICE_UNAVAILABLE: the database is away; try again after Retry-After.'),
};

function download(
  format: 'csv' | 'xlsx',
  summary: string,
  parameters: Parameter[],
  tag: string,
): { get: Operation } {
  const body: Record<string, OpenAPIV3_1.MediaTypeObject> =
    format === 'csv'
      ? {
          'text/csv; charset=utf-8': {
            schema: {
              type: 'string',
              description:
                'RFC 4180 with a UTF-8 byte order mark (so that Excel reads å, ä and ö), a header row in the chosen language, times in Helsinki time.',
            },
          },
        }
      : {
          [XLSX]: {
            schema: {
              type: 'string',
              contentMediaType: XLSX,
              description:
                'An Excel workbook: codes (identity code, municipality, postal code, phone) as text, dates as dates, counts as numbers.',
            },
          },
        };
  const { '404': _notFound, ...listErrors } = errors;
  return {
    get: {
      tags: [tag],
      summary: `${summary} (${format === 'csv' ? 'CSV' : 'Excel workbook'})`,
      security: [{ bearer: [] }],
      parameters: [...parameters, language],
      responses: {
        '200': {
          description: 'The file, as an attachment (Content-Disposition names it).',
          headers: {
            'Content-Disposition': { schema: { type: 'string' }, description: 'attachment; filename=…' },
            'Content-Language': { schema: { type: 'string', enum: ['fi', 'sv', 'en'] } },
          },
          content: body,
        },
        ...(parameters.some((parameter) => parameter.in === 'path') ? errors : listErrors),
      },
    },
  };
}

const both = (
  path: string,
  summary: string,
  parameters: Parameter[],
  tag: string,
): Record<string, { get: Operation }> => ({
  [`${path}.csv`]: download('csv', summary, parameters, tag),
  [`${path}.xlsx`]: download('xlsx', summary, parameters, tag),
});

export function downloadsOpenApi(): OpenAPIV3_1.Document {
  return {
    openapi: '3.1.0',
    info: {
      title: 'kelmu-graphql downloads',
      version: '1',
      description:
        'The data of the GraphQL API as files: every download as CSV for machines and as an Excel workbook for people, ' +
        'with the same rows. The same bearer token and the same permission map as GraphQL decide access, and every ' +
        'download is recorded in the access log.',
      license: { name: 'EUPL-1.2', identifier: 'EUPL-1.2' },
    },
    servers: [{ url: '/' }],
    tags: [
      { name: 'Immigrant notifications', description: 'ilmoitus maahanmuuttajasta / anmälan om invandrare' },
      {
        name: 'Child home care allowance lists',
        description: 'lasten kotihoidon tuki / stöd för hemvård av barn',
      },
      {
        name: 'Social-care notices',
        description: 'to welfare areas, Helsinki and Åland (mandate SOCIAL_ASSISTANCE_CLIENT_DATA)',
      },
    ],
    paths: {
      ...both('/downloads/notifications', 'A notification list', listFilter, 'Immigrant notifications'),
      ...both('/downloads/notifications/{id}', 'One notification', [id], 'Immigrant notifications'),
      ...both(
        '/downloads/home-care-allowance-lists/{id}',
        'One child home care allowance list',
        [id],
        'Child home care allowance lists',
      ),
      ...both(
        '/downloads/social-care-notices',
        'Social-care notices (visible ones)',
        socialCareFilter,
        'Social-care notices',
      ),
      ...both('/downloads/social-care-notices/{id}', 'One social-care notice', [id], 'Social-care notices'),
      '/downloads/openapi.json': {
        get: {
          summary: 'This description',
          security: [],
          responses: { '200': { description: 'OpenAPI 3.1', content: { 'application/json': {} } } },
        },
      },
    },
    components: {
      securitySchemes: {
        bearer: {
          type: 'http',
          scheme: 'bearer',
          bearerFormat: 'JWT',
          description:
            "A person's token from the identity gateway (Suomi.fi mandates), or a partner system's.",
        },
      },
      schemas: {
        Errors: {
          type: 'object',
          description: 'Shaped like a GraphQL error response, in the language Accept-Language names.',
          required: ['errors'],
          properties: {
            errors: {
              type: 'array',
              items: {
                type: 'object',
                required: ['message', 'extensions'],
                properties: {
                  message: { type: 'string' },
                  extensions: {
                    type: 'object',
                    required: ['code'],
                    properties: { code: { type: 'string', enum: Object.values(ErrorCode) } },
                  },
                },
              },
            },
          },
        },
      },
    },
  };
}
