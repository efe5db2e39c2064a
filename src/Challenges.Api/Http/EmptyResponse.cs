namespace Challenges.Api.Http;

/// <summary>The <c>{}</c> body of a success with nothing to say (never an empty body, never 204).</summary>
public sealed record EmptyResponse
{
    public static EmptyResponse Instance { get; } = new();
}
