// Objective for the worker-pool failure tests: params.mode picks how the trial behaves.
export async function objective(params, trial) {
  switch (params.mode) {
    case "ok":
      return params.x;
    case "throws":
      throw new RangeError(`bad x ${params.x}`);
    case "nan":
      return Number.NaN;
    case "string":
      return "12";
    case "hang":
      for (;;) {
        // a synchronous loop: only terminating the worker stops it
      }
    case "exit":
      process.exit(3);
      return 0;
    case "uncaught":
      setTimeout(() => {
        throw new Error("thrown in a timer");
      }, 0);
      return new Promise(() => {});
    case "prune":
      trial.report(0, 10);
      trial.report(1, 9);
      trial.prune();
      return 0;
    case "bad-report":
      try {
        trial.report(-1, 1);
        return -1;
      } catch (error) {
        return error.code === "INVALID_REPORT" ? 7 : -2;
      }
    default:
      throw new Error(`unknown mode ${params.mode}`);
  }
}

export const notAFunction = 42;
