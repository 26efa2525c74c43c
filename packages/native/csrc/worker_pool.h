// One persistent helper thread. A call hands it part 1 of a task and runs part 0 itself, so a
// two-way split costs a wake-up, not a thread creation. The helper spins briefly after each task
// (back-to-back matmuls in a training step then skip the futex round trip) and sleeps otherwise.
#pragma once

namespace trl {

using PoolTask = void (*)(void* context, int part);

// Runs task(context, 0) on the calling thread and task(context, 1) on the helper, returning
// after both finish. Returns false without running anything when the helper could not be
// started or is already serving another caller (e.g. a second worker_thread): run serially then.
bool run_on_two_threads(PoolTask task, void* context);

}  // namespace trl
