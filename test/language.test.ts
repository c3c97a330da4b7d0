import { randomUUID } from 'node:crypto';
import { type GraphQLEnumType, isEnumType } from 'graphql';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { downloadPaths } from '../src/domain/download-paths';
import { ERROR_MESSAGES } from '../src/i18n/error-messages';
import { Language, negotiateLanguage } from '../src/i18n/language';
import { buildGraphQLSchema } from '../src/schema/build-schema';
import {
  LabelsDocument,
  NotificationLabelsDocument,
  NotificationsDocument,
  ReturnToNewRefusalDocument,
  ViewerDocument,
} from './generated/graphql';
import { startTestApp, type TestApp } from './support/app';

let app: TestApp;
beforeAll(async () => {
  app = await startTestApp();
});
afterAll(async () => {
  await app?.close();
});

const finnish = { 'accept-language': 'fi-FI,fi;q=0.9,en;q=0.8' };
const swedish = { 'accept-language': 'sv-FI,sv;q=0.9' };

describe('Accept-Language', () => {
  it.each([
    ['fi-FI,fi;q=0.9,en;q=0.8', Language.FI],
    ['sv-FI', Language.SV],
    ['sv;q=0.5, fi;q=0.6', Language.FI],
    ['en-GB', Language.EN],
    ['de-DE, sv;q=0.3', Language.SV],
    ['de-DE', Language.EN],
    ['*', Language.EN],
    ['', Language.EN],
    [undefined, Language.EN],
  ])('%j chooses %s', (header, language) => {
    expect(negotiateLanguage(header)).toBe(language);
  });

  // Downloads fall back to Finnish: a wildcard, a tie or a header naming none of ours then means Finnish.
  it.each([
    ['sv-FI', Language.SV],
    ['en-GB', Language.EN],
    ['en;q=0.5, sv;q=0.5', Language.EN],
    ['de-DE', Language.FI],
    ['*', Language.FI],
    ['', Language.FI],
    [undefined, Language.FI],
  ])('%j with Finnish as the fallback chooses %s', (header, language) => {
    expect(negotiateLanguage(header, Language.FI)).toBe(language);
  });
});

