/**
 * Instrument registries: BARC-10 and PHQ-9 built in, vendors add their own.
 * @module
 */
import { PeerFhirError } from '../errors.js';
import { barc10 } from './barc-10.js';
import type { InstrumentDefinition } from './instrument.js';
import { phq9 } from './phq-9.js';

/**
 * An instrument id is not in the registry (or is registered twice).
 * @see https://hl7.org/fhir/R4/questionnaire.html
 * @example
 * ```ts
 * try { getInstrument('nope'); } catch (e) { if (e instanceof UnknownInstrumentError) console.log(e.instrumentId); }
 * ```
 * @category Outcomes
 */
export class UnknownInstrumentError extends PeerFhirError {
  readonly instrumentId: string;
  constructor(instrumentId: string, message = `no instrument registered with id ${instrumentId}`) {
    super(message, { code: 'core.unknown-instrument' });
    this.instrumentId = instrumentId;
  }
}

/**
 * A set of instruments looked up by id or by Questionnaire canonical URL.
 *
 * @see https://hl7.org/fhir/R4/questionnaire.html
 * @example
 * ```ts
 * const registry = new InstrumentRegistry([barc10]);
 * registry.get('barc-10').range; // { min: 10, max: 60 }
 * ```
 * @category Outcomes
 */
export class InstrumentRegistry {
  readonly #byId = new Map<string, InstrumentDefinition>();

  constructor(instruments: readonly InstrumentDefinition[] = []) {
    for (const i of instruments) this.register(i);
  }

  /** Add an instrument; its id and Questionnaire URL must be new. */
  register(def: InstrumentDefinition): this {
    if (this.#byId.has(def.id)) throw new UnknownInstrumentError(def.id, `an instrument with id ${def.id} is already registered`);
    if (this.byUrl(def.url)) throw new UnknownInstrumentError(def.id, `an instrument with this Questionnaire URL is already registered`);
    if (def.items.length === 0 || def.answers.length === 0) throw new UnknownInstrumentError(def.id, `instrument ${def.id} needs items and answers`);
    this.#byId.set(def.id, def);
    return this;
  }

  /** The instrument with this id; throws {@link UnknownInstrumentError}. */
  get(id: string): InstrumentDefinition {
    const def = this.#byId.get(id);
    if (!def) throw new UnknownInstrumentError(id);
    return def;
  }

  /** The instrument whose Questionnaire has this canonical (`url` or `url|version`). */
  byUrl(canonical: string): InstrumentDefinition | undefined {
    const url = canonical.split('|')[0];
    return [...this.#byId.values()].find((d) => d.url === url);
  }

  has(id: string): boolean {
    return this.#byId.has(id);
  }

  list(): InstrumentDefinition[] {
    return [...this.#byId.values()];
  }
}

/**
 * A new registry holding the built-in instruments (BARC-10, PHQ-9).
 *
 * @returns a registry with BARC-10 and PHQ-9 registered
 * @see https://hl7.org/fhir/R4/questionnaire.html
 * @example
 * ```ts
 * const registry = createInstrumentRegistry().register(myInstrument);
 * ```
 * @category Outcomes
 */
export function createInstrumentRegistry(): InstrumentRegistry {
  return new InstrumentRegistry([barc10, phq9]);
}

/**
 * The process-wide default registry used when no `registry` option is given.
 *
 * @see https://hl7.org/fhir/R4/questionnaire.html
 * @example
 * ```ts
 * defaultInstruments.list().map((i) => i.id); // ['barc-10', 'phq-9']
 * ```
 * @category Outcomes
 */
export const defaultInstruments: InstrumentRegistry = createInstrumentRegistry();

/**
 * Register an instrument in the default registry so every outcome function can score and map it.
 *
 * @param def - the instrument definition
 * @returns the definition, as registered
 * @see https://hl7.org/fhir/R4/questionnaire.html
 * @example
 * ```ts
 * registerInstrument(defineInstrument({ id: 'ras-r', title: 'RAS-R', version: '1', url, items, answers, scoreCode, direction: 'higher-is-better' }));
 * ```
 * @category Outcomes
 */
export function registerInstrument(def: InstrumentDefinition): InstrumentDefinition {
  defaultInstruments.register(def);
  return def;
}

/**
 * The instrument with this id from the default registry (or the given one).
 *
 * @param id - the instrument id
 * @param registry - the registry to look in (default: the default registry)
 * @returns the instrument definition
 * @see https://hl7.org/fhir/R4/questionnaire.html
 * @example
 * ```ts
 * getInstrument('phq-9').scoreCode.code; // '44261-6'
 * ```
 * @category Outcomes
 */
export function getInstrument(id: string, registry: InstrumentRegistry = defaultInstruments): InstrumentDefinition {
  return registry.get(id);
}
