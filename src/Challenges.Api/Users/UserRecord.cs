using System.Text.Json;
using System.Text.Json.Serialization;
using Challenges.Api.Tenants;

namespace Challenges.Api.Users;

/// <summary>A user's attributes and authenticators: one document in the user's hash slot.</summary>
public sealed record UserRecord
{
    public string? Email { get; init; }
    public string? PhoneNumber { get; init; }
    public string? Username { get; init; }
    public string? DisplayName { get; init; }
    public JsonElement? Custom { get; init; }
    public IReadOnlyList<AuthenticatorRecord> Authenticators { get; init; } = [];

    /// <summary>Lifecycle events not yet delivered (see <see cref="LifecycleEvents"/>).</summary>
    public IReadOnlyList<OutboxEvent> Outbox { get; init; } = [];

    /// <summary>How many lifecycle events were ever written for this user; orders them for the outbox queue.</summary>
    public long OutboxSequence { get; init; }

    /// <summary>
    /// How many times the user was deleted. An action records the generation it was tracked in, so a token tracked
    /// before a deletion cannot enrol anything afterwards, even when its action outlived the deletion (see
    /// <c>EnrolmentPolicy</c>).
    /// </summary>
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingDefault)]
    public long Generation { get; init; }

    /// <summary>
    /// When the user was first written (with attributes or an authenticator). Users stored before this field existed get
    /// it at their next write: the earliest authenticator's creation, else the time of that write (see
    /// <c>UserStore.Index</c>). A deleted user has none until written again.
    /// </summary>
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public DateTimeOffset? CreatedAt { get; init; }

    public static UserRecord Empty { get; } = new();

    /// <summary>The user has attributes or authenticators: a document a deletion has not emptied.</summary>
    [JsonIgnore]
    public bool HasContent => Email is not null || PhoneNumber is not null || Username is not null || DisplayName is not null ||
                              Custom is not null || Authenticators.Count > 0;

    [JsonIgnore]
    public IEnumerable<AuthenticatorRecord> Verified => Authenticators.Where(a => a.IsVerified);

    [JsonIgnore]
    public bool IsEnrolled => Verified.Any();

    public IReadOnlyList<string> EnrolledMethods(Tenant tenant) =>
        Verified.Select(a => a.VerificationMethod).Where(tenant.Allows).Distinct(StringComparer.Ordinal).ToArray();

    public string? DefaultMethod(Tenant tenant)
    {
        var verified = Verified.Where(a => tenant.Allows(a.VerificationMethod)).ToList();
        return (verified.FirstOrDefault(a => a.IsDefault) ?? verified.FirstOrDefault())?.VerificationMethod;
    }

    /// <summary>True when one of the user's verified authenticators has this phone number or email address.</summary>
    public bool HasVerified(string destination) =>
        Verified.Any(a => a.PhoneNumber == destination || string.Equals(a.Email, destination, StringComparison.OrdinalIgnoreCase));

    /// <summary>The user without the push credentials that have expired: an expired credential is a removed one.</summary>
    public UserRecord WithoutExpired(DateTimeOffset now) =>
        Authenticators.Any(a => a.IsExpiredAt(now)) ? this with { Authenticators = Authenticators.Where(a => !a.IsExpiredAt(now)).ToList() } : this;

    public AuthenticatorRecord? Find(string authenticatorId) =>
        Authenticators.FirstOrDefault(a => string.Equals(a.Id, authenticatorId, StringComparison.Ordinal));

    /// <summary>The user with <paramref name="authenticator"/> replaced or added; a default one clears the others' default.</summary>
    public UserRecord With(AuthenticatorRecord authenticator)
    {
        ArgumentNullException.ThrowIfNull(authenticator);
        var list = Authenticators.Where(a => a.Id != authenticator.Id)
            .Select(a => authenticator.IsDefault && a.IsDefault ? a with { IsDefault = false } : a)
            .ToList();
        var position = Authenticators.ToList().FindIndex(a => a.Id == authenticator.Id);
        list.Insert(position < 0 ? list.Count : position, authenticator);
        return this with { Authenticators = list };
    }

    /// <summary>Unverified authenticators older than this are dropped when the user enrols again.</summary>
    public static readonly TimeSpan AbandonedEnrolment = TimeSpan.FromDays(1);

    /// <summary>
    /// The user without enrolments abandoned for a day (unverified authenticators other than push credentials), except
    /// <paramref name="kept"/>: an enrolment prunes them, so that they do not count against the caps forever.
    /// </summary>
    public UserRecord WithoutAbandonedEnrolments(DateTimeOffset now, AuthenticatorRecord? kept) => this with
    {
        Authenticators = Authenticators.Where(a => a.IsVerified || a == kept || a.PublicKey is not null || now - a.CreatedAt < AbandonedEnrolment)
            .ToList(),
    };

    /// <summary>The user without the authenticator <paramref name="authenticatorId"/>.</summary>
    public UserRecord Without(string authenticatorId) =>
        this with { Authenticators = Authenticators.Where(a => !string.Equals(a.Id, authenticatorId, StringComparison.Ordinal)).ToList() };

    /// <summary>The user's verified push authenticators that have a key: the devices a push challenge goes to.</summary>
    [JsonIgnore]
    public IReadOnlyList<AuthenticatorRecord> PushDevices =>
        Verified.Where(a => a.VerificationMethod == VerificationMethods.Push && a.PublicKey is not null).ToList();
}
