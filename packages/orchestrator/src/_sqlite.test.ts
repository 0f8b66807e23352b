import { describe, expect, it } from "vitest";
import { loadSqlite, pragmaValue } from "./_sqlite.js";
import { OrchestratorError } from "./errors.js";

describe("loadSqlite", () => {
  it("turns a binding that cannot load into SQLITE_UNAVAILABLE that says what to do", () => {
    const missing = new Error("Cannot find module '@libsql/linux-x64-gnu'\nRequire stack: ...");
    let thrown: unknown;
    try {
      loadSqlite(() => {
        throw missing;
      });
    } catch (error) {
      thrown = error;
    }
    expect(OrchestratorError.is(thrown)).toBe(true);
    const e = thrown as OrchestratorError;
    expect(e.code).toBe("SQLITE_UNAVAILABLE");
    expect(e.cause).toBe(missing);
    expect(e.message).toContain("Cannot find module '@libsql/linux-x64-gnu'");
    expect(e.message).not.toContain("Require stack");
    expect(e.message).toMatch(/reinstall/);
    expect(e.message).toContain('"registryPath": null');
  });

  it("loads the real binding and reads a pragma's value", () => {
    const Database = loadSqlite();
    const db = new Database(":memory:");
    expect(pragmaValue(db, "user_version")).toBe(0);
    db.close();
  });
});