describe('labels', () => {
  it('labels every value of every labelled enum, in each language, without asking who is calling', async () => {
    const schema = buildGraphQLSchema();
    const valuesOf = (name: string) =>
      (schema.getType(name) as GraphQLEnumType)
        .getValues()
        .map((value) => value.name)
        .sort();
    for (const language of ['FI', 'SV', 'EN'] as const) {
      const { data, errors } = await app.request(LabelsDocument, { language });
      expect(errors).toBeUndefined();
      const labels = data?.labels;
      expect(labels?.language).toBe(language);
      const sections = {
        NotificationStatus: labels?.notificationStatuses,
        NotificationKind: labels?.notificationKinds,
        NotificationChange: labels?.notificationChanges,
        DataContent: labels?.dataContents,
        ViewerKind: labels?.viewerKinds,
      };
      for (const [enumName, entries] of Object.entries(sections)) {
        expect(isEnumType(schema.getType(enumName))).toBe(true);
        expect(entries?.map((entry) => entry.value).sort(), enumName).toEqual(valuesOf(enumName));
        for (const entry of entries ?? [])
          expect(entry.label.trim(), `${enumName}.${entry.value}`).not.toBe('');
      }
    }
  });

  it('names the statuses as Kelmu and Kela do, and follows Accept-Language when no language is given', async () => {
    const statusesIn = async (headers: Record<string, string>, language?: 'FI' | 'SV' | 'EN') => {
      const { data } = await app.request(LabelsDocument, language ? { language } : {}, undefined, headers);
      return Object.fromEntries(data?.labels.notificationStatuses.map((s) => [s.value, s.label]) ?? []);
    };
    expect(await statusesIn(finnish)).toEqual({ NEW: 'Uusi', IN_PROCESSING: 'Käsittelyssä' });
    expect(await statusesIn(swedish)).toEqual({ NEW: 'Ny', IN_PROCESSING: 'Under behandling' });
    expect(await statusesIn({})).toEqual({ NEW: 'New', IN_PROCESSING: 'In processing' });
    // The argument wins over the header.
    expect(await statusesIn(finnish, 'SV')).toEqual({ NEW: 'Ny', IN_PROCESSING: 'Under behandling' });
  });

  it('names the data contents as Kela\'s instructions do, in Swedish "Integrationstjänster" and "Integrationstjänster / stöd för hemvård av barn", with the Finnish and English equivalents', async () => {
    const dataContentsIn = async (language: 'FI' | 'SV' | 'EN') => {
      const { data } = await app.request(LabelsDocument, { language });
      return Object.fromEntries(data?.labels.dataContents.map((c) => [c.value, c.label]) ?? []);
    };
    expect(await dataContentsIn('SV')).toMatchObject({
      INTEGRATION_SERVICES: 'Integrationstjänster',
      INTEGRATION_SERVICES_HOME_CARE_ALLOWANCE: 'Integrationstjänster / stöd för hemvård av barn',
    });
    expect(await dataContentsIn('FI')).toMatchObject({
      INTEGRATION_SERVICES: 'Kotoutumispalvelut',
      INTEGRATION_SERVICES_HOME_CARE_ALLOWANCE: 'Kotoutumispalvelut / lasten kotihoidon tuki',
    });
    expect(await dataContentsIn('EN')).toMatchObject({
      INTEGRATION_SERVICES: 'Integration services',
      INTEGRATION_SERVICES_HOME_CARE_ALLOWANCE: 'Integration services / child home care allowance',
    });
  });

  it('names the pending column and the buttons "För till Nya anmälningar" and "Överför till annan kommun" as Kela\'s instructions do, in each language', async () => {
    const wordsIn = async (language: 'FI' | 'SV' | 'EN') => {
      const { data, errors } = await app.request(LabelsDocument, { language });
      expect(errors).toBeUndefined();
      return { columns: data?.labels.notificationColumns, actions: data?.labels.notificationActions };
    };
    // "Längst till höger visas uppgiften Under behandling, som visar för hur länge sedan anmälningen skapades."
    expect(await wordsIn('SV')).toEqual({
      columns: { pendingDays: 'Under behandling' },
      actions: {
        moveToProcessing: 'Överför till Anmälningar under behandling',
        returnToNew: 'För till Nya anmälningar',
        transferToMunicipality: 'Överför till annan kommun',
      },
    });
    expect(await wordsIn('FI')).toEqual({
      columns: { pendingDays: 'Vireillä' },
      actions: {
        moveToProcessing: 'Siirrä käsittelyssä oleviin ilmoituksiin',
        returnToNew: 'Siirrä uusiin ilmoituksiin',
        transferToMunicipality: 'Siirrä toiseen kuntaan',
      },
    });
    expect(await wordsIn('EN')).toEqual({
      columns: { pendingDays: 'Pending' },
      actions: {
        moveToProcessing: 'Move to Notifications in processing',
        returnToNew: 'Return to New notifications',
        transferToMunicipality: 'Transfer to another municipality',
      },
    });
  });

  it('gives a message for every error code, different per language', async () => {
    const { data } = await app.request(LabelsDocument, { language: 'SV' });
    const codes = data?.labels.errorCodes.map((entry) => entry.code);
    expect(codes).toEqual(
      expect.arrayContaining(['UNAUTHENTICATED', 'FORBIDDEN', 'NOT_FOUND', 'BAD_USER_INPUT']),
    );
    expect(codes).toEqual(Object.keys(ERROR_MESSAGES));
    const notFound = data?.labels.errorCodes.find((entry) => entry.code === 'NOT_FOUND');
    expect(notFound?.message).toBe(ERROR_MESSAGES.NOT_FOUND.SV);
    for (const messages of Object.values(ERROR_MESSAGES))
      expect(new Set(Object.values(messages)).size).toBe(3);
  });
});

