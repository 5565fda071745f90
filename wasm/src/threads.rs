//! Work sharing across the threads of a shared-memory build (`+atomics`):
//! one wasm instance per thread over one memory, so the weights exist once.
//! The calling thread (0) runs the forward pass; at each parallel step it
//! publishes a job (a function and its captured state, on its own stack,
//! which every thread can read) and does its own share, while the other
//! threads, parked in `thread_loop`, do theirs. Each thread computes whole
//! output rows or heads, so every float is summed in the same order as on one
//! thread: the results are bit-identical for any thread count.
//!
//! Waiting: a thread spins briefly for the next job (jobs follow each other
//! within microseconds during a forward pass), then sleeps in
//! `memory.atomic.wait32` until woken by `memory.atomic.notify`, so an idle
//! model burns no core. Without `+atomics` a team has one thread and `run`
//! calls the job inline.

use core::sync::atomic::{AtomicU32, Ordering};
#[cfg(target_feature = "atomics")]
use core::sync::atomic::AtomicUsize;

/// One published job.
#[cfg(target_feature = "atomics")]
#[repr(C, align(64))]
struct Job {
    /// Bumped to publish a job (threads wait on it).
    gen: AtomicU32,
    /// Threads (other than 0) done with the current job (thread 0 waits on it).
    done: AtomicU32,
    /// Threads taking part.
    n: AtomicU32,
    /// `trampoline::<F>` as a table index.
    func: AtomicUsize,
    /// The `&F` it calls.
    ctx: AtomicUsize,
    /// Nonzero: `thread_loop` returns.
    quit: AtomicU32,
    /// Threads that entered `thread_loop` (the first job waits for all of them).
    joined: AtomicU32,
}

#[cfg(target_feature = "atomics")]
static JOB: Job = Job {
    gen: AtomicU32::new(0),
    done: AtomicU32::new(0),
    n: AtomicU32::new(1),
    func: AtomicUsize::new(0),
    ctx: AtomicUsize::new(0),
    quit: AtomicU32::new(0),
    joined: AtomicU32::new(0),
};

/// The next unclaimed piece of the current job (`claim`); reset by `run`.
#[cfg(target_feature = "atomics")]
static NEXT: AtomicU32 = AtomicU32::new(0);

/// Threads in the team, 1 until `set_team` (the model's `threads`).
static TEAM: AtomicU32 = AtomicU32::new(1);

/// Sets the team size: every job runs on exactly this many threads, so the
/// host must start `n - 1` threads, with ids 1..n, in `thread_loop`.
pub fn set_team(n: usize) {
    TEAM.store(n.max(1) as u32, Ordering::Relaxed);
}

/// Threads in the team.
pub fn team() -> usize {
    TEAM.load(Ordering::Relaxed) as usize
}

/// Whether thread 0 may sleep in `memory.atomic.wait32` (not on a browser's
/// main thread, where it traps); it spins otherwise.
static MAIN_CAN_WAIT: AtomicU32 = AtomicU32::new(0);

/// Spins of a waiting thread before it sleeps (~0.1-0.2 ms).
#[cfg(target_feature = "atomics")]
const SPINS: u32 = 100_000;

/// [u0, u1): thread `tid`'s share of `units` among `nt` threads (contiguous, sizes differ by at most one).
pub fn share(units: usize, tid: usize, nt: usize) -> (usize, usize) {
    (units * tid / nt, units * (tid + 1) / nt)
}

/// Pieces to cut one job's work into for `claim` on `nt` threads: 8 per
/// thread, enough that a thread running ahead takes over the other's tail,
/// few enough that claiming costs nothing; one on one thread. (A decode
/// step's ternary products take one per thread: see `bitlinear`.)
pub fn pieces(nt: usize) -> usize {
    if nt > 1 { 8 * nt } else { 1 }
}

/// Runs `f(piece)` once for each piece in 0..pieces, inside a job of `run`,
/// on whichever of the job's `nt` threads claims it first: a thread that
/// runs ahead (the VM's vCPUs do not run at one speed) takes more pieces
/// instead of waiting for the other at the job's end. Which thread computes
/// a piece changes nothing in it. Call it at most once per job.
pub fn claim<F: FnMut(usize)>(pieces: usize, nt: usize, mut f: F) {
    #[cfg(target_feature = "atomics")]
    if nt > 1 {
        loop {
            let p = NEXT.fetch_add(1, Ordering::Relaxed) as usize;
            if p >= pieces {
                return;
            }
            f(p);
        }
    }
    let _ = nt;
    for p in 0..pieces {
        f(p);
    }
}

