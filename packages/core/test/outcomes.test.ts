import { describe, expect, it } from 'vitest';
import type { Observation, QuestionnaireResponse } from 'fhir/r4.js';
import { validationProblems } from '../../../test/support/validators.js';
import {
  barc10,
  BARC10_URL,
  createInstrumentRegistry,
  defineInstrument,
  InstrumentAnswerError,
  instrumentResponseBundle,
  instrumentResponseFromFhir,
  phq9,
  phq9Severity,
  questionnaireResponseToFhir,
  scoreObservationToFhir,
  scoreResponse,
  UnknownInstrumentError,
  type InstrumentResponse,
} from '../src/outcomes/index.js';
import { PeerFhirValidationError } from '../src/errors.js';

const NS = 'https://ehr.example.org/ids';
const AGENCY = '1234567893';
const SCOPED = `${NS}/agency/${AGENCY}`;

function barcResponse(overrides: Partial<InstrumentResponse> = {}, value: (i: number) => number = () => 4): InstrumentResponse {
  return {
    id: 'qr-1',
    instrumentId: 'barc-10',
    participantId: 'p-1',
    authored: '2025-03-01T10:00:00-05:00',
    answers: Object.fromEntries(Array.from({ length: 10 }, (_, i) => [`q${i + 1}`, value(i)])),
    ...overrides,
  };
}

const PHQ_CODES = ['44250-9', '44255-8', '44259-0', '44254-1', '44251-7', '44258-2', '44252-5', '44253-3', '44260-8'];
function phqResponse(values: number[], overrides: Partial<InstrumentResponse> = {}): InstrumentResponse {
  return {
    id: 'qr-phq-1',
    instrumentId: 'phq-9',
    participantId: 'p-1',
    authored: '2025-03-01T10:00:00-05:00',
    answers: Object.fromEntries(PHQ_CODES.map((c, i) => [c, values[i] ?? 0])),
    ...overrides,
  };
}

function problemsOf(fn: () => unknown): { path: string; code: string; message: string }[] {
  try {
    fn();
  } catch (e) {
    if (e instanceof PeerFhirValidationError) return [...e.issues];
    throw e;
  }
  throw new Error('expected a validation error');
}

describe('BARC-10 scoring', () => {
  it('scores all 1s as the minimum total of 10', () => {
    expect(scoreResponse(barcResponse({}, () => 1)).score.total).toBe(10);
  });
  it('scores all 6s as the maximum total of 60', () => {
    expect(scoreResponse(barcResponse({}, () => 6)).score.total).toBe(60);
  });
  it('sums mixed answers', () => {
    expect(scoreResponse(barcResponse({}, (i) => (i % 6) + 1)).score.total).toBe(1 + 2 + 3 + 4 + 5 + 6 + 1 + 2 + 3 + 4);
  });
  it('rejects a missing item with its path', () => {
    const r = barcResponse();
    delete r.answers.q7;
    const issues = problemsOf(() => scoreResponse(r));
    expect(issues).toEqual([{ path: 'answers.q7', code: 'required', message: 'required' }]);
  });
  it('rejects 0, 7 and 3.5 as out of range and lists every problem', () => {
    const r = barcResponse({}, (i) => [0, 7, 3.5][i] ?? 4);
    try {
      scoreResponse(r);
      expect.unreachable();
    } catch (e) {
      expect(e).toBeInstanceOf(InstrumentAnswerError);
      const err = e as InstrumentAnswerError;
      expect(err.instrumentId).toBe('barc-10');
      expect(err.issues.map((i) => i.path)).toEqual(['answers.q1', 'answers.q2', 'answers.q3']);
      expect(err.issues.every((i) => i.message === 'must be an integer between 1 and 6')).toBe(true);
      // No answer value leaks into the message.
      expect(err.message).not.toMatch(/3\.5|\b7\b/);
    }
  });
  it('rejects answers to items the instrument does not have', () => {
    const r = barcResponse();
    r.answers.q11 = 3;
    expect(problemsOf(() => scoreResponse(r))).toEqual([{ path: 'answers.q11', code: 'unknown_item', message: 'is not an item of this instrument' }]);
  });
  it('rejects a malformed record before looking at answers', () => {
    const issues = problemsOf(() => scoreResponse({ ...barcResponse(), participantId: '', authored: 'yesterday' }));
    expect([...new Set(issues.map((i) => i.path))].sort()).toEqual(['authored', 'participantId']);
  });
});

