export declare const schemaNames: readonly ['driver', 'workload-result', 'run', 'suite', 'config'];
export type SchemaName = (typeof schemaNames)[number];
export declare const schemas: Record<SchemaName, Record<string, unknown>>;
export declare function schemaPath(name: SchemaName): string;
