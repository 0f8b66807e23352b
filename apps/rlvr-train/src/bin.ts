#!/usr/bin/env node
console.log("rlvr-train");