describe('labels on data', () => {
  it("shows a notification's status and kind in the handler's language, or the one asked for", async () => {
    const token = await app.tokens.handler(['905']);
    const { id } = await app.given.notification({ municipalityCode: '905', ageDays: 2 });
    const { data, errors } = await app.request(
      NotificationLabelsDocument,
      { id, language: 'EN' },
      token,
      swedish,
    );
    expect(errors).toBeUndefined();
    expect(data?.notification).toMatchObject({
      id,
      status: 'NEW',
      statusLabel: 'Ny',
      kindLabel: 'Anmälan om invandrare',
      statusLabelIn: 'New',
      kindLabelIn: 'Notification about an immigrant',
    });
  });

  it('keeps the labels behind the same permission as the notification', async () => {
    const { id } = await app.given.notification({ municipalityCode: '905', ageDays: 2 });
    const outsider = await app.tokens.handler(['091']);
    const { data } = await app.request(NotificationLabelsDocument, { id }, outsider, finnish);
    expect(data?.notification).toBeNull();
  });

  it('explains a refused change in the chosen language, naming both statuses', async () => {
    const token = await app.tokens.handler(['905']);
    const { id } = await app.given.notification({ municipalityCode: '905', ageDays: 2 });
    const { data } = await app.request(ReturnToNewRefusalDocument, { id, language: 'EN' }, token, finnish);
    expect(data?.returnToNew).toEqual({
      __typename: 'InvalidTransition',
      notificationId: id,
      currentStatus: 'NEW',
      requiredStatus: 'IN_PROCESSING',
      message: 'Muutos on mahdollinen vain tilassa ”Käsittelyssä”; tämä ilmoitus on tilassa ”Uusi”.',
      messageIn: 'Only notifications with status "In processing" allow this change; this one is "New".',
    });
  });
});

describe('error messages', () => {
  it('answers a missing token in Finnish and keeps the English detail and the code', async () => {
    const { errors } = await app.request(ViewerDocument, {}, undefined, finnish);
    expect(errors?.[0]).toMatchObject({
      message: ERROR_MESSAGES.UNAUTHENTICATED.FI,
      extensions: { code: 'UNAUTHENTICATED', detail: expect.stringMatching(/Authentication required/) },
    });
  });

  it('answers an invalid token (before any resolver runs) in Swedish', async () => {
    const { status, errors } = await app.request(ViewerDocument, {}, 'not-a-token', swedish);
    expect(status).toBe(401);
    expect(errors?.[0]?.message).toBe(ERROR_MESSAGES.UNAUTHENTICATED.SV);
    expect(errors?.[0]?.extensions?.code).toBe('UNAUTHENTICATED');
  });

  it('names the argument of bad input in every language', async () => {
    const token = await app.tokens.handler(['905']);
    const variables = { filter: { status: 'NEW' as const, postalCode: 'abcde' } };
    const { errors } = await app.request(NotificationsDocument, variables, token, swedish);
    expect(errors?.[0]?.extensions).toMatchObject({
      code: 'BAD_USER_INPUT',
      argumentName: 'filter.postalCode',
    });
    expect(errors?.[0]?.message).toBe('Ogiltig indata (filter.postalCode).');
    expect(errors?.[0]?.extensions?.detail).toMatch(/postalCode/);
  });

  it('leaves English answers as they were, with no detail added', async () => {
    const { errors } = await app.request(ViewerDocument, {}, undefined, { 'accept-language': 'en' });
    expect(errors?.[0]?.message).toMatch(/^Authentication required/);
    expect(errors?.[0]?.extensions?.detail).toBeUndefined();
  });

  it('localizes errors of malformed queries and of downloads too', async () => {
    const parse = await fetch(app.url, {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...finnish },
      body: JSON.stringify({ query: '{ viewer { ' }),
    });
    const parsed = (await parse.json()) as { errors: { message: string; extensions: { code: string } }[] };
    expect(parsed.errors[0]).toMatchObject({
      message: ERROR_MESSAGES.GRAPHQL_PARSE_FAILED.FI,
      extensions: { code: 'GRAPHQL_PARSE_FAILED' },
    });

    const token = await app.tokens.handler(['905']);
    const download = await fetch(new URL(downloadPaths.notification(randomUUID()), app.url), {
      headers: { authorization: `Bearer ${token}`, ...swedish },
    });
    expect(download.status).toBe(404);
    const body = (await download.json()) as { errors: { message: string; extensions: { code: string } }[] };
    expect(body.errors[0]).toMatchObject({
      message: ERROR_MESSAGES.NOT_FOUND.SV,
      extensions: { code: 'NOT_FOUND' },
    });
  });
});
