using Challenges.Api.Http;

namespace Challenges.Api.Otp;

/// <summary>A service answer: a value, or an expected failure as an <see cref="ApiError"/>.</summary>
public sealed record OtpOutcome<T>(T? Value, ApiError? Error);

/// <summary>Builds <see cref="OtpOutcome{T}"/> values.</summary>
public static class OtpOutcome
{
    public static OtpOutcome<T> Ok<T>(T value) => new(value, null);

    public static OtpOutcome<T> Fail<T>(ApiError error) => new(default, error);
}