/// Lets thread 0 sleep while it waits (where the host allows it).
pub fn set_main_can_wait(yes: bool) {
    MAIN_CAN_WAIT.store(yes as u32, Ordering::Relaxed);
}

#[cfg(target_feature = "atomics")]
unsafe fn trampoline<F: Fn(usize, usize)>(ctx: usize, tid: usize, nt: usize) {
    (*(ctx as *const F))(tid, nt)
}

#[cfg(target_feature = "atomics")]
fn wait(word: &AtomicU32, seen: u32, timeout_ns: i64) {
    unsafe { core::arch::wasm32::memory_atomic_wait32(word.as_ptr() as *mut i32, seen as i32, timeout_ns) };
}

#[cfg(target_feature = "atomics")]
fn wake(word: &AtomicU32) {
    unsafe { core::arch::wasm32::memory_atomic_notify(word.as_ptr() as *mut i32, u32::MAX) };
}

/// Thread 0 waits until `word` reaches `count`: spins, then (where allowed) sleeps.
#[cfg(target_feature = "atomics")]
fn await_count(word: &AtomicU32, count: u32) {
    let can_wait = MAIN_CAN_WAIT.load(Ordering::Relaxed) != 0;
    let mut spins = 0;
    loop {
        let d = word.load(Ordering::Acquire);
        if d == count {
            return;
        }
        if spins < SPINS || !can_wait {
            spins += 1;
            core::hint::spin_loop();
        } else {
            wait(word, d, 1_000_000);
        }
    }
}

/// Runs `f(tid, nt)` on every thread of the team (this one is thread 0) and
/// returns when all are done; a team of one (always, without `+atomics`)
/// calls `f(0, 1)` inline.
pub fn run<F: Fn(usize, usize) + Sync>(f: &F) {
    #[cfg(target_feature = "atomics")]
    if team() > 1 {
        let nt = team();
        await_count(&JOB.joined, nt as u32 - 1); // a thread that has not read `gen` yet would miss the job
        let t: unsafe fn(usize, usize, usize) = trampoline::<F>;
        JOB.func.store(t as usize, Ordering::Relaxed);
        JOB.ctx.store(f as *const F as usize, Ordering::Relaxed);
        JOB.n.store(nt as u32, Ordering::Relaxed);
        JOB.done.store(0, Ordering::Relaxed);
        NEXT.store(0, Ordering::Relaxed); // published with the job by `gen`'s release
        JOB.gen.fetch_add(1, Ordering::Release);
        wake(&JOB.gen);
        f(0, nt);
        await_count(&JOB.done, nt as u32 - 1);
        return;
    }
    f(0, 1)
}

/// The loop of thread `tid` (> 0): waits for each job, does its share, says
/// so; returns 0 once `stop_threads` is called. Blocks its host thread.
#[cfg(target_feature = "atomics")]
pub fn thread_loop(tid: usize) -> i32 {
    let mut seen = JOB.gen.load(Ordering::Acquire);
    if JOB.joined.fetch_add(1, Ordering::AcqRel) + 1 == team() as u32 - 1 {
        wake(&JOB.joined);
    }
    loop {
        let mut spins = 0;
        loop {
            let g = JOB.gen.load(Ordering::Acquire);
            if g != seen {
                seen = g;
                break;
            }
            if spins < SPINS {
                spins += 1;
                core::hint::spin_loop();
            } else {
                wait(&JOB.gen, seen, -1);
            }
        }
        if JOB.quit.load(Ordering::Acquire) != 0 {
            return 0;
        }
        let nt = JOB.n.load(Ordering::Relaxed) as usize;
        let f: unsafe fn(usize, usize, usize) = unsafe { core::mem::transmute(JOB.func.load(Ordering::Relaxed)) };
        unsafe { f(JOB.ctx.load(Ordering::Relaxed), tid, nt) };
        if JOB.done.fetch_add(1, Ordering::AcqRel) + 1 == nt as u32 - 1 {
            wake(&JOB.done);
        }
    }
}

/// Makes every `thread_loop` return (they finish the job in hand first).
#[cfg(target_feature = "atomics")]
pub fn stop_threads() {
    JOB.quit.store(1, Ordering::Release);
    JOB.gen.fetch_add(1, Ordering::Release);
    wake(&JOB.gen);
}
