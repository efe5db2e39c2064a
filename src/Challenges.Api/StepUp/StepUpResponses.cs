namespace Challenges.Api.StepUp;

/// <summary>200: the step-up challenge's id.</summary>
public sealed record StepUpStarted(string Id);

/// <summary>400: the step-up API's syntax error body.</summary>
public sealed record StepUpSyntaxError(string Message, StepUpSyntaxErrors SyntaxErrors);

public sealed record StepUpSyntaxErrors(IReadOnlyList<StepUpInvalidField> InvalidFields);

/// <summary>One invalid field; <see cref="Error"/> is one of <see cref="StepUpFieldErrors"/>.</summary>
public sealed record StepUpInvalidField(string FieldName, string Error, IReadOnlyList<string> Params);

/// <summary>409: one of <see cref="StepUpErrorCodes"/>.</summary>
public sealed record StepUpConflict(string ErrorCode);

/// <summary>GET /stepup/challenges/{id} (ours): the status, and once, after approval, the step-up token.</summary>
public sealed record StepUpStatusResponse(string Id, string Status, string? StepUpToken);

public static class StepUpErrorCodes
{
    public const string StateInvalid = "STATE_INVALID";
    public const string ChannelNotSupported = "CHANNEL_NOT_SUPPORTED";
    public const string ChannelNotRegistered = "CHANNEL_NOT_REGISTERED";
    public const string ChallengeLimitExceeded = "CHALLENGE_LIMIT_EXCEEDED";
}

public static class StepUpFieldErrors
{
    public const string Required = "REQUIRED";
    public const string Size = "SIZE";
    public const string In = "IN";
}

public static class StepUpChannels
{
    public const string Authy = "AUTHY";
    public const string Biometric = "BIOMETRIC";
    public static readonly string[] All = [Authy, Biometric];
}

public static class StepUpStatuses
{
    public const string Pending = "PENDING";
    public const string Approved = "APPROVED";
    public const string Rejected = "REJECTED";
    public const string Expired = "EXPIRED";
}
