using System.Text.Json;
using System.Text.Json.Serialization;

namespace Challenges.Api.Push;

/// <summary>
/// A push challenge as stored by <see cref="PushChallengeStore"/>, in its user's hash slot. Answering it is one
/// compare-and-set on this document, so the first valid answer is the only one. <see cref="ExpiresAt"/> (from
/// <see cref="TimeProvider"/>) is the truth; the key's time to live only collects it.
/// </summary>
public sealed record PushChallengeRecord
{
    /// <summary>Tells push challenges apart from other challenges under the same key family.</summary>
    public string Kind { get; init; } = PushChallengeStates.Kind;
    public string Id { get; init; } = "";

    /// <summary>Null for a sign-in challenge of an action; <see cref="PushChallengeStates.StepUp"/> for a step-up.</summary>
    public string? Purpose { get; init; }
    public string UserId { get; init; } = "";
    public string ActionCode { get; init; } = "";
    public string IdempotencyKey { get; init; } = "";
    public string State { get; init; } = PushChallengeStates.Pending;
    public DateTimeOffset CreatedAt { get; init; }
    public DateTimeOffset ExpiresAt { get; init; }

    /// <summary>The push authenticators that may answer: all the user's verified ones, or the one asked for.</summary>
    public IReadOnlyList<string> Targets { get; init; } = [];

    /// <summary>Number matching: the code the web page shows and the device must echo.</summary>
    public string? VerificationCode { get; init; }

    public DateTimeOffset? AnsweredAt { get; init; }
    public string? AnsweredBy { get; init; }

    /// <summary>
    /// The text of the challenge's action as the start left it: the answer completes the action by a compare-and-set
    /// on it without reading the action first (a changed action costs the answer one more read).
    /// </summary>
    public string? ActionText { get; init; }

    /// <summary>Set when the web poll has handed out the access token: it is issued once.</summary>
    public bool TokenIssued { get; init; }

    /// <summary>The action's <c>locale</c>: the language of the notification's built-in text.</summary>
    public string? Locale { get; init; }

    public string? IpAddress { get; init; }
    public string? UserAgent { get; init; }
    public string? DeviceId { get; init; }
    /// <summary>The action's custom data a device may see (the tenant's public keys of it).</summary>
    public JsonElement? Custom { get; init; }

    /// <summary>The user's custom data a device may see, as it was when the challenge started.</summary>
    public JsonElement? UserCustom { get; init; }

    [JsonIgnore]
    public bool IsPush => Kind == PushChallengeStates.Kind;
}

public static class PushChallengeStates
{
    public const string Kind = "PUSH";
    public const string Pending = "PENDING";
    public const string Approved = "APPROVED";
    public const string Rejected = "REJECTED";
    public const string StepUp = "STEP_UP";
}
