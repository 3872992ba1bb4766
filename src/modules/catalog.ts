/** The ONLY list of module kinds. Adding a kind = one line here (STYLE 2.16). */
import { makeCatalog, type ModuleCatalog } from '../spec/index.js';
import { AdcDef } from './adc/def.js';
import { AimcTileDef } from './aimc-tile/def.js';
import { CoreDef } from './core/def.js';
import { DmaDef } from './dma/def.js';
import { EventUnitDef } from './event-unit/def.js';
import { MemoryDef } from './memory/def.js';
import { PeArrayDef } from './pe-array/def.js';
import { ScratchpadDef } from './scratchpad/def.js';
import { XbarDef } from './xbar/def.js';

/** Every module kind, by name, in reference order. */
export const catalog: ModuleCatalog = makeCatalog([CoreDef, DmaDef, ScratchpadDef, XbarDef, MemoryDef, EventUnitDef, AimcTileDef, AdcDef, PeArrayDef]);
