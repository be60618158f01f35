/**
 * The built-in seed packs, imported so the bundler inlines them (the dist needs no src/ folder).
 * @internal
 */
import nc from './nc-alliance-2019.json' with { type: 'json' };
import nj from './nj-horizon-2020.json' with { type: 'json' };
import tx from './tx-medicaid-2019.json' with { type: 'json' };
import oh from './oh-medicaid.json' with { type: 'json' };
import ga from './ga-dbhdd-partial.json' with { type: 'json' };
import pa from './pa-omhsas-partial.json' with { type: 'json' };
import medicare from './medicare-pin-ps-2024.json' with { type: 'json' };

/** Raw JSON of every built-in pack, validated by `listPacks()`. @internal */
export const BUILT_IN_PACK_JSON: readonly unknown[] = [nc, nj, tx, oh, ga, pa, medicare];
