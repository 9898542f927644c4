export { csvImporter, csvUnitOf, importCsvUnit } from './csvImporter';
export { flattenYamlParams } from './yamlParams';
