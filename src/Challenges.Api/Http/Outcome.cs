using Microsoft.AspNetCore.Http.HttpResults;

namespace Challenges.Api.Http;

/// <summary>
/// What a service answers: its value, or the expected failure (expired, consumed, refused, limited) as an
/// <see cref="ApiError"/>. The one shape for every feature; endpoints turn it into a typed result with <see cref="ToHttp"/>.
/// </summary>
public sealed class Outcome<T>
{
    private Outcome(T? value, ApiError? error)
    {
        Value = value;
        Error = error;
    }

    public T? Value { get; }

    public ApiError? Error { get; }

    public static implicit operator Outcome<T>(T value) => new(value, null);

    public static implicit operator Outcome<T>(ApiError error) => new(default, error);

    /// <summary>True when it failed, with the failure; false with the value.</summary>
    public bool Failed(out ApiError error, out T value)
    {
        error = Error!;
        value = Value!;
        return Error is not null;
    }

    public Results<Ok<T>, ErrorResult> ToHttp() => Error is null ? TypedResults.Ok(Value!) : Error.ToResult();

    /// <summary>The same failure, or the value mapped.</summary>
    public Outcome<TOther> Map<TOther>(Func<T, TOther> map)
    {
        ArgumentNullException.ThrowIfNull(map);
        return Error is null ? map(Value!) : Error;
    }
}
