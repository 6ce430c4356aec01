/**
 * config: every option declared once (options.ts), and the layered configuration (config.yaml,
 * -D, code). Depends on core.
 */
export { OPTIONS, DEPRECATED_KEYS, NOT_IMPLEMENTED } from './options.js';
export { option, type ConfigOption, type OptionScope, type OptionType } from './config-option.js';
export { loadConfigFile, applyDynamicProperties, checkConfiguration, clusterOnlyKeys, configDirectory, absolutePath, absolutePaths, pathList, PATH_LIST_KEYS, flattenYaml, jobConfiguration, notImplemented, setKey, type ConfigMap } from './configuration.js';
export { checkOptionValue, parseBoolean, parseDouble, parseInteger, validateConfiguration } from './option-values.js';
export { describeConfiguredRestartStrategy } from './restart-strategy-description.js';
export { parseDuration, parseMemorySize } from './duration.js';
