using Challenges.Api.Http;
using Microsoft.AspNetCore.Http.HttpResults;

namespace Challenges.Api.Push;

/// <summary>A service answer: the value, or the expected failure as an <see cref="ApiError"/>.</summary>
public sealed record Outcome<T>(T? Value, ApiError? Error) where T : class
{
    public static implicit operator Outcome<T>(T value) => new(value, null);

    public static implicit operator Outcome<T>(ApiError error) => new(null, error);

    public Results<Ok<T>, ErrorResult> ToHttp() => Error is null ? TypedResults.Ok(Value!) : Error.ToResult();
}
