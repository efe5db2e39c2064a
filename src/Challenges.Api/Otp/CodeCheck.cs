namespace Challenges.Api.Otp;

/// <summary>What one code does to a challenge.</summary>
/// <param name="Next">The challenge to write (verified, or one more wrong attempt); null when nothing changes.</param>
/// <param name="Failure">Why the code does not verify (<see cref="FailureReasons"/>); null when it does.</param>
/// <param name="EndedAs">How the challenge ended with this code (verified, max_attempts), counted; null when it did not end now.</param>
public sealed record CodeCheck(OtpChallengeRecord? Next, string? Failure, string? EndedAs)
{
    /// <summary>
    /// One verify, applied by compare-and-set on the result so that concurrent guesses are each counted exactly once: a
    /// used, expired or dead challenge changes nothing; a right code marks it verified; a wrong one counts an attempt,
    /// and the attempt that reaches the limit kills the challenge.
    /// </summary>
    public static CodeCheck Of(OtpChallengeRecord challenge, string code, OtpCodes codes, DateTimeOffset now)
    {
        ArgumentNullException.ThrowIfNull(challenge);
        ArgumentNullException.ThrowIfNull(codes);
        if (challenge.IsDead)
        {
            return new(null, FailureReasons.MaxAttemptsExceeded, null);
        }
        if (challenge.VerifiedAt is not null || challenge.ClaimedAt is not null || now >= challenge.ExpiresAt)
        {
            return new(null, FailureReasons.CodeInvalidOrExpired, null);
        }
        if (codes.Matches(challenge.Id, code, challenge.CodeHash))
        {
            return new(challenge with { VerifiedAt = now }, null, "verified");
        }
        var next = challenge with { Attempts = challenge.Attempts + 1 };
        return next.IsDead
            ? new(next, FailureReasons.MaxAttemptsExceeded, "max_attempts")
            : new(next, FailureReasons.CodeInvalidOrExpired, null);
    }
}
