// The workerd side of bench/workerd/kernels.ts: GET /?op=decode|prefill&reps=N
// runs the kernel N times and answers "ok" (time is measured by the client:
// a Worker's clock does not advance while it computes).
import mod from "falcon_e_relaxed.wasm";
import { setup } from "./kernel_run.js";

let run;
export default {
  async fetch(req) {
    const u = new URL(req.url);
    run ??= setup(await WebAssembly.instantiate(mod, {}));
    run(u.searchParams.get("op"), Number(u.searchParams.get("reps")));
    return new Response("ok");
  },
};
