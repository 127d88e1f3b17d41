/** A JSON object value (parameter type `object`), kept as posted. */
export interface CharacteristicObject {
  [key: string]: unknown;
}

/**
 * A characteristic's typed value, as the catalog validates it and the service inventory keeps
 * it. It lives with the services, the lowest layer that holds one.
 */
export type CharacteristicValue = string | number | boolean | CharacteristicObject;
export type CharacteristicValues = Record<string, CharacteristicValue>;