describe('PHQ-9 scoring', () => {
  it('scores all 0s as 0 (minimal) and all 3s as 27 (severe)', () => {
    expect(scoreResponse(phqResponse(Array(9).fill(0))).score).toEqual({ total: 0, band: { code: 'minimal', display: 'Minimal depression' } });
    expect(scoreResponse(phqResponse(Array(9).fill(3))).score.total).toBe(27);
    expect(scoreResponse(phqResponse(Array(9).fill(3))).score.band?.code).toBe('severe');
  });
  it('puts band edges where Kroenke 2001 puts them', () => {
    const bands = [0, 4, 5, 9, 10, 14, 15, 19, 20, 27].map((t) => phq9Severity(t).code);
    expect(bands).toEqual(['minimal', 'minimal', 'mild', 'mild', 'moderate', 'moderate', 'moderately-severe', 'moderately-severe', 'severe', 'severe']);
  });
  it('rejects 4 on a 0-3 item and a missing item', () => {
    const r = phqResponse([4, 1, 1, 1, 1, 1, 1, 1, 1]);
    delete r.answers['44260-8'];
    expect(problemsOf(() => scoreResponse(r)).map((i) => `${i.path}:${i.code}`)).toEqual(['answers.44250-9:out_of_range', 'answers.44260-8:required']);
  });
  it('uses the LOINC codes for panel, items and total', () => {
    expect(phq9.questionnaire.code?.[0]?.code).toBe('44249-1');
    expect(phq9.items.map((i) => i.code?.code)).toEqual(PHQ_CODES);
    expect(phq9.scoreCode).toMatchObject({ system: 'http://loinc.org', code: '44261-6' });
    expect(phq9.range).toEqual({ min: 0, max: 27 });
  });
});

describe('instrument Questionnaires', () => {
  it('publishes BARC-10 at its canonical with a version, 10 items and six answer options each', () => {
    const q = barc10.questionnaire;
    expect(q.url).toBe(BARC10_URL);
    expect(q.url).toBe('https://peer-fhir.org/fhir/Questionnaire/barc-10');
    expect(q.version).toBe('1.0.0');
    const items = (q.item ?? []).filter((i) => i.type === 'choice');
    expect(items).toHaveLength(10);
    for (const item of items) expect(item.answerOption?.map((o) => o.valueCoding?.code)).toEqual(['1', '2', '3', '4', '5', '6']);
    expect(barc10.range).toEqual({ min: 10, max: 60 });
  });
  it.each([barc10, phq9])('$id Questionnaire passes both validators', (def) => {
    expect(validationProblems(def.questionnaire)).toEqual([]);
  });
});

