/**
 * The geography module's public face: the only file other modules import. Re-exports only.
 */
export {
  type AddressCodes,
  findMunicipality,
  findParish,
  findState,
  isValidAddressCodes,
  listMunicipalities,
  listParishes,
  listStates,
  type Municipality,
  type Parish,
  type State,
} from './divisions.js';
