namespace Challenges.Api.Storage;

/// <summary>
/// Tells this process's queue workers that work was just queued here, so they start on it at once instead of at their
/// next poll; work queued by other processes is found by polling.
/// </summary>
public sealed class WorkQueueSignal
{
    private TaskCompletionSource _next = new(TaskCreationOptions.RunContinuationsAsynchronously);

    /// <summary>Completes at the next <see cref="Pulse"/>; take it before looking for work, so no pulse is missed.</summary>
    public Task Next => Volatile.Read(ref _next).Task;

    public void Pulse() => Interlocked.Exchange(ref _next, new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously)).TrySetResult();
}
