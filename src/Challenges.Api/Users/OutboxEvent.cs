namespace Challenges.Api.Users;

/// <summary>
/// A lifecycle event waiting for delivery, kept in the user document it describes so that it is written in the
/// same atomic step as the change. <see cref="Id"/> is stable across retries so receivers can de-duplicate.
/// </summary>
public sealed record OutboxEvent
{
    public required string Id { get; init; }
    public required string Type { get; init; }
    public required IReadOnlyDictionary<string, string> Data { get; init; }
    public required DateTimeOffset CreatedAt { get; init; }
    public int Attempts { get; init; }
    public DateTimeOffset NextAttemptAt { get; init; }
}
