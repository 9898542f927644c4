export { dvcliveImporter, dvcliveUnitOf, importDvcliveUnit } from './dvcliveImporter';
