// The smallest TypeScript loader for webpack: strips types with the installed TypeScript.
// (Apps usually have ts-loader or babel for this; nothing here is specific to webembed.)
const ts = require('typescript');

module.exports = function transpile(source) {
  return ts.transpileModule(source, {
    compilerOptions: { target: ts.ScriptTarget.ES2022, module: ts.ModuleKind.ESNext },
    fileName: this.resourcePath,
  }).outputText;
};
