// ESLint for the pages' ES modules: the recommended rules, browser globals, cytoscape as a
// global (it is loaded by a classic <script> from web/vendor). Vendored files are not ours.
import js from "@eslint/js";
import globals from "globals";

export default [
  { ignores: ["web/vendor/**", "node_modules/**", ".venv/**", "var/**"] },
  js.configs.recommended,
  {
    files: ["web/js/**/*.js"],
    languageOptions: { ecmaVersion: 2022, sourceType: "module",
      globals: { ...globals.browser, cytoscape: "readonly" } },
  },
  {
    files: ["*.mjs", "cypher/**/*.mjs"],
    languageOptions: { ecmaVersion: 2022, sourceType: "module", globals: globals.node },
  },
];
