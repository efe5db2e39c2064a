namespace Challenges.Api.Actions;

/// <summary>Track answer (docs/contract.md §2.1).</summary>
public sealed record TrackResponse(
    string IdempotencyKey,
    string State,
    string Url,
    string Token,
    bool IsEnrolled,
    IReadOnlyList<string> EnrolledVerificationMethods,
    IReadOnlyList<string> AllowedVerificationMethods,
    string? DefaultVerificationMethod);

/// <summary>GET one action.</summary>
public sealed record ActionResponse(string State, DateTimeOffset StateUpdatedAt, DateTimeOffset CreatedAt, string? VerificationMethod)
{
    public static ActionResponse From(ActionRecord a)
    {
        ArgumentNullException.ThrowIfNull(a);
        return new(a.State, a.StateUpdatedAt, a.CreatedAt, a.VerificationMethod);
    }
}

/// <summary>One row of the query actions answer.</summary>
public sealed record ActionSummary(string ActionCode, string IdempotencyKey, DateTimeOffset CreatedAt, string State,
    DateTimeOffset? StateUpdatedAt, string? VerificationMethod)
{
    public static ActionSummary From(ActionRecord a)
    {
        ArgumentNullException.ThrowIfNull(a);
        return new(a.ActionCode, a.IdempotencyKey, a.CreatedAt, a.State, a.StateUpdatedAt, a.VerificationMethod);
    }
}

/// <summary>PATCH action request and answer.</summary>
public sealed record UpdateActionRequest(string? State);

public sealed record UpdateActionResponse(string State);

/// <summary>POST /v1/validate.</summary>
public sealed record ValidateRequest(string? Token, string? UserId, string? Action);

/// <summary>Validate answer; both <c>actionCode</c> and <c>action</c> carry the action code.</summary>
public sealed record ValidateResponse(
    bool IsValid,
    string State,
    DateTimeOffset? StateUpdatedAt,
    string UserId,
    string ActionCode,
    string Action,
    string IdempotencyKey,
    string? VerificationMethod);
