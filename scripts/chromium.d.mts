export declare const chromiumPath: string;
export declare const chromiumArgs: string[];
export declare function freshUserDataDir(): string;
export declare function chromiumAvailable(): boolean;
