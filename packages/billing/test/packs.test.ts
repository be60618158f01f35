import { describe, expect, it } from 'vitest';
import { getPack, listPacks, loadPack, RulePackError } from '../src/index.js';

describe('built-in packs', () => {
  it('loads every seed pack', () => {
    expect(listPacks().map((p) => p.id)).toEqual([
      'nc-alliance-peer-support-2019',
      'nj-horizon-sud-peer-2020',
      'tx-medicaid-peer-specialist-2019',
      'oh-medicaid-peer-support',
      'ga-dbhdd-peer-support',
      'pa-omhsas-peer-support',
      'medicare-pin-ps-2024',
    ]);
  });
  it('carries a source on every rule', () => {
    for (const p of listPacks()) {
      const rules = [p.modifierOrder, p.units, p.monthly, p.group, p.placeOfService, p.telehealth, p.age, p.diagnosis, p.credentials, p.supervision,
        p.artefacts.plan, p.artefacts.serviceOrder, p.claimGrouping, ...p.services, ...p.rates, ...p.caps].filter((r) => r !== undefined);
      for (const r of rules) expect(r.source.url).toMatch(/^https?:\/\//);
    }
  });
  it('keeps the confirmed NC Alliance rates and unmanaged units', () => {
    const nc = getPack('nc-alliance-peer-support-2019');
    expect(nc.rates.map((r) => [r.modifiers.join(''), r.amount])).toEqual([['', 11.97], ['HQ', 2.88]]);
    expect(nc.caps[0]).toMatchObject({ maxUnits: 24, beyond: 'prior-auth', source: { confirmed: true } });
  });
  it('leaves unknown rates null instead of inventing them', () => {
    for (const id of ['nj-horizon-sud-peer-2020', 'tx-medicaid-peer-specialist-2019', 'oh-medicaid-peer-support', 'medicare-pin-ps-2024']) {
      expect(getPack(id).rates.every((r) => r.amount === null && !r.source.confirmed)).toBe(true);
    }
  });
  it('names the known ids when a pack is missing', () => {
    expect(() => getPack('nope')).toThrow(/known: nc-alliance/);
  });
});

describe('loadPack errors', () => {
  const good = () => JSON.parse(JSON.stringify(getPack('tx-medicaid-peer-specialist-2019'))) as Record<string, any>;

  it('lists every problem with its path', () => {
    const bad = good();
    bad.version = 'one';
    bad.services[0].code = 'h38';
    bad.caps[0].window = { kind: 'rolling' };
    bad.rates[0].source.url = 'not a url';
    bad.units.unitMinutes = 0;
    delete bad.claimGrouping;
    try {
      loadPack(bad);
      expect.unreachable();
    } catch (e) {
      expect(e).toBeInstanceOf(RulePackError);
      const paths = (e as RulePackError).issues.map((i) => i.path);
      expect(paths).toEqual(
        expect.arrayContaining(['version', 'services[0].code', 'rates[0].source.url', 'units.unitMinutes', 'claimGrouping']),
      );
    }
  });
  it('reports cross-field problems with paths', () => {
    const bad = good();
    bad.caps[0].window = { kind: 'rolling' };
    bad.rates.push({ code: 'H9999', modifiers: [], amount: 1, source: bad.rates[0].source });
    bad.modifierOrder.order = ['group', 'group'];
    const err = (() => { try { loadPack(bad); } catch (e) { return e as RulePackError; } })()!;
    expect(err.issues.map((i) => i.path)).toEqual(expect.arrayContaining(['caps[0].window', 'rates[1].code', 'modifierOrder.order[1]']));
  });
  it('rejects unknown keys so typos do not pass silently', () => {
    const bad = good();
    bad.caps[0].maxUnit = 5;
    expect(() => loadPack(bad)).toThrow(RulePackError);
  });
  it('reports a bad rounding kind at its path', () => {
    const bad = good();
    bad.units.method = { kind: 'nearest' };
    const err = (() => { try { loadPack(bad); } catch (e) { return e as RulePackError; } })()!;
    expect(err.issues.some((i) => i.path.startsWith('units.method'))).toBe(true);
  });
  it('requires a monthly rule for a monthly-accumulation pack', () => {
    const bad = JSON.parse(JSON.stringify(getPack('medicare-pin-ps-2024')));
    delete bad.monthly;
    expect(() => loadPack(bad)).toThrow(/monthly: a monthly-accumulation pack needs a monthly rule/);
  });
});
