/**
 * Does work done inside a workerd request cost more when it comes in many
 * short requests than in one long one? The same ternary decode products
 * (bench/workerd/kernel_run.js: 2048x2048, cycled over 50 MB of weights) run
 * in workerd either as one request of `R x reps` products or as `R` requests
 * of `reps` each; the difference per request, minus an empty request's cost,
 * is what a request adds to the work it carries (a layer shard's decode step
 * is one request of ~5 ms of such products). Reads the workerd process's CPU
 * time (/proc) and the client's wall time; rounds alternate the two shapes.
 *
 *   deno run -A bench/workerd/call_work.ts [--rounds 5] [--requests 200] [--reps 12,48]
 * @module
 */

import { flag } from "../args.ts";
import { machine, processCpuMs } from "../machine.ts";
import { startKernelServer } from "./kernel_server.ts";

const ROUNDS = Number(flag("rounds", "5")), R = Number(flag("requests", "200"));
const REPS = flag("reps", "12,48").split(",").map(Number);
const server = startKernelServer();
const { port, child } = server;
const call = async (reps: number) => {
  const res = await fetch(`http://127.0.0.1:${port}/?op=decode&reps=${reps}`);
  if ((await res.text()) !== "ok") throw new Error(`workerd answered ${res.status}`);
};
/** CPU and wall ms of `n` requests of `reps` products each. */
const measure = async (n: number, reps: number) => {
  const c0 = processCpuMs(child.pid), t0 = performance.now();
  for (let i = 0; i < n; i++) await call(reps);
  return { cpu: processCpuMs(child.pid) - c0, wall: performance.now() - t0 };
};
const median = (a: number[]) => [...a].sort((x, y) => x - y)[a.length >> 1];
try {
  for (let i = 0;; i++) {
    try {
      await call(1);
      break;
    } catch (e) {
      if (i > 100) throw e;
      await new Promise((r) => setTimeout(r, 100));
    }
  }
  await measure(50, 48); // warm-up: the products reach the optimizing tier
  for (const reps of REPS) {
    const perRep: number[] = [], perCall: number[] = [], empty: number[] = [];
    const perRepWall: number[] = [], perCallWall: number[] = [], emptyWall: number[] = [];
    for (let r = 0; r < ROUNDS; r++) {
      const one = await measure(1, R * reps); // all the work in one request
      const many = await measure(R, reps); // the same work in R requests
      const none = await measure(R, 0); // R requests with no work
      perRep.push(one.cpu / (R * reps)), perCall.push(many.cpu / R), empty.push(none.cpu / R);
      perRepWall.push(one.wall / (R * reps)), perCallWall.push(many.wall / R), emptyWall.push(none.wall / R);
    }
    const work = median(perRep) * reps, workWall = median(perRepWall) * reps;
    console.log(JSON.stringify({
      bench: "workerd_call_work",
      reps,
      requests: R,
      workCpuMs: +work.toFixed(3), // the products' CPU when done in one long request
      requestCpuMs: +median(perCall).toFixed(3), // one request carrying them
      emptyRequestCpuMs: +median(empty).toFixed(3),
      addedCpuMs: +(median(perCall) - median(empty) - work).toFixed(3), // what carrying the work in a request adds
      workWallMs: +workWall.toFixed(3),
      requestWallMs: +median(perCallWall).toFixed(3),
      emptyRequestWallMs: +median(emptyWall).toFixed(3),
      addedWallMs: +(median(perCallWall) - median(emptyWall) - workWall).toFixed(3),
      rounds: ROUNDS,
      machine: machine(1),
    }));
  }
} finally {
  await server.close();
}
