using System.Text.Json;
using System.Text.Json.Serialization;

namespace Challenges.Api.Actions;

/// <summary>A tracked action as stored, in its user's hash slot.</summary>
public sealed record ActionRecord
{
    public required string UserId { get; init; }
    public required string ActionCode { get; init; }
    public required string IdempotencyKey { get; init; }
    public required string State { get; init; }
    public required DateTimeOffset CreatedAt { get; init; }
    public required DateTimeOffset StateUpdatedAt { get; init; }
    public string? VerificationMethod { get; init; }

    /// <summary>The latest challenge started for this action; the Client API's verify calls answer it.</summary>
    public string? ChallengeId { get; init; }

    /// <summary>The user's <c>Generation</c> when the action was created: a later deletion of the user makes it stale.</summary>
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingDefault)]
    public long UserGeneration { get; init; }

    /// <summary>Set by the first <c>/v1/validate</c> that saw the action succeeded: validation is single use.</summary>
    public bool Validated { get; init; }

    public string? Scope { get; init; }
    public string? RedirectUrl { get; init; }
    public string? IpAddress { get; init; }
    public string? UserAgent { get; init; }
    public string? DeviceId { get; init; }
    public string? Email { get; init; }
    public string? PhoneNumber { get; init; }
    public string? Username { get; init; }
    public string? Locale { get; init; }
    public JsonElement? Custom { get; init; }

    /// <summary>The authenticator whose enrolment this action's success ended (it was verified by it).</summary>
    public string? EnrolledAuthenticatorId { get; init; }
}
