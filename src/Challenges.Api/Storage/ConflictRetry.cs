namespace Challenges.Api.Storage;

/// <summary>
/// The one policy for write conflicts. Every change the server makes is a compare-and-set on what it read; an attempt
/// that lost the race (another request changed those keys in between) reads again and runs again: at once for the
/// first few times, then after a short pause that grows with each loss, on the <see cref="TimeProvider"/>, so that a
/// crowd of writers spreads out. After <see cref="MaxAttempts"/> the operation gives up (a 500, never a hang).
/// </summary>
public sealed class ConflictRetry(TimeProvider time)
{
    public const int MaxAttempts = 40;

    /// <summary>Losses retried without a pause: a handful of concurrent writers settle within these.</summary>
    public const int ImmediateAttempts = 8;

    private static readonly TimeSpan LongestPause = TimeSpan.FromMilliseconds(50);

    /// <summary>
    /// Runs <paramref name="attempt"/> (given its number, from 1) until it returns a result rather than
    /// <see cref="Attempt.Conflict{T}"/>.
    /// </summary>
    public async Task<T> RunAsync<T>(string operation, Func<int, Task<Attempt<T>>> attempt)
    {
        ArgumentNullException.ThrowIfNull(attempt);
        for (var number = 1; number <= MaxAttempts; number++)
        {
            var outcome = await attempt(number);
            if (!outcome.Conflicted)
            {
                return outcome.Value;
            }
            if (number >= ImmediateAttempts && number < MaxAttempts)
            {
                await Task.Delay(PauseAfter(number), time);
            }
        }
        throw new InvalidOperationException($"Gave up {operation} after {MaxAttempts} conflicting writes.");
    }

    /// <summary>The pause after losing attempt <paramref name="number"/>: none at first, then 1, 2, 4 … ms, at most 50 ms.</summary>
    public static TimeSpan PauseAfter(int number) =>
        number < ImmediateAttempts
            ? TimeSpan.Zero
            : TimeSpan.FromMilliseconds(Math.Min(LongestPause.TotalMilliseconds, Math.Pow(2, Math.Min(number - ImmediateAttempts, 10))));
}