describe('responses to FHIR', () => {
  it.each([
    ['barc-10', barcResponse({ encounterId: 'enc-1', administeredByNpi: '1245319599' }, (i) => (i % 6) + 1)],
    ['phq-9', phqResponse([2, 2, 1, 1, 1, 1, 1, 1, 0])],
  ] as const)('%s QuestionnaireResponse and score Observation pass both validators', (_id, r) => {
    const qr = questionnaireResponseToFhir(r, { namespace: NS, agency: AGENCY });
    const obs = scoreObservationToFhir(r, { namespace: NS, agency: AGENCY });
    expect(validationProblems(qr)).toEqual([]);
    expect(validationProblems(obs)).toEqual([]);
  });

  it('writes the BARC-10 total as a survey Observation derived from the response', () => {
    const r = barcResponse({}, () => 5);
    const obs: Observation = scoreObservationToFhir(r, { namespace: NS, agency: AGENCY, questionnaireResponse: { reference: 'QuestionnaireResponse/9' } });
    expect(obs).toMatchObject({
      status: 'final',
      category: [{ coding: [{ system: 'http://terminology.hl7.org/CodeSystem/observation-category', code: 'survey' }] }],
      code: { coding: [{ system: 'https://peer-fhir.org/fhir/CodeSystem/barc-10', code: 'total' }] },
      valueInteger: 50,
      effectiveDateTime: r.authored,
      derivedFrom: [{ reference: 'QuestionnaireResponse/9' }],
      subject: { type: 'Patient', identifier: { system: `${SCOPED}/participant`, value: 'p-1' } },
    });
  });

  it('carries the PHQ-9 severity band as interpretation', () => {
    const obs = scoreObservationToFhir(phqResponse([3, 3, 3, 3, 3, 0, 0, 0, 0]), { namespace: NS, agency: AGENCY });
    expect(obs.valueInteger).toBe(15);
    expect(obs.code.coding?.[0]?.code).toBe('44261-6');
    expect(obs.interpretation?.[0]?.coding?.[0]?.code).toBe('moderately-severe');
  });

  it('answers with the option codings and reads back to the same record', () => {
    const r = phqResponse([0, 1, 2, 3, 0, 1, 2, 3, 0]);
    const qr: QuestionnaireResponse = questionnaireResponseToFhir(r, { namespace: NS, agency: AGENCY });
    expect(qr.questionnaire).toBe(`${phq9.url}|1.0.0`);
    expect(qr.item?.[3]?.answer?.[0]?.valueCoding?.code).toBe('LA6571-9');
    expect(instrumentResponseFromFhir(qr, { namespace: NS, agency: AGENCY })).toEqual(r);
    const b = barcResponse({ encounterId: 'enc-9', administeredByNpi: '1245319599' }, (i) => (i % 6) + 1);
    expect(instrumentResponseFromFhir(questionnaireResponseToFhir(b, { namespace: NS, agency: AGENCY }), { namespace: NS, agency: AGENCY })).toEqual(b);
  });

  it('bundles both as conditional creates with derivedFrom pointing at the response entry', () => {
    const bundle = instrumentResponseBundle(barcResponse(), { namespace: NS, agency: AGENCY });
    const [qrEntry, obsEntry] = bundle.entry ?? [];
    expect(qrEntry?.request?.ifNoneExist).toBe(`identifier=${encodeURIComponent(`${SCOPED}/instrument-response`)}|qr-1`);
    expect((obsEntry?.resource as Observation).derivedFrom?.[0]?.reference).toBe(qrEntry?.fullUrl);
    expect(validationProblems(bundle)).toEqual([]);
  });

  it('refuses to map an incomplete response', () => {
    const r = barcResponse();
    delete r.answers.q1;
    expect(() => questionnaireResponseToFhir(r)).toThrow(InstrumentAnswerError);
  });
});

describe('instrument registry', () => {
  const scale = defineInstrument({
    id: 'hope-3',
    title: 'Hope (3 items, vendor example)',
    url: 'https://vendor.example/fhir/Questionnaire/hope-3',
    version: '2.1.0',
    direction: 'higher-is-better',
    items: [1, 2, 3].map((n) => ({ linkId: `h${n}`, text: `Hope item ${n}` })),
    answers: [0, 1, 2].map((v) => ({ value: v, coding: { system: 'https://vendor.example/cs/hope', code: String(v) } })),
    scoreCode: { system: 'https://vendor.example/cs/hope', code: 'total' },
  });

  it('lets a vendor register another instrument and score, map and validate it like the built-ins', () => {
    const registry = createInstrumentRegistry().register(scale);
    const r = { id: 'h-1', instrumentId: 'hope-3', participantId: 'p-1', authored: '2025-01-01T09:00:00Z', answers: { h1: 2, h2: 1, h3: 2 } };
    expect(scoreResponse(r, { registry }).score.total).toBe(5);
    expect(validationProblems(scale.questionnaire)).toEqual([]);
    expect(validationProblems(scoreObservationToFhir(r, { registry, agency: AGENCY }))).toEqual([]);
    expect(registry.list().map((d) => d.id)).toEqual(['barc-10', 'phq-9', 'hope-3']);
  });

  it('refuses a duplicate id and an unknown instrument', () => {
    expect(() => createInstrumentRegistry().register(barc10)).toThrow(UnknownInstrumentError);
    expect(() => scoreResponse({ ...barcResponse(), instrumentId: 'hope-3' })).toThrow(UnknownInstrumentError);
  });
});
