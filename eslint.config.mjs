// ESLint for the front end's own scripts (make lint). Browser scripts are plain classic
// scripts, served as written: no bundler, no modules.
import js from "@eslint/js";
import globals from "globals";

export default [
  { ignores: ["node_modules/", "var/", ".venv/", "bench/.work/"] },
  js.configs.recommended,
  {
    files: ["frontend/src/js/**/*.js", "frontend/src/embed/**/*.js"],
    languageOptions: { ecmaVersion: 2020, sourceType: "script", globals: { ...globals.browser, htmx: "readonly" } },
    rules: {
      "no-var": "off",
      eqeqeq: ["error", "always", { null: "ignore" }],
      "no-implicit-globals": "error",
      strict: ["error", "function"],
    },
  },
  {
    files: ["frontend/tests/**/*.mjs", "eslint.config.mjs"],
    languageOptions: { ecmaVersion: 2023, sourceType: "module", globals: { ...globals.node } },
  },
];
