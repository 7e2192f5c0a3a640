// Runs a front-end script, as written, in a happy-dom window: the script sees that window
// as its global object, as it would see a browser's.
import { readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import vm from "node:vm";
import { Window } from "happy-dom";

const SOURCES = fileURLToPath(new URL("../src/js/", import.meta.url));

export function pageWith(html, { url = "http://127.0.0.1:8499/article/", storage = {} } = {}) {
  const window = new Window({ url });
  window.document.write(html);
  for (const [key, value] of Object.entries(storage)) window.localStorage.setItem(key, value);
  return window;
}

export function run(window, script) {
  vm.runInContext(readFileSync(SOURCES + script, "utf8"), window, { filename: script });
}

// A clock for the window's timers that moves only when a test says so.
export function stoppedClock(window) {
  let now = 0;
  let nextId = 1;
  const timers = new Map();
  window.setTimeout = (callback, delay = 0) => {
    timers.set(nextId, { at: now + delay, callback });
    return nextId++;
  };
  window.clearTimeout = (id) => timers.delete(id);
  window.setInterval = () => nextId++;
  return {
    pending: () => timers.size,
    advance(ms) {
      now += ms;
      for (const [id, timer] of [...timers].sort((a, b) => a[1].at - b[1].at)) {
        if (timer.at <= now && timers.delete(id)) timer.callback();
      }
    },
  };
}

export function type(window, area, text) {
  area.value = text;
  area.dispatchEvent(new window.Event("input", { bubbles: true }));
}
