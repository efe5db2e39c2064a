using Challenges.Api.Http;

namespace Challenges.Api.RateLimiting;

/// <summary>What <see cref="RateCounter.CountAsync"/> counted: the refusal, if any (then nothing stays counted), and how to take the counts back.</summary>
public sealed record Counted(ApiError? Refusal, Func<Task> RefundAsync);
