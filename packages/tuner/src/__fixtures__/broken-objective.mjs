// A module that fails to load.
throw new Error("broken module");
