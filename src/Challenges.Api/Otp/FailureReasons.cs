namespace Challenges.Api.Otp;

/// <summary>Verify failure reasons (docs/contract.md §1.4).</summary>
public static class FailureReasons
{
    public const string CodeInvalidOrExpired = "CODE_INVALID_OR_EXPIRED";
    public const string MaxAttemptsExceeded = "MAX_ATTEMPTS_EXCEEDED";
}
