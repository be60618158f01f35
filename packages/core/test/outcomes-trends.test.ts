import { describe, expect, it } from 'vitest';
import { participantTrend, programScoreChange, scoreObservationToFhir, scorePointFromObservation, scorePoints, type InstrumentResponse, type ScorePoint } from '../src/outcomes/index.js';

const NS = 'urn:agency';
const AGENCY = '1234567893';
const barc = (id: string, participantId: string, authored: string, each: number): InstrumentResponse => ({
  id,
  instrumentId: 'barc-10',
  participantId,
  authored,
  answers: Object.fromEntries(Array.from({ length: 10 }, (_, i) => [`q${i + 1}`, each])),
});

describe('participant trend', () => {
  it('orders a participant’s scores by date and reports the change from first to latest', () => {
    const points = scorePoints([barc('r3', 'p-1', '2025-09-01T10:00:00Z', 5), barc('r1', 'p-1', '2025-01-01T10:00:00Z', 3), barc('r2', 'p-1', '2025-05-01T10:00:00Z', 4), barc('x', 'p-2', '2025-01-01T10:00:00Z', 6)]);
    const t = participantTrend(points, 'p-1', 'barc-10');
    expect(t.points.map((p) => p.total)).toEqual([30, 40, 50]);
    expect(t.change).toBe(20);
    expect(participantTrend(points, 'p-2', 'barc-10').change).toBe(0);
  });
});

describe('program score change', () => {
  const points: ScorePoint[] = [
    ...scorePoints([barc('a1', 'a', '2025-01-01T10:00:00Z', 3), barc('a2', 'a', '2025-06-01T10:00:00Z', 4)]), // rose
    ...scorePoints([barc('b1', 'b', '2025-01-01T10:00:00Z', 5), barc('b2', 'b', '2025-06-01T10:00:00Z', 4)]), // fell
    ...scorePoints([barc('c1', 'c', '2025-01-01T10:00:00Z', 4), barc('c2', 'c', '2025-03-01T10:00:00Z', 2), barc('c3', 'c', '2025-06-01T10:00:00Z', 5)]), // rose overall
    ...scorePoints([barc('d1', 'd', '2025-01-01T10:00:00Z', 4)]), // one assessment only
  ];
  it('counts participants whose score rose between first and latest assessment', () => {
    expect(programScoreChange(points, 'barc-10')).toMatchObject({ assessed: 3, singleAssessment: 1, rose: 2, fell: 1, unchanged: 0, shareRose: 2 / 3, shareImproved: 2 / 3 });
  });
  it('restricts to one program’s participants', () => {
    expect(programScoreChange(points, 'barc-10', { participantIds: ['b', 'd'] })).toMatchObject({ assessed: 1, rose: 0, shareRose: 0 });
  });
  it('treats a falling PHQ-9 as improvement', () => {
    const phq: ScorePoint[] = [
      { participantId: 'a', instrumentId: 'phq-9', date: '2025-01-01', total: 15 },
      { participantId: 'a', instrumentId: 'phq-9', date: '2025-04-01', total: 7 },
    ];
    expect(programScoreChange(phq, 'phq-9')).toMatchObject({ rose: 0, fell: 1, shareRose: 0, shareImproved: 1 });
  });
  it('reads points from score Observations', () => {
    const obs = scoreObservationToFhir(barc('a1', 'a', '2025-01-01T10:00:00Z', 3), { namespace: NS, agency: AGENCY });
    expect(scorePointFromObservation(obs, { namespace: NS, agency: AGENCY })).toEqual({ participantId: 'a', instrumentId: 'barc-10', date: '2025-01-01T10:00:00Z', total: 30 });
  });
  it('is zero, not NaN, when nobody was assessed twice', () => {
    expect(programScoreChange([], 'barc-10')).toMatchObject({ assessed: 0, shareRose: 0, meanChange: 0 });
  });
});
