/** The days of a maintenance window, Monday first; a module of its own so that the schema and the compose modules
 *  that the engines import can share it without an import cycle through src/engines/index.ts. */
export const WEEKDAYS = ['monday', 'tuesday', 'wednesday', 'thursday', 'friday', 'saturday', 'sunday'] as const;
