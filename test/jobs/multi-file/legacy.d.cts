declare const legacy: { readonly file: string; readonly eol: number };
export = legacy;
