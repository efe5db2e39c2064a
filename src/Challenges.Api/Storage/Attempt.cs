namespace Challenges.Api.Storage;

/// <summary>What one attempt of a <see cref="ConflictRetry"/> came to: its result, or a lost race to run again.</summary>
public readonly record struct Attempt<T>(T Value, bool Conflicted)
{
    public static implicit operator Attempt<T>(T value) => new(value, false);
}

/// <summary>Builds <see cref="Attempt{T}"/> values.</summary>
public static class Attempt
{
    /// <summary>The attempt lost a race: <see cref="ConflictRetry"/> runs it again.</summary>
    public static Attempt<T> Conflict<T>() => new(default!, true);
}
