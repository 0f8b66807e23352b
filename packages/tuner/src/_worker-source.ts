// Body of a worker thread of the worker-pool executor, as JavaScript source run with
// `new Worker(WORKER_SOURCE, { eval: true })`: it must not import this package (tests run from
// TypeScript sources, which a worker cannot load). It imports the objective module by URL, runs one
// trial per "run" message, and answers `trial.report` / `trial.shouldPrune` synchronously through a
// shared flag (Atomics.wait) and a reply port (receiveMessageOnPort).
export const WORKER_SOURCE = `
"use strict";
const { parentPort, workerData, receiveMessageOnPort } = require("node:worker_threads");
const { moduleUrl, exportName, hasFactory, factoryData, flag: flagBuffer, replyPort } = workerData;
const flag = new Int32Array(flagBuffer);
const BRAND = Symbol.for("@rlvr/tuner/error");

function tunerError(code, message) {
  const e = new Error(message);
  e.name = "TunerError";
  e.code = code;
  Object.defineProperty(e, BRAND, { value: true });
  return e;
}

function info(error) {
  if (typeof error === "object" && error !== null) {
    const name = typeof error.name === "string" && error.name.length > 0 ? error.name : "Error";
    const message = typeof error.message === "string" ? error.message : String(error);
    return typeof error.code === "string" ? { name, message, code: error.code } : { name, message };
  }
  return { name: "Error", message: String(error) };
}

function call(request) {
  Atomics.store(flag, 0, 0);
  parentPort.postMessage(request);
  while (Atomics.load(flag, 0) === 0) Atomics.wait(flag, 0, 0, 1000);
  const reply = receiveMessageOnPort(replyPort);
  if (reply === undefined) throw tunerError("WORKER_CRASHED", "no reply from the study");
  if (reply.message.error) throw tunerError(reply.message.error.code, reply.message.error.message);
  return reply.message.result;
}

const loaded = import(moduleUrl).then(async (mod) => {
  const fn = mod[exportName];
  if (typeof fn !== "function") {
    throw new Error("module " + moduleUrl + " has no function export named " + JSON.stringify(exportName));
  }
  if (!hasFactory) return fn;
  const objective = await fn(factoryData);
  if (typeof objective !== "function") {
    throw new Error("the factory " + JSON.stringify(exportName) + " returned " + typeof objective + ", expected an objective function");
  }
  return objective;
});
loaded.catch(() => {});

parentPort.on("message", async (msg) => {
  if (msg.type !== "run") return;
  let objective;
  try {
    objective = await loaded;
  } catch (error) {
    parentPort.postMessage({ type: "load-error", error: info(error) });
    return;
  }
  const trial = Object.freeze({
    number: msg.number,
    seed: msg.seed,
    params: msg.params,
    signal: new AbortController().signal,
    report(step, value) {
      call({ type: "report", step, value });
    },
    shouldPrune() {
      return call({ type: "prune" }) === true;
    },
    prune() {
      throw tunerError("TRIAL_PRUNED", "trial " + msg.number + " was pruned");
    },
  });
  parentPort.postMessage({ type: "started" });
  try {
    const value = await objective(msg.params, trial);
    parentPort.postMessage({ type: "done", value: typeof value === "number" ? value : null, valueType: typeof value });
  } catch (error) {
    parentPort.postMessage({ type: "error", error: info(error) });
  }
});
`;
